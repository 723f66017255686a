import type { Descriptives } from '../../common/results.js';
import { requireCount, requireFinite, requireLevel } from './errors.js';
import { tQuantile } from './dist.js';

/** Arithmetic mean; the caller has checked the values. */
export function mean(values: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < values.length; i++) s += values[i];
  return s / values.length;
}

/** Sample variance (n − 1 denominator), two-pass so that a large common offset loses no digits. */
export function variance(values: ArrayLike<number>): number {
  const m = mean(values);
  let ss = 0;
  for (let i = 0; i < values.length; i++) ss += (values[i] - m) ** 2;
  return ss / (values.length - 1);
}

/**
 * n, mean, SD (n − 1), SE and the t-based confidence interval of the mean.
 * Throws StatsError `empty` / `too-few` (n < 2) / `non-finite`. Zero spread is valid: SD = SE = 0
 * and the interval collapses to the mean.
 */
export function describe(values: ArrayLike<number>, opts: { level?: number; label?: string } = {}): Descriptives {
  const level = opts.level ?? 0.95;
  const what = opts.label ?? 'sample';
  requireLevel(level);
  requireCount(values, 2, what);
  requireFinite(values, what);
  const n = values.length;
  const m = mean(values);
  const sd = Math.sqrt(variance(values));
  const se = sd / Math.sqrt(n);
  const half = tQuantile(1 - (1 - level) / 2, n - 1) * se;
  return { n, mean: m, sd, se, ci: [m - half, m + half] };
}
