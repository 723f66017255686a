// Seeded nonparametric bootstrap with percentile and BCa intervals (Efron & Tibshirani 1993,
// ch. 13–14). The interval arithmetic follows scipy.stats.bootstrap (1.10): percentiles by linear
// interpolation between order statistics (numpy's default), the bias correction z0 from the share
// of replicates below the estimate counting ties as half, and the acceleration from a
// leave-one-out jackknife.
import { StatsError, requireLevel } from './errors.js';
import { normalCdf, normalQuantile } from './dist.js';
import { createRng } from './rng.js';

export interface BootstrapOptions<T> {
  /** Seed of the resampling generator; the same seed gives the same interval. */
  seed: number;
  /** Number of resamples; default 2000. */
  replicates?: number;
  level?: number;
  /** Resample within strata (e.g. condition) so each resample keeps the group sizes. */
  strata?: (x: T) => string;
}

export interface BootstrapResult {
  estimate: number;
  level: number;
  replicates: number;
  seed: number;
  percentile: [number, number];
  /** Absent when BCa is undefined for these data; `bcaReason` then says why. */
  bca?: [number, number];
  bcaReason?: string;
}

/** Percentile of sorted values by linear interpolation between order statistics (numpy "linear"). */
export function quantileSorted(sorted: ArrayLike<number>, q: number): number {
  const h = (sorted.length - 1) * q;
  const lo = Math.floor(h);
  const hi = Math.min(lo + 1, sorted.length - 1);
  return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
}

/**
 * BCa interval from bootstrap replicates and the jackknife values of the statistic, one array per
 * stratum (leave-one-out within that stratum). With several strata the acceleration pools them as
 * scipy does for multi-sample statistics: U_ji = (n_j − 1)(mean_j − θ_ji),
 * a = Σ_j ΣU³/n_j³ / (6 (Σ_j ΣU²/n_j²)^1.5). Returns a reason instead of an interval when the
 * estimate lies outside every replicate (z0 infinite) or the jackknife values are all equal.
 */
export function bcaInterval(
  estimate: number,
  replicates: ArrayLike<number>,
  jackknife: readonly ArrayLike<number>[],
  level: number,
): { ci?: [number, number]; reason?: string } {
  const sorted = Float64Array.from(replicates).sort();
  const B = sorted.length;
  let below = 0;
  let atOrBelow = 0;
  for (let i = 0; i < B; i++) {
    if (sorted[i] < estimate) below++;
    if (sorted[i] <= estimate) atOrBelow++;
  }
  const z0 = normalQuantile((below + atOrBelow) / (2 * B));
  if (!Number.isFinite(z0)) return { reason: 'every bootstrap replicate lies on one side of the estimate' };
  let num = 0;
  let den = 0;
  for (const jack of jackknife) {
    const n = jack.length;
    let jm = 0;
    for (let i = 0; i < n; i++) jm += jack[i];
    jm /= n;
    for (let i = 0; i < n; i++) {
      const u = (n - 1) * (jm - jack[i]);
      num += u ** 3 / n ** 3;
      den += u ** 2 / n ** 2;
    }
  }
  if (!(den > 0)) return { reason: 'every jackknife value is the same, so the acceleration is undefined' };
  const a = num / (6 * den ** 1.5);
  const alpha = (1 - level) / 2;
  const adjust = (z: number) => normalCdf(z0 + (z0 + z) / (1 - a * (z0 + z)));
  const zl = normalQuantile(alpha);
  return { ci: [quantileSorted(sorted, adjust(zl)), quantileSorted(sorted, adjust(-zl))] };
}

/** Leave-one-out values of the statistic, one array per stratum (observations in input order). */
export function jackknife<T>(sample: readonly T[], statistic: (s: readonly T[]) => number, strata?: (x: T) => string): Float64Array[] {
  return groupIndices(sample, strata).map((g) => Float64Array.from(g, (i) => statistic(sample.filter((_, j) => j !== i))));
}

function groupIndices<T>(sample: readonly T[], strata?: (x: T) => string): number[][] {
  if (!strata) return [sample.map((_, i) => i)];
  const groups = new Map<string, number[]>();
  sample.forEach((x, i) => {
    const k = strata(x);
    const g = groups.get(k);
    if (g) g.push(i);
    else groups.set(k, [i]);
  });
  return [...groups.values()];
}

/**
 * Bootstrap of any statistic of a sample. Throws `empty` for no data, `too-few` for a single
 * observation (or a stratum of one), `invalid-argument` for a bad seed, `non-finite` when the
 * statistic is not finite on the data or on some resample (e.g. a ratio whose denominator
 * vanished), naming how many resamples failed.
 */
export function bootstrap<T>(sample: readonly T[], statistic: (s: readonly T[]) => number, opts: BootstrapOptions<T>): BootstrapResult {
  const level = opts.level ?? 0.95;
  const B = opts.replicates ?? 2000;
  requireLevel(level);
  if (!Number.isInteger(B) || B < 2) throw new StatsError('invalid-argument', `replicates ${B} must be an integer ≥ 2`);
  if (sample.length === 0) throw new StatsError('empty', 'bootstrap: no observations');
  // One value resamples only to itself: its interval would have zero width whatever the data.
  if (sample.length < 2) throw new StatsError('too-few', 'bootstrap: 1 observation, at least 2 needed');
  const estimate = statistic(sample);
  if (!Number.isFinite(estimate)) throw new StatsError('non-finite', `bootstrap: the statistic is ${estimate} on the data`);

  const rng = createRng(opts.seed);
  const groups = groupIndices(sample, opts.strata);
  if (opts.strata) {
    const lone = groups.find((g) => g.length < 2);
    if (lone) throw new StatsError('too-few', `bootstrap: stratum "${opts.strata(sample[lone[0]])}" has 1 observation, at least 2 needed`);
  }
  const reps = new Float64Array(B);
  const resample = new Array<T>(sample.length);
  let failed = 0;
  for (let b = 0; b < B; b++) {
    let k = 0;
    for (const g of groups) for (let j = 0; j < g.length; j++) resample[k++] = sample[g[rng.int(g.length)]];
    reps[b] = statistic(resample);
    if (!Number.isFinite(reps[b])) failed++;
  }
  if (failed > 0) throw new StatsError('non-finite', `bootstrap: the statistic was not finite on ${failed} of ${B} resamples`);

  const jack = jackknife(sample, statistic, opts.strata);

  const sorted = Float64Array.from(reps).sort();
  const alpha = (1 - level) / 2;
  const result: BootstrapResult = {
    estimate,
    level,
    replicates: B,
    seed: opts.seed,
    percentile: [quantileSorted(sorted, alpha), quantileSorted(sorted, 1 - alpha)],
  };
  if (jack.some((g) => g.some((v) => !Number.isFinite(v)))) {
    result.bcaReason = 'the statistic is not finite with some observation left out';
    return result;
  }
  const bca = bcaInterval(estimate, reps, jack, level);
  if (bca.ci) result.bca = bca.ci;
  else result.bcaReason = bca.reason;
  return result;
}
