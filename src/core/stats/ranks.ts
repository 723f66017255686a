// Rank tests, a robustness check for ratings on a bounded 0–10 scale whose distributions may be
// far from normal. Both follow scipy.stats (1.10) in what they compute and when:
//
// Wilcoxon signed-rank (scipy.stats.wilcoxon, zero_method 'wilcox'): zero differences are
// dropped, |d| ranked with ties averaged, T = min(R⁺, R⁻).
//   exact  — when n ≤ 50 and there are no zeros and no tied |d|: the null distribution of R⁺ by
//            counting subsets of 1..n, p = 2·min(P(R⁺ ≤ r), P(R⁺ ≥ r)), 1 at the centre.
//   normal — otherwise: z = (T − n(n+1)/4 − ½·sign(T − n(n+1)/4)) / σ with the continuity
//            correction and σ² = n(n+1)(2n+1)/24 − Σ(t³ − t)/48 over groups of tied ranks.
//   (SciPy 1.10 keeps the exact distribution when |d| ties without zeros, truncating the tied
//   rank sum to an integer; the normal approximation with the tie correction is used here then.)
//   Effect: the matched-pairs rank-biserial r = (R⁺ − R⁻)/(R⁺ + R⁻) (Kerby 2014).
//
// Mann–Whitney U (scipy.stats.mannwhitneyu, method 'auto', use_continuity=True): U₁ from the
// ranks of the pooled sample (ties averaged), U = max(U₁, n₁n₂ − U₁).
//   exact  — when the smaller group has at most 8 values and nothing ties: p = 2·P(U' ≥ U) under
//            the null distribution of U, by the usual recurrence over group sizes.
//   normal — otherwise: z = (U − n₁n₂/2 − ½)/σ, σ² = n₁n₂/12·((n + 1) − Σ(t³ − t)/(n(n − 1))).
//   Effect: rank-biserial r = 2U₁/(n₁n₂) − 1, positive when the first group ranks higher.
import type { TestResult } from '../../common/results.js';
import { StatsError, requireCount, requireFinite } from './errors.js';
import { normalCdf } from './dist.js';
import { formatP, noLeadingZero } from './apa.js';

export interface RankTestResult extends TestResult {
  name: 'Wilcoxon signed-rank' | 'Mann–Whitney U';
  /** Rank tests have no degrees of freedom: NaN (stored as null). */
  df: number;
  method: 'exact' | 'normal';
  /** The normal approximation's z (absent for exact p-values). */
  z?: number;
  effect: { name: 'r_rb'; value: number };
}

export interface WilcoxonResult extends RankTestResult {
  name: 'Wilcoxon signed-rank';
  rPlus: number;
  rMinus: number;
  /** Pairs with a nonzero difference (the n of the test) and pairs dropped as zeros. */
  n: number;
  zeros: number;
}

export interface MannWhitneyResult extends RankTestResult {
  name: 'Mann–Whitney U';
  /** U of the first group (statistic), and the group sizes. */
  u1: number;
  n1: number;
  n2: number;
}

/** Average ranks (1-based) of the values and the sizes of groups of ties. */
export function rankWithTies(values: ArrayLike<number>): { ranks: Float64Array; ties: number[] } {
  const n = values.length;
  const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => values[a] - values[b]);
  const ranks = new Float64Array(n);
  const ties: number[] = [];
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && values[order[j + 1]] === values[order[i]]) j++;
    const r = (i + j) / 2 + 1;
    for (let k = i; k <= j; k++) ranks[order[k]] = r;
    if (j > i) ties.push(j - i + 1);
    i = j + 1;
  }
  return { ranks, ties };
}

function tieTerm(ties: number[]): number {
  return ties.reduce((s, t) => s + t ** 3 - t, 0);
}

/** Null distribution of R⁺ for n untied nonzero differences: P(R⁺ = s), s = 0..n(n+1)/2. */
function signedRankPmf(n: number): Float64Array {
  const max = (n * (n + 1)) / 2;
  // Counts of subsets of 1..n by their sum; below 2^53 for n ≤ 50, so exact in doubles.
  const c = new Float64Array(max + 1);
  c[0] = 1;
  for (let k = 1; k <= n; k++) for (let s = (k * (k + 1)) / 2; s >= k; s--) c[s] += c[s - k];
  const total = 2 ** n;
  return c.map((v) => v / total);
}

function rankApa(symbol: string, statistic: number, z: number | undefined, p: number, r: number, method: 'exact' | 'normal'): string {
  const stat = Number.isInteger(statistic) ? String(statistic) : statistic.toFixed(1);
  const parts = [`${symbol} = ${stat}`];
  if (z !== undefined) parts.push(`z = ${z.toFixed(2)}`);
  parts.push(formatP(p), `r_rb = ${noLeadingZero(r, 2)}`);
  return `${parts.join(', ')} (${method === 'exact' ? 'exact' : 'normal approximation'})`;
}

