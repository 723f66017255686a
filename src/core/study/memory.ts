// Memory planning for a study: how many bytes a model's weights take at a precision, which
// precision `auto` picks, and the message a run gets before it starts when a pair cannot fit.
import { totalmem } from 'node:os';
import { weightBytes, type Precision } from '../models/precision.js';
import type { ModelConfig } from '../models/types.js';
import type { PrecisionChoice } from '../format/specs.js';

export type { Precision } from '../models/precision.js';

const GiB = 1024 ** 3;

/** The default budget: most of this machine's memory (the rest is the system's and the editor's). */
export function defaultMemoryBudget(): number {
  return Math.floor(totalmem() * 0.8);
}

export function formatBytes(bytes: number): string {
  if (bytes >= GiB) return `${(bytes / GiB).toFixed(1)} GiB`;
  if (bytes >= 1024 ** 2) return `${(bytes / 1024 ** 2).toFixed(1)} MiB`;
  return `${Math.max(0, Math.round(bytes / 1024))} KiB`;
}

/** Parses a budget written as bytes or with a unit: `12G`, `12GiB`, `800M`, `1.5TB`. */
export function parseMemory(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([kmgt]?)(i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  const scale = { '': 1, k: 1024, m: 1024 ** 2, g: GiB, t: 1024 ** 4 }[m[2].toLowerCase() as '' | 'k' | 'm' | 'g' | 't'];
  const v = Number(m[1]) * scale;
  return Number.isFinite(v) && v > 0 ? Math.floor(v) : undefined;
}

export interface PrecisionPlan {
  precision: Precision;
  /** Bytes one model's weights take at that precision. */
  bytes: number;
  /** Why this precision, in words (shown in the pair's note and results). */
  reason: string;
}

/** What a device computes; a precision outside the list is refused with the device named. */
export type PrecisionsOf = (device: string) => readonly Precision[];

/**
 * Picks the precision of a pair. The two models are loaded one at a time when both do not fit, so
 * one model's weights must fit the budget. `auto` takes fp32 (the reference) when it fits, on a GPU
 * fp16, and otherwise the widest quantized precision that fits.
 */
export function planPrecision(config: ModelConfig, choice: PrecisionChoice, budget: number, device: string, computes: readonly Precision[]): PrecisionPlan | { error: string; hint: string } {
  const need = (p: Precision) => weightBytes(config, p);
  const fitting = computes.filter((p) => need(p) <= budget);
  const widestFit = (['fp32', 'fp16', 'bf16', 'int8', 'int4'] as const).find((p) => fitting.includes(p));
  if (choice === 'auto') {
    const gpu = device !== 'cpu';
    const pick = gpu && fitting.includes('fp16') ? 'fp16' : fitting.includes('fp32') ? 'fp32' : (['int8', 'int4'] as const).find((p) => fitting.includes(p));
    if (!pick) {
      return {
        error: `one model needs ${formatBytes(need('int4'))} even at int4, more than the memory budget of ${formatBytes(budget)}`,
        hint: 'raise the memory budget (--memory, knobe.memoryBudget) or use a machine with more memory',
      };
    }
    const why = pick === 'fp32' ? 'the reference precision, and one model fits' : pick === 'fp16' ? `${device} computes in fp16` : 'the widest precision whose weights fit';
    return { precision: pick, bytes: need(pick), reason: `auto: ${pick} (${why}; ${formatBytes(need(pick))} of weights per model, budget ${formatBytes(budget)})` };
  }
  if (!computes.includes(choice)) {
    return {
      error: `${device} does not compute in ${choice}`,
      hint: `on ${device} use ${computes.join(', ')}${choice === 'bf16' ? ' (bf16 needs a CUDA device)' : ''}`,
    };
  }
  if (need(choice) > budget) {
    return {
      error: `at ${choice} one model needs ${formatBytes(need(choice))} of weights, more than the memory budget of ${formatBytes(budget)}`,
      hint: widestFit
        ? `${widestFit} needs ${formatBytes(need(widestFit))} and fits: write \`precision: ${widestFit}\` in the pair cell, or raise the budget (--memory, knobe.memoryBudget)`
        : 'no precision fits: raise the memory budget (--memory, knobe.memoryBudget)',
    };
  }
  return { precision: choice, bytes: need(choice), reason: `${choice} (${formatBytes(need(choice))} of weights per model, budget ${formatBytes(budget)})` };
}
