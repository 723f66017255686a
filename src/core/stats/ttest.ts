import type { TestResult } from '../../common/results.js';
import { StatsError, requireCount, requireFinite, requireLevel } from './errors.js';
import { mean, variance } from './descriptives.js';
import { tQuantile, tTwoSidedP } from './dist.js';
import { cohensD, cohensDz, differences } from './effect.js';
import { formatT } from './apa.js';

/** A t-test of mean(x) − mean(y), two-sided. */
export interface TTestResult extends TestResult {
  name: 'Welch t' | 'Student t' | 'paired t';
  df: number;
  /** mean(x) − mean(y) (for paired data, the mean difference). */
  estimate: number;
  se: number;
  /** t-based confidence interval of `estimate`, on the test's own df. */
  ci: [number, number];
  effect: { name: string; value: number; ci: [number, number] };
}

export interface TTestOptions {
  level?: number;
}

function finish(
  name: TTestResult['name'],
  estimate: number,
  se: number,
  df: number,
  level: number,
  effect: { name: string; value: number; ci: [number, number] },
): TTestResult {
  const t = estimate / se;
  const p = tTwoSidedP(t, df);
  const half = tQuantile(1 - (1 - level) / 2, df) * se;
  return {
    name,
    statistic: t,
    df,
    p,
    estimate,
    se,
    ci: [estimate - half, estimate + half],
    effect,
    apa: formatT(t, df, p, { name: effect.name, value: effect.value }),
  };
}

function constant(name: string): StatsError {
  return new StatsError('zero-variance', `${name}: the values do not vary (standard error 0), so t is undefined`);
}

function checkGroups(x: ArrayLike<number>, y: ArrayLike<number>, level: number): void {
  requireLevel(level);
  requireCount(x, 2, 'first group');
  requireCount(y, 2, 'second group');
  requireFinite(x, 'first group');
  requireFinite(y, 'second group');
}

/** Effect size for independent groups; a constant pair of groups has already failed the t-test. */
function dOf(x: ArrayLike<number>, y: ArrayLike<number>, level: number) {
  const d = cohensD(x, y, level);
  return { name: 'd', value: d.value, ci: d.ci };
}

/** Welch's unequal-variance t-test (Welch–Satterthwaite df). Effect: Cohen's d (pooled SD). */
export function welchT(x: ArrayLike<number>, y: ArrayLike<number>, opts: TTestOptions = {}): TTestResult {
  const level = opts.level ?? 0.95;
  checkGroups(x, y, level);
  const a = variance(x) / x.length;
  const b = variance(y) / y.length;
  const se = Math.sqrt(a + b);
  const df = (a + b) ** 2 / (a ** 2 / (x.length - 1) + b ** 2 / (y.length - 1));
  if (!(se > 0)) throw constant('Welch t');
  return finish('Welch t', mean(x) - mean(y), se, df, level, dOf(x, y, level));
}

/** Student's pooled-variance t-test. Effect: Cohen's d. */
export function studentT(x: ArrayLike<number>, y: ArrayLike<number>, opts: TTestOptions = {}): TTestResult {
  const level = opts.level ?? 0.95;
  checkGroups(x, y, level);
  const n1 = x.length;
  const n2 = y.length;
  const df = n1 + n2 - 2;
  const sp2 = ((n1 - 1) * variance(x) + (n2 - 1) * variance(y)) / df;
  const se = Math.sqrt(sp2 * (1 / n1 + 1 / n2));
  if (!(se > 0)) throw constant('Student t');
  return finish('Student t', mean(x) - mean(y), se, df, level, dOf(x, y, level));
}

/** Paired t-test on x[i] − y[i]. Effect: d_z. */
export function pairedT(x: ArrayLike<number>, y: ArrayLike<number>, opts: TTestOptions = {}): TTestResult {
  const level = opts.level ?? 0.95;
  requireLevel(level);
  if (x.length !== y.length) throw new StatsError('unpaired', `paired t: ${x.length} first values but ${y.length} second values`);
  const diff = differences(x, y);
  const n = diff.length;
  const se = Math.sqrt(variance(diff) / n);
  if (!(se > 0)) throw constant('paired t');
  const dz = cohensDz(x, y, level);
  return finish('paired t', mean(diff), se, n - 1, level, { name: 'd_z', value: dz.value, ci: dz.ci });
}

export interface ItemValue {
  item: string;
  value: number;
}

/**
 * Aligns two conditions of paired templates by item id, in the order of `negative`.
 * Throws `unpaired` naming the first item that lacks a partner or appears twice.
 */
export function pairByItem(negative: readonly ItemValue[], positive: readonly ItemValue[]): { items: string[]; negative: number[]; positive: number[] } {
  const pos = new Map<string, number>();
  for (const r of positive) {
    if (pos.has(r.item)) throw new StatsError('unpaired', `item "${r.item}" appears twice in the positive condition`);
    pos.set(r.item, r.value);
  }
  const seen = new Set<string>();
  const out = { items: [] as string[], negative: [] as number[], positive: [] as number[] };
  for (const r of negative) {
    if (seen.has(r.item)) throw new StatsError('unpaired', `item "${r.item}" appears twice in the negative condition`);
    seen.add(r.item);
    const p = pos.get(r.item);
    if (p === undefined) throw new StatsError('unpaired', `item "${r.item}" has a negative rating but no positive one`);
    out.items.push(r.item);
    out.negative.push(r.value);
    out.positive.push(p);
  }
  for (const item of pos.keys()) {
    if (!seen.has(item)) throw new StatsError('unpaired', `item "${item}" has a positive rating but no negative one`);
  }
  return out;
}