/** Wilcoxon signed-rank test of x[i] − y[i] against 0, two-sided. */
export function wilcoxonSignedRank(x: ArrayLike<number>, y: ArrayLike<number>): WilcoxonResult {
  if (x.length !== y.length) throw new StatsError('unpaired', `Wilcoxon signed-rank: ${x.length} first values but ${y.length} second values`);
  requireCount(x, 1, 'Wilcoxon signed-rank pairs');
  requireFinite(x, 'Wilcoxon signed-rank, first of each pair');
  requireFinite(y, 'Wilcoxon signed-rank, second of each pair');
  const all = Array.from({ length: x.length }, (_, i) => x[i] - y[i]);
  const d = all.filter((v) => v !== 0);
  const zeros = all.length - d.length;
  const n = d.length;
  if (n === 0) throw new StatsError('zero-variance', `Wilcoxon signed-rank: all ${all.length} pairs have equal values, so there is nothing to rank`);
  const { ranks, ties } = rankWithTies(d.map(Math.abs));
  let rPlus = 0;
  let rMinus = 0;
  d.forEach((v, i) => (v > 0 ? (rPlus += ranks[i]) : (rMinus += ranks[i])));
  const T = Math.min(rPlus, rMinus);
  const r = (rPlus - rMinus) / (rPlus + rMinus);
  let p: number;
  let z: number | undefined;
  let method: 'exact' | 'normal';
  if (n <= 50 && zeros === 0 && ties.length === 0) {
    method = 'exact';
    const pmf = signedRankPmf(n);
    const centre = (pmf.length - 1) / 2;
    if (rPlus === centre) p = 1;
    else {
      let below = 0;
      let above = 0;
      for (let s = 0; s < pmf.length; s++) {
        if (s <= rPlus) below += pmf[s];
        if (s >= rPlus) above += pmf[s];
      }
      p = Math.min(1, 2 * Math.min(below, above));
    }
  } else {
    method = 'normal';
    const mu = (n * (n + 1)) / 4;
    const sigma = Math.sqrt((n * (n + 1) * (2 * n + 1)) / 24 - tieTerm(ties) / 48);
    if (!(sigma > 0)) throw new StatsError('zero-variance', 'Wilcoxon signed-rank: the tie-corrected variance is 0');
    z = (T - mu - 0.5 * Math.sign(T - mu)) / sigma;
    p = Math.min(1, 2 * normalCdf(-Math.abs(z)));
  }
  return { name: 'Wilcoxon signed-rank', statistic: T, df: Number.NaN, p, method, z, rPlus, rMinus, n, zeros, effect: { name: 'r_rb', value: r }, apa: rankApa('T', T, z, p, r, method) };
}

/** P(U ≥ k) for group sizes m, n without ties, by the recurrence p(m, n, u) = m/(m+n)·p(m−1, n, u−n) + n/(m+n)·p(m, n−1, u). */
function mannWhitneySf(k: number, sizeA: number, sizeB: number): number {
  // The distribution is the same with the groups swapped; the outer loop runs over the smaller.
  const m = Math.min(sizeA, sizeB);
  const n = Math.max(sizeA, sizeB);
  const max = m * n;
  // prev[j][u]: pmf of U for sizes (i − 1, j); rebuilt row by row over i.
  let prev: Float64Array[] = Array.from({ length: n + 1 }, () => Float64Array.of(1));
  for (let i = 1; i <= m; i++) {
    const cur: Float64Array[] = [new Float64Array(1).fill(1)];
    for (let j = 1; j <= n; j++) {
      const pm = new Float64Array(i * j + 1);
      const a = prev[j];
      const b = cur[j - 1];
      for (let u = 0; u <= i * j; u++) {
        const fromA = u - j >= 0 && u - j < a.length ? a[u - j] : 0;
        const fromB = u < b.length ? b[u] : 0;
        pm[u] = (i / (i + j)) * fromA + (j / (i + j)) * fromB;
      }
      cur.push(pm);
    }
    prev = cur;
  }
  const pmf = prev[n];
  let s = 0;
  for (let u = Math.max(0, Math.ceil(k)); u <= max; u++) s += pmf[u];
  return s;
}

/** Mann–Whitney U test of two independent groups, two-sided. */
export function mannWhitney(x: ArrayLike<number>, y: ArrayLike<number>): MannWhitneyResult {
  requireCount(x, 1, 'Mann–Whitney first group');
  requireCount(y, 1, 'Mann–Whitney second group');
  requireFinite(x, 'Mann–Whitney first group');
  requireFinite(y, 'Mann–Whitney second group');
  const n1 = x.length;
  const n2 = y.length;
  const pooled = [...Array.from(x), ...Array.from(y)];
  const { ranks, ties } = rankWithTies(pooled);
  let r1 = 0;
  for (let i = 0; i < n1; i++) r1 += ranks[i];
  const u1 = r1 - (n1 * (n1 + 1)) / 2;
  const U = Math.max(u1, n1 * n2 - u1);
  const r = (2 * u1) / (n1 * n2) - 1;
  let p: number;
  let z: number | undefined;
  let method: 'exact' | 'normal';
  if (Math.min(n1, n2) <= 8 && ties.length === 0) {
    method = 'exact';
    p = Math.min(1, 2 * mannWhitneySf(U, n1, n2));
  } else {
    method = 'normal';
    const n = n1 + n2;
    const sigma = Math.sqrt(((n1 * n2) / 12) * (n + 1 - tieTerm(ties) / (n * (n - 1))));
    if (!(sigma > 0)) throw new StatsError('zero-variance', `Mann–Whitney: all ${n} values are equal, so there is nothing to rank`);
    z = (U - (n1 * n2) / 2 - 0.5) / sigma;
    p = Math.min(1, 2 * normalCdf(-z));
  }
  return { name: 'Mann–Whitney U', statistic: u1, df: Number.NaN, p, method, z, u1, n1, n2, effect: { name: 'r_rb', value: r }, apa: rankApa('U', u1, z, p, r, method) };
}
