// Equivalence by two one-sided tests (Schuirmann 1987; Lakens 2017): is the difference inside
// (low, high)? H0⁻: Δ ≤ low is tested with t = (Δ̂ − low)/SE against the upper tail, H0⁺: Δ ≥ high
// with t = (Δ̂ − high)/SE against the lower tail; equivalence is claimed when both are rejected,
// so the TOST p-value is the larger of the two. The matching interval is the 1 − 2α t interval:
// it lies inside the bounds exactly when the TOST p is below α. The t statistics, df and SE are
// those of the paired, Welch or Student t-test (statsmodels ttost_paired / ttost_ind).
//
// Bounds in units of d are turned into rating points with the standardizer of the matching
// effect size: the SD of the differences (d_z) for paired data, the pooled SD (Cohen's d) for two
// groups, whichever of Welch or Student tests them.
import betainc from '@stdlib/math-base-special-betainc';
import type { TestResult } from '../../common/results.js';
import { StatsError, requireCount, requireFinite } from './errors.js';
import { mean, variance } from './descriptives.js';
import { tQuantile } from './dist.js';
import { differences, pooledSd } from './effect.js';
import { formatDf, formatP } from './apa.js';

/** Equivalence bounds as written: in rating points, or in standardized units (d). */
export interface EquivalenceBounds {
  low: number;
  high: number;
  unit: 'raw' | 'd';
}

export interface OneSided {
  t: number;
  p: number;
}

export interface TostResult extends TestResult {
  name: 'TOST paired' | 'TOST Welch' | 'TOST Student';
  df: number;
  estimate: number;
  se: number;
  /** Bounds in rating points (after converting d bounds). */
  bounds: [number, number];
  given: EquivalenceBounds;
  /** H0: Δ ≤ low, and H0: Δ ≥ high. */
  lower: OneSided;
  upper: OneSided;
  /** The 1 − 2α confidence interval of the difference. */
  ci: [number, number];
  alpha: number;
  equivalent: boolean;
}

/** P(T_df ≥ t). */
function tUpper(t: number, df: number): number {
  const tail = betainc(df / (df + t * t), df / 2, 0.5) / 2;
  return t >= 0 ? tail : 1 - tail;
}

function checkBounds(b: EquivalenceBounds, what: string): void {
  if (!Number.isFinite(b.low) || !Number.isFinite(b.high)) throw new StatsError('non-finite', `${what}: equivalence bounds ${b.low}, ${b.high} must be finite`);
  if (!(b.low < b.high)) throw new StatsError('invalid-argument', `${what}: the lower equivalence bound ${b.low} is not below the upper bound ${b.high}`);
}

function finish(name: TostResult['name'], estimate: number, se: number, df: number, bounds: [number, number], given: EquivalenceBounds, alpha: number): TostResult {
  if (!(alpha > 0 && alpha < 0.5)) throw new StatsError('invalid-argument', `TOST: α = ${alpha} must be between 0 and 0.5`);
  const tLow = (estimate - bounds[0]) / se;
  const tHigh = (estimate - bounds[1]) / se;
  const lower = { t: tLow, p: tUpper(tLow, df) };
  // P(T ≤ t) as the upper tail of −t: 1 − P(T ≥ t) would lose the digits of a small p.
  const upper = { t: tHigh, p: tUpper(-tHigh, df) };
  const worst = lower.p >= upper.p ? lower : upper;
  const half = tQuantile(1 - alpha, df) * se;
  const equivalent = worst.p < alpha;
  const range = `[${bounds[0].toFixed(2)}, ${bounds[1].toFixed(2)}]`;
  const apa = `equivalence within ${range}${given.unit === 'd' ? ` (d ${given.low}, ${given.high})` : ''}: t(${formatDf(df)}) = ${worst.t.toFixed(2)}, ${formatP(worst.p)}; ${(1 - 2 * alpha) * 100}% CI [${(estimate - half).toFixed(2)}, ${(estimate + half).toFixed(2)}] ${equivalent ? 'inside' : 'not inside'} the bounds`;
  return { name, statistic: worst.t, df, p: worst.p, estimate, se, bounds, given, lower, upper, ci: [estimate - half, estimate + half], alpha, equivalent, apa };
}

/** TOST on paired values (x[i] − y[i]); d bounds are in units of the SD of the differences (d_z). */
export function tostPaired(x: ArrayLike<number>, y: ArrayLike<number>, given: EquivalenceBounds, opts: { alpha?: number } = {}): TostResult {
  checkBounds(given, 'paired TOST');
  if (x.length !== y.length) throw new StatsError('unpaired', `paired TOST: ${x.length} first values but ${y.length} second values`);
  const diff = differences(x, y);
  const n = diff.length;
  const sd = Math.sqrt(variance(diff));
  if (!(sd > 0)) throw new StatsError('zero-variance', 'paired TOST: every pair has the same difference, so its standard error is 0');
  const scale = given.unit === 'd' ? sd : 1;
  return finish('TOST paired', mean(diff), sd / Math.sqrt(n), n - 1, [given.low * scale, given.high * scale], given, opts.alpha ?? 0.05);
}

/** TOST on two independent groups, Welch (default) or Student; d bounds in pooled-SD units. */
export function tostTwoSample(x: ArrayLike<number>, y: ArrayLike<number>, given: EquivalenceBounds, opts: { alpha?: number; test?: 'welch' | 'student' } = {}): TostResult {
  checkBounds(given, 'two-sample TOST');
  requireCount(x, 2, 'first group');
  requireCount(y, 2, 'second group');
  requireFinite(x, 'first group');
  requireFinite(y, 'second group');
  const n1 = x.length;
  const n2 = y.length;
  const v1 = variance(x);
  const v2 = variance(y);
  let se: number;
  let df: number;
  if (opts.test === 'student') {
    df = n1 + n2 - 2;
    se = Math.sqrt((((n1 - 1) * v1 + (n2 - 1) * v2) / df) * (1 / n1 + 1 / n2));
  } else {
    const a = v1 / n1;
    const b = v2 / n2;
    se = Math.sqrt(a + b);
    df = (a + b) ** 2 / (a ** 2 / (n1 - 1) + b ** 2 / (n2 - 1));
  }
  if (!(se > 0)) throw new StatsError('zero-variance', 'two-sample TOST: both groups are constant, so the standard error is 0');
  const scale = given.unit === 'd' ? pooledSd(x, y) : 1;
  return finish(opts.test === 'student' ? 'TOST Student' : 'TOST Welch', mean(x) - mean(y), se, df, [given.low * scale, given.high * scale], given, opts.alpha ?? 0.05);
}
