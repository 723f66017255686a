// Drawing the next token from logits: temperature, then top-k, then top-p (nucleus), then one
// uniform draw. Written by hand because it is a few lines over a Float32Array and must consume the
// seeded random stream in a fixed way so a run is reproducible from its seed.
import { ScoringError } from './errors.js';

export interface SamplingOptions {
  /** A fixed temperature, or a range [lo, hi] drawn uniformly once per sample. */
  temperature: number | [number, number];
  /** Nucleus mass (1 = off). */
  topP: number;
  /** Keep only the k most likely tokens (0 = off). */
  topK: number;
}

export function checkSamplingOptions(o: SamplingOptions): void {
  const temps = typeof o.temperature === 'number' ? [o.temperature] : o.temperature;
  if (temps.some((t) => !(t >= 0) || !Number.isFinite(t)) || (temps.length === 2 && temps[1] < temps[0])) {
    throw new ScoringError('bad-sampling-option', `temperature ${JSON.stringify(o.temperature)} must be ≥ 0 (a range lo..hi with lo ≤ hi)`);
  }
  if (!(o.topP > 0 && o.topP <= 1)) throw new ScoringError('bad-sampling-option', `top-p ${o.topP} must be in (0, 1]`);
  if (!Number.isInteger(o.topK) || o.topK < 0) throw new ScoringError('bad-sampling-option', `top-k ${o.topK} must be a whole number ≥ 0`);
}

/** The temperature of one sample: fixed, or drawn from the range with one uniform number. */
export function drawTemperature(t: SamplingOptions['temperature'], uniform: () => number): number {
  return typeof t === 'number' ? t : t[0] + (t[1] - t[0]) * uniform();
}

/** One token id drawn from `logits`. Temperature 0 is greedy (the lowest id wins ties). */
export function sampleToken(logits: ArrayLike<number>, temperature: number, topK: number, topP: number, uniform: () => number): number {
  const n = logits.length;
  if (temperature === 0) {
    let best = 0;
    for (let i = 1; i < n; i++) if (logits[i] > logits[best]) best = i;
    return best;
  }
  if (topK === 0 && topP >= 1) {
    // Plain sampling needs no ordering: one pass in id order (a full-vocabulary sort per token
    // would dominate the cost of a 283-sample protocol).
    let max = -Infinity;
    for (let i = 0; i < n; i++) if (logits[i] > max) max = logits[i];
    const w = new Float64Array(n);
    let total = 0;
    for (let i = 0; i < n; i++) total += w[i] = Math.exp((logits[i] - max) / temperature);
    let r = uniform() * total;
    for (let i = 0; i < n; i++) {
      r -= w[i];
      if (r < 0) return i;
    }
    return n - 1;
  }
  // Candidates by decreasing logit; ties by id so the order does not depend on the sort.
  let ids = Array.from({ length: n }, (_, i) => i).sort((a, b) => logits[b] - logits[a] || a - b);
  if (topK > 0 && topK < n) ids = ids.slice(0, topK);
  const max = logits[ids[0]];
  const w = ids.map((i) => Math.exp((logits[i] - max) / temperature));
  let total = w.reduce((a, b) => a + b, 0);
  if (topP < 1) {
    let acc = 0;
    let keep = 0;
    while (keep < w.length && acc < topP * total) acc += w[keep++];
    ids = ids.slice(0, Math.max(1, keep));
    w.length = ids.length;
    total = w.reduce((a, b) => a + b, 0);
  }
  let r = uniform() * total;
  for (let k = 0; k < ids.length; k++) {
    r -= w[k];
    if (r < 0) return ids[k];
  }
  return ids[ids.length - 1];
}
