// Adjusted p-values for a family of tests, defined as R's p.adjust: each adjusted value is the
// smallest family-wise level (Holm, Bonferroni) or false discovery rate (Benjamini–Hochberg) at
// which that hypothesis would be rejected, capped at 1 and kept monotone in the raw p order.
import { StatsError } from './errors.js';

export type Correction = 'holm' | 'bonferroni' | 'bh' | 'none';

function check(p: readonly number[]): void {
  p.forEach((v, i) => {
    if (!(v >= 0 && v <= 1)) throw new StatsError('invalid-argument', `p-value ${v} at index ${i} is not in [0, 1]`);
  });
}

/** Indices of p sorted ascending; ties keep their input order, so results do not depend on sort stability. */
function order(p: readonly number[]): number[] {
  return p.map((_, i) => i).sort((a, b) => p[a] - p[b] || a - b);
}

/** Adjusted p-values in the input order. An empty family gives an empty array. */
export function adjustP(p: readonly number[], method: Correction): number[] {
  check(p);
  const m = p.length;
  const out = new Array<number>(m);
  if (method === 'none') return p.slice();
  if (method === 'bonferroni') return p.map((v) => Math.min(1, v * m));
  const idx = order(p);
  if (method === 'holm') {
    // Step-down: the k-th smallest p is multiplied by (m − k); a running max keeps monotonicity.
    let run = 0;
    idx.forEach((i, k) => {
      run = Math.max(run, Math.min(1, (m - k) * p[i]));
      out[i] = run;
    });
    return out;
  }
  if (method === 'bh') {
    // Step-up: from the largest p down, m/k · p with a running min.
    let run = 1;
    for (let k = m - 1; k >= 0; k--) {
      const i = idx[k];
      run = Math.min(run, (m / (k + 1)) * p[i]);
      out[i] = run;
    }
    return out;
  }
  throw new StatsError('invalid-argument', `unknown correction "${method as string}" (holm, bonferroni, bh, none)`);
}
