// Standardised effect sizes with confidence intervals.
//
// CI method: the large-sample normal approximation of Hedges & Olkin (1985, ch. 5), chosen because
// @stdlib has no noncentral t distribution and special functions are not written by hand here.
//   d   : SE = sqrt((n1 + n2) / (n1·n2) + d² / (2(n1 + n2)))         CI = d ± z·SE
//   g   : g = J·d with J = 1 − 3 / (4(n1 + n2) − 9) (Hedges 1981);  CI = J·(CI of d)
//   d_z : SE = sqrt(1/n + d_z² / (2n))                               CI = d_z ± z·SE
// The golden fixtures compute the same formulas in numpy from scipy's normal quantile.
import { StatsError, requireCount, requireFinite, requireLevel } from './errors.js';
import { mean, variance } from './descriptives.js';
import { normalQuantile } from './dist.js';

export interface EffectSize {
  name: 'd' | 'g' | 'd_z';
  value: number;
  ci: [number, number];
  /** Standard error used for the interval. */
  se: number;
}

function interval(value: number, se: number, level: number): [number, number] {
  const z = normalQuantile(1 - (1 - level) / 2);
  return [value - z * se, value + z * se];
}

/** SD pooled over two groups, weights n − 1. */
export function pooledSd(x: ArrayLike<number>, y: ArrayLike<number>): number {
  const n1 = x.length;
  const n2 = y.length;
  return Math.sqrt(((n1 - 1) * variance(x) + (n2 - 1) * variance(y)) / (n1 + n2 - 2));
}

function checkTwo(x: ArrayLike<number>, y: ArrayLike<number>, level: number): void {
  requireLevel(level);
  requireCount(x, 2, 'first group');
  requireCount(y, 2, 'second group');
  requireFinite(x, 'first group');
  requireFinite(y, 'second group');
}

/** Cohen's d = (mean(x) − mean(y)) / pooled SD. Throws `zero-variance` when both groups are constant. */
export function cohensD(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): EffectSize {
  checkTwo(x, y, level);
  const sp = pooledSd(x, y);
  if (!(sp > 0)) throw new StatsError('zero-variance', "Cohen's d: both groups are constant, the pooled SD is 0");
  const n1 = x.length;
  const n2 = y.length;
  const d = (mean(x) - mean(y)) / sp;
  const se = Math.sqrt((n1 + n2) / (n1 * n2) + (d * d) / (2 * (n1 + n2)));
  return { name: 'd', value: d, ci: interval(d, se, level), se };
}

/** Small-sample correction factor J of Hedges' g (the usual approximation to the gamma-ratio form). */
export function hedgesJ(n1: number, n2: number): number {
  return 1 - 3 / (4 * (n1 + n2) - 9);
}

/** Hedges' g = J·d, interval J·(CI of d). */
export function hedgesG(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): EffectSize {
  const d = cohensD(x, y, level);
  const j = hedgesJ(x.length, y.length);
  return { name: 'g', value: j * d.value, ci: [j * d.ci[0], j * d.ci[1]], se: j * d.se };
}

/** d_z = mean(x − y) / SD(x − y) for pairs aligned by index. */
export function cohensDz(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95): EffectSize {
  requireLevel(level);
  if (x.length !== y.length) throw new StatsError('unpaired', `d_z: ${x.length} first values but ${y.length} second values`);
  const diff = differences(x, y);
  const sd = Math.sqrt(variance(diff));
  if (!(sd > 0)) throw new StatsError('zero-variance', 'd_z: every pair has the same difference, its SD is 0');
  const n = diff.length;
  const dz = mean(diff) / sd;
  const se = Math.sqrt(1 / n + (dz * dz) / (2 * n));
  return { name: 'd_z', value: dz, ci: interval(dz, se, level), se };
}

/** x[i] − y[i], after checking both sides. */
export function differences(x: ArrayLike<number>, y: ArrayLike<number>): Float64Array {
  requireCount(x, 2, 'pairs');
  requireFinite(x, 'first of each pair');
  requireFinite(y, 'second of each pair');
  const d = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) d[i] = x[i] - y[i];
  return d;
}
