// What a sweep is asked to do and what it returns, shared by the optimized scheduler and the plain
// path so the two can be compared value for value.
import type { AnswerScores } from '../scoring/expected.js';
import type { AnswerSet } from '../scoring/answers.js';
import { PatchError } from './errors.js';
import type { LayerSite } from './hooks.js';
import type { PositionSpec, TokenizedPrompt } from './positions.js';

export interface SweepProgress {
  done: number;
  total: number;
  /** Seconds left at the pace so far; undefined before the first step completes. */
  etaSeconds?: number;
}

/** Memory the sweep will hold at once (one batch of prompts), computed before it starts. */
export interface MemoryPlan {
  /** Bytes of donor activations at the patched site held in memory (every batch's, until the recipient pass ends). */
  donorBytes: number;
  /** Bytes of donor activations written to a temporary file instead. */
  donorSpillBytes?: number;
  /** Bytes of cached recipient states the patches resume from. */
  stateBytes: number;
  /** Bytes of cached keys/values. */
  kvBytes: number;
  /** Bytes of the residual stream of the patches stepped side by side. */
  stackBytes: number;
  totalBytes: number;
}

export interface SweepRequest {
  site: LayerSite;
  /** Layer sets, one patch each. */
  sets: number[][];
  positions: PositionSpec;
  /** Share of the donor activation: donor·mix + recipient·(1 − mix). */
  mix: number;
  /** Prompts as tokenized by the recipient. */
  prompts: TokenizedPrompt[];
  /** The same prompts as tokenized by the donor; must be identical. */
  donorIds?: number[][];
  answers: AnswerSet;
  batchSize?: number;
  /**
   * Patches are stepped side by side while rows × columns stay within this many tokens. Default:
   * one patch at a time — measured on CPU, repeating the cached keys/values for every stacked
   * patch costs more than the layer calls stacking saves, and large stacks grow the runtime's buffers.
   */
  stackTokens?: number;
  padId?: number;
  /** For phrase positions when the prompts carry no offsets. */
  decode?: (ids: number[]) => string;
  signal?: AbortSignal;
  onProgress?: (p: SweepProgress) => void;
  /** Called once with the memory plan before any work. */
  onPlan?: (plan: MemoryPlan) => void;
}

export interface SweepOutput {
  /** Unpatched ratings of each model, per prompt. */
  donor: AnswerScores[];
  recipient: AnswerScores[];
  /** Expected rating of the patched recipient, [set][prompt]. */
  patched: number[][];
  /** Peak bytes of activations and caches held (tracked, not estimated). */
  peakBytes: number;
  plan: MemoryPlan;
}

/** Patching needs both models to see the same tokens: an error names the first prompt that differs. */
export function checkSameTokens(prompts: TokenizedPrompt[], donorIds: number[][] | undefined): void {
  if (!donorIds) return;
  prompts.forEach((p, i) => {
    const d = donorIds[i];
    if (!d || d.length !== p.ids.length || d.some((t, j) => t !== p.ids[j])) {
      throw new PatchError('tokenization-mismatch', `prompt "${p.name}" is tokenized differently by the two models, so their activations cannot be patched position by position`);
    }
  });
}

export function checkRequest(req: SweepRequest, numLayers: number): void {
  if (!(req.mix >= 0 && req.mix <= 1)) throw new PatchError('bad-mix', `mix ${req.mix} must be between 0 and 1`);
  if (req.sets.length === 0) throw new PatchError('bad-sweep', 'a sweep needs at least one layer set');
  for (const s of req.sets) {
    if (s.length === 0) throw new PatchError('bad-sweep', 'a patch needs at least one layer');
    for (const l of s) if (!Number.isInteger(l) || l < 0 || l >= numLayers) throw new PatchError('bad-layers', `layer ${l} does not exist (the model has layers 0..${numLayers - 1})`);
  }
  if (req.prompts.length === 0) throw new PatchError('bad-sweep', 'a sweep needs at least one prompt');
  checkSameTokens(req.prompts, req.donorIds);
}

/** Batches of consecutive prompt indexes. */
export function batches(n: number, size: number): number[][] {
  const out: number[][] = [];
  for (let i = 0; i < n; i += size) out.push(Array.from({ length: Math.min(size, n - i) }, (_, k) => i + k));
  return out;
}

/** A progress reporter with an ETA from the pace so far. */
export function progressReporter(total: number, cb?: (p: SweepProgress) => void): () => void {
  const t0 = Date.now();
  let done = 0;
  cb?.({ done, total });
  return () => {
    done++;
    const perStep = (Date.now() - t0) / 1000 / done;
    cb?.({ done, total, etaSeconds: perStep * (total - done) });
  };
}

/** Mixes the donor into the recipient at the given columns of a [B, n, H] window starting at `from`. */
export function mixInto(act: { data: Float32Array; dims: number[] }, donor: Float32Array, donorFrom: number, donorLen: number, from: number, cols: number[][], mix: number) {
  const [B, n, H] = act.dims;
  const out = new Float32Array(act.data);
  for (let b = 0; b < B; b++) {
    for (const c of cols[b]) {
      if (c < from || c >= from + n) continue;
      const o = (b * n + c - from) * H;
      const d = (b * donorLen + c - donorFrom) * H;
      if (mix === 1) out.set(donor.subarray(d, d + H), o);
      else for (let h = 0; h < H; h++) out[o + h] = mix * donor[d + h] + (1 - mix) * out[o + h];
    }
  }
  return { data: out, dims: [B, n, H] };
}
