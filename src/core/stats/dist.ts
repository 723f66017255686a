// Tail probabilities and quantiles, all from @stdlib. Upper tails go through the regularized
// incomplete beta / gamma functions directly instead of `1 - cdf`, because the effects studied here
// are large (the paper's F(2, 564) = 283.6 has p near 1e-86) and `1 - cdf` would round them to 0.
// Single-function packages rather than the distribution namespaces keep the bundles a third smaller.
import betainc from '@stdlib/math-base-special-betainc';
import gammainc from '@stdlib/math-base-special-gammainc';
import tQuantileStd from '@stdlib/stats-base-dists-t-quantile';
import normalQuantileStd from '@stdlib/stats-base-dists-normal-quantile';
import normalCdfStd from '@stdlib/stats-base-dists-normal-cdf';

/** Two-sided p-value of a t statistic: P(|T_df| ≥ |t|) = I_{df/(df+t²)}(df/2, 1/2). */
export function tTwoSidedP(t: number, df: number): number {
  return betainc(df / (df + t * t), df / 2, 0.5);
}

/** Quantile of Student's t. */
export function tQuantile(p: number, df: number): number {
  return tQuantileStd(p, df);
}

/** Upper tail of F(d1, d2): P(F ≥ x) = I_{d2/(d2+d1·x)}(d2/2, d1/2). */
export function fUpper(x: number, d1: number, d2: number): number {
  if (x <= 0) return 1;
  return betainc(d2 / (d2 + d1 * x), d2 / 2, d1 / 2);
}

/** Upper tail of χ²(k): the regularized upper incomplete gamma Q(k/2, x/2). */
export function chiSquareUpper(x: number, k: number): number {
  if (x <= 0) return 1;
  return gammainc(x / 2, k / 2, true, true);
}

export function normalQuantile(p: number): number {
  return normalQuantileStd(p, 0, 1);
}

export function normalCdf(x: number): number {
  return normalCdfStd(x, 0, 1);
}
