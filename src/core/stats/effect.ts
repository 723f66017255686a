// Standardised effect sizes with confidence intervals.
//
// Intervals, by default exact: the observed t of the effect is inverted through the noncentral t
// (Steiger & Fouladi 1997; Cumming & Finch 2001; as MBESS ci.smd and R's effectsize):
//   d   : t = d / √(1/n1 + 1/n2), df = n1 + n2 − 2;  CI = [δ_L, δ_U]·√(1/n1 + 1/n2)
//   g   : g = J·d with J = 1 − 3 / (4(n1 + n2) − 9) (Hedges 1981);  CI = J·(CI of d)
//   d_z : t = d_z·√n, df = n − 1;                      CI = [δ_L, δ_U] / √n
// where δ_L, δ_U are the noncentralities that put the observed t at the 1 − α/2 and α/2
// quantiles (noncentral.ts). `interval: 'normal'` gives the large-sample approximation of Hedges
// & Olkin (1985, ch. 5) instead: SE_d = √((n1 + n2)/(n1·n2) + d²/(2(n1 + n2))),
// SE_dz = √(1/n + d_z²/(2n)), CI = estimate ± z·SE. `se` is always that large-sample SE.
import { StatsError, requireCount, requireFinite, requireLevel } from './errors.js';
import { mean, variance } from './descriptives.js';
import { normalQuantile } from './dist.js';
import { ncfNoncentralityInterval, nctNoncentralityInterval } from './noncentral.js';

/** How an effect size's interval is computed: exact (noncentral t) or the normal approximation. */
export type EffectInterval = 'noncentral-t' | 'normal';

export interface EffectSize {
  name: 'd' | 'g' | 'd_z';
  value: number;
  ci: [number, number];
  interval: EffectInterval;
  /** Large-sample standard error (Hedges & Olkin), the one the normal interval uses. */
  se: number;
}

function normalInterval(value: number, se: number, level: number): [number, number] {
  const z = normalQuantile(1 - (1 - level) / 2);
  return [value - z * se, value + z * se];
}

/** CI of a standardized effect `value` whose t statistic is value / scale on `df`. */
function effectInterval(value: number, scale: number, df: number, se: number, level: number, method: EffectInterval): [number, number] {
  if (method === 'normal') return normalInterval(value, se, level);
  const [lo, hi] = nctNoncentralityInterval(value / scale, df, level);
  return [lo * scale, hi * scale];
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
export function cohensD(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95, interval: EffectInterval = 'noncentral-t'): EffectSize {
  checkTwo(x, y, level);
  const sp = pooledSd(x, y);
  if (!(sp > 0)) throw new StatsError('zero-variance', "Cohen's d: both groups are constant, the pooled SD is 0");
  const n1 = x.length;
  const n2 = y.length;
  const d = (mean(x) - mean(y)) / sp;
  const se = Math.sqrt((n1 + n2) / (n1 * n2) + (d * d) / (2 * (n1 + n2)));
  return { name: 'd', value: d, ci: effectInterval(d, Math.sqrt(1 / n1 + 1 / n2), n1 + n2 - 2, se, level, interval), interval, se };
}

/** Small-sample correction factor J of Hedges' g (the usual approximation to the gamma-ratio form). */
export function hedgesJ(n1: number, n2: number): number {
  return 1 - 3 / (4 * (n1 + n2) - 9);
}

/** Hedges' g = J·d, interval J·(CI of d). */
export function hedgesG(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95, interval: EffectInterval = 'noncentral-t'): EffectSize {
  const d = cohensD(x, y, level, interval);
  const j = hedgesJ(x.length, y.length);
  return { name: 'g', value: j * d.value, ci: [j * d.ci[0], j * d.ci[1]], interval, se: j * d.se };
}

/** d_z = mean(x − y) / SD(x − y) for pairs aligned by index. */
export function cohensDz(x: ArrayLike<number>, y: ArrayLike<number>, level = 0.95, interval: EffectInterval = 'noncentral-t'): EffectSize {
  requireLevel(level);
  if (x.length !== y.length) throw new StatsError('unpaired', `d_z: ${x.length} first values but ${y.length} second values`);
  const diff = differences(x, y);
  const sd = Math.sqrt(variance(diff));
  if (!(sd > 0)) throw new StatsError('zero-variance', 'd_z: every pair has the same difference, its SD is 0');
  const n = diff.length;
  const dz = mean(diff) / sd;
  const se = Math.sqrt(1 / n + (dz * dz) / (2 * n));
  return { name: 'd_z', value: dz, ci: effectInterval(dz, 1 / Math.sqrt(n), n - 1, se, level, interval), interval, se };
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

/**
 * Exact interval of η²p from an F test (Steiger 2004, as R's effectsize and MBESS): the
 * noncentralities λ_L, λ_U that put the observed F at its 1 − α/2 and α/2 quantiles, mapped by
 * η² = λ / (λ + df1 + df2 + 1). The lower end is 0 when F is too small for any λ > 0 to reach it.
 */
export function partialEta2Interval(F: number, df1: number, df2: number, level = 0.95): [number, number] {
  requireLevel(level);
  if (!Number.isFinite(F) || F < 0) throw new StatsError(Number.isFinite(F) ? 'invalid-argument' : 'non-finite', `η²p interval: F = ${F} is not a finite number ≥ 0`);
  for (const [k, v] of [['df1', df1], ['df2', df2]] as const) {
    if (!(v > 0) || !Number.isFinite(v)) throw new StatsError('invalid-argument', `η²p interval: ${k} = ${v} must be a positive number`);
  }
  const [lo, hi] = ncfNoncentralityInterval(F, df1, df2, level);
  const eta = (lambda: number) => lambda / (lambda + df1 + df2 + 1);
  return [eta(lo), eta(hi)];
}
