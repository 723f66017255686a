// Sweep families: which layer sets a sweep patches. Each family expands to a list of sets; the
// scheduler runs them all on shared donor and recipient caches.
import { PatchError } from './errors.js';

export type SweepFamily =
  | { kind: 'each'; layers: number[] }
  | { kind: 'window'; layers: number[]; size: number }
  | { kind: 'sets'; sets: number[][] }
  | { kind: 'top'; k: number; effects: { layers: number[]; effect: number }[] };

/** Every layer index 0..n−1. */
export const allLayers = (n: number) => Array.from({ length: n }, (_, i) => i);

function checkLayers(layers: number[], numLayers: number, what: string): void {
  for (const l of layers) {
    if (!Number.isInteger(l) || l < 0 || l >= numLayers) {
      throw new PatchError('bad-layers', `${what}: layer ${l} does not exist (the model has layers 0..${numLayers - 1})`);
    }
  }
}

/** The layer sets of a family, each sorted, duplicates removed, in a stable order. */
export function expandFamily(family: SweepFamily, numLayers: number): number[][] {
  let sets: number[][];
  switch (family.kind) {
    case 'each':
      checkLayers(family.layers, numLayers, 'layers');
      sets = family.layers.map((l) => [l]);
      break;
    case 'window': {
      checkLayers(family.layers, numLayers, 'layers');
      const ls = [...new Set(family.layers)].sort((a, b) => a - b);
      if (!Number.isInteger(family.size) || family.size < 1 || family.size > ls.length) {
        throw new PatchError('bad-sweep', `window ${family.size} must be between 1 and the number of layers swept (${ls.length})`);
      }
      sets = [];
      for (let i = 0; i + family.size <= ls.length; i++) sets.push(ls.slice(i, i + family.size));
      break;
    }
    case 'sets':
      if (family.sets.length === 0 || family.sets.some((s) => s.length === 0)) throw new PatchError('bad-sweep', 'explicit layer sets must not be empty');
      family.sets.forEach((s) => checkLayers(s, numLayers, `set ${s.join('+')}`));
      sets = family.sets;
      break;
    case 'top': {
      if (!Number.isInteger(family.k) || family.k < 1) throw new PatchError('bad-sweep', `top ${family.k}: K must be a whole number ≥ 1`);
      const singles = family.effects.filter((e) => e.layers.length === 1);
      if (singles.length < family.k) {
        throw new PatchError('bad-sweep', `top ${family.k}: the earlier sweep has only ${singles.length} single-layer patches`);
      }
      // Largest effect first; ties to the lower layer so the choice is reproducible.
      const top = [...singles].sort((a, b) => b.effect - a.effect || a.layers[0] - b.layers[0]).slice(0, family.k);
      sets = [top.map((e) => e.layers[0])];
      break;
    }
  }
  const seen = new Set<string>();
  const out: number[][] = [];
  for (const s of sets) {
    const sorted = [...new Set(s)].sort((a, b) => a - b);
    const key = sorted.join('+');
    if (!seen.has(key)) {
      seen.add(key);
      out.push(sorted);
    }
  }
  return out;
}

/** Chart label of a layer set: `7`, `4–6` for a contiguous run, `3+5` otherwise. */
export function layerLabel(layers: number[]): string {
  if (layers.length === 1) return String(layers[0]);
  const contiguous = layers.every((l, i) => i === 0 || l === layers[i - 1] + 1);
  return contiguous ? `${layers[0]}–${layers[layers.length - 1]}` : layers.join('+');
}

/** (Δ_unpatched − Δ_patched) / (Δ_unpatched − Δ_donor); NaN when the two models do not differ. */
export function fractionRemoved(unpatched: number, patched: number, donor: number): number {
  const gap = unpatched - donor;
  return gap === 0 ? Number.NaN : (unpatched - patched) / gap;
}

export interface GreedyStep {
  layers: number[];
  fraction: number;
}

/**
 * Greedy forward selection of the smallest layer set whose patch removes at least `target` of
 * Δ_Knobe: each round adds the candidate layer that removes the most together with the layers
 * already chosen. `evaluate` scores a batch of layer sets (one sweep round) by fraction removed.
 * Greedy, so the set is small but not guaranteed minimal; the trace shows every round.
 */
export async function greedySmallest(
  candidates: number[],
  target: number,
  evaluate: (sets: number[][]) => Promise<number[]>,
): Promise<{ layers: number[]; fraction: number; reached: boolean; trace: GreedyStep[] }> {
  if (!(target > 0 && target <= 1)) throw new PatchError('bad-sweep', `smallest: target fraction ${target} must be in (0, 1]`);
  const chosen: number[] = [];
  let remaining = [...new Set(candidates)].sort((a, b) => a - b);
  const trace: GreedyStep[] = [];
  let fraction = 0;
  while (remaining.length > 0) {
    const sets = remaining.map((l) => [...chosen, l].sort((a, b) => a - b));
    const scores = await evaluate(sets);
    let best = 0;
    for (let i = 1; i < scores.length; i++) if (scores[i] > scores[best] || Number.isNaN(scores[best])) best = i;
    chosen.push(remaining[best]);
    chosen.sort((a, b) => a - b);
    fraction = scores[best];
    trace.push({ layers: [...chosen], fraction });
    remaining = remaining.filter((_, i) => i !== best);
    if (fraction >= target) return { layers: chosen, fraction, reached: true, trace };
  }
  return { layers: chosen, fraction, reached: false, trace };
}
