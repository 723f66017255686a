// Noncentral t and F distributions, which @stdlib does not have, and the inversions that give
// exact confidence intervals for standardized effects (Steiger & Fouladi 1997; Cumming & Finch
// 2001): find the noncentrality parameters for which the observed statistic sits at the α/2 and
// 1 − α/2 quantiles.
//
// Noncentral t. T = (Z + δ)/S with S = √(V/ν), V ~ χ²_ν, so P(T ≤ t) = E[Φ(tS − δ)] and
// P(T > t) = E[Φ(δ − tS)]. Both tails are integrated directly over u = ln S, each integrand
// positive, so a tail of 1e-200 keeps its digits (1 − cdf would be 0). In u the density of S is
// log-concave for every ν, 2(ν/2)^(ν/2) exp(νu − (ν/2)e^{2u}) / Γ(ν/2), and the integrand has a
// single peak; it is located on a grid and refined, and the integral taken by adaptive
// Gauss–Kronrod around it in units of its own width, so ν = 10⁵ (a peak 0.002 wide) and ν = 1
// (a long left tail) are both resolved.
//
// Noncentral F. The Poisson mixture of central betas: with x = d1·f / (d1·f + d2),
//   P(F ≤ f) = Σ_j Pois(j; λ/2) I_x(d1/2 + j, d2/2),  P(F > f) = Σ_j Pois(j; λ/2) I_{1−x}(d2/2, d1/2 + j),
// each summed over the Poisson mode ±(12√(λ/2) + 30) terms (the Poisson mass beyond is below
// 1e-30), one series per tail, the betas by a recurrence that only adds (see ncfTail).
import betainc from '@stdlib/math-base-special-betainc';
import gammaln from '@stdlib/math-base-special-gammaln';
import normalLogCdf from '@stdlib/stats-base-dists-normal-logcdf';
import { StatsError } from './errors.js';
import { integrate, solveMonotone } from './numeric.js';

const LN2 = Math.LN2;

function logPhi(z: number): number {
  return normalLogCdf(z, 0, 1);
}

function checkParams(what: string, values: Record<string, number>, positive: string[]): void {
  for (const [k, v] of Object.entries(values)) {
    if (Number.isNaN(v)) throw new StatsError('non-finite', `${what}: ${k} is NaN`);
  }
  for (const k of positive) {
    const v = values[k];
    if (!(v > 0) || !Number.isFinite(v)) throw new StatsError('invalid-argument', `${what}: ${k} = ${v} must be a positive finite number`);
  }
}

/** Grid over u = ln S wide enough for any ν ≥ 1: the density is below e^{-49} of its peak outside it. */
const U_MIN = -50;
const U_MAX = 8;
const U_STEP = 0.2;

/** ∫ exp(h(u)) du for a smooth single-peaked log-integrand h, computed relative to its peak. */
function integrateLog(h: (u: number) => number): number {
  let best = 0;
  let hBest = -Infinity;
  const n = Math.round((U_MAX - U_MIN) / U_STEP);
  const grid = new Float64Array(n + 1);
  for (let i = 0; i <= n; i++) {
    grid[i] = h(U_MIN + i * U_STEP);
    if (grid[i] > hBest) {
      hBest = grid[i];
      best = i;
    }
  }
  if (hBest === -Infinity) return 0;
  // Golden-section search for the peak inside the grid cells around the best grid point.
  let a = U_MIN + Math.max(0, best - 1) * U_STEP;
  let b = U_MIN + Math.min(n, best + 1) * U_STEP;
  const g = (Math.sqrt(5) - 1) / 2;
  let c = b - g * (b - a);
  let d = a + g * (b - a);
  let hc = h(c);
  let hd = h(d);
  for (let i = 0; i < 80 && b - a > 1e-12; i++) {
    if (hc > hd) {
      b = d; d = c; hd = hc;
      c = b - g * (b - a); hc = h(c);
    } else {
      a = c; c = d; hc = hd;
      d = a + g * (b - a); hd = h(d);
    }
  }
  const mode = (a + b) / 2;
  const peak = Math.max(h(mode), hBest);
  // Width of the peak from the curvature: h ≈ peak − (u − mode)²/(2σ²).
  const e = 1e-4;
  const curv = (h(mode + e) - 2 * h(mode) + h(mode - e)) / (e * e);
  const sigma = curv < 0 ? Math.min(1, 1 / Math.sqrt(-curv)) : 1;
  // Extent: every grid point within 60 nats of the peak, and at least ±40σ around the mode.
  let lo = mode - 40 * sigma;
  let hi = mode + 40 * sigma;
  for (let i = 0; i <= n; i++) {
    if (grid[i] > peak - 60) {
      lo = Math.min(lo, U_MIN + (i - 1) * U_STEP);
      hi = Math.max(hi, U_MIN + (i + 1) * U_STEP);
    }
  }
  const breaks = [lo];
  for (const k of [-16, -8, -4, -2, -1, 0, 1, 2, 4, 8, 16]) {
    const x = mode + k * sigma;
    if (x > breaks[breaks.length - 1] && x < hi) breaks.push(x);
  }
  breaks.push(hi);
  const value = integrate((u) => Math.exp(h(u) - peak), breaks, { rel: 1e-13 });
  return Math.exp(peak) * value;
}

function nctTail(t: number, df: number, nc: number, upper: boolean): number {
  checkParams('noncentral t', { t, df, nc }, ['df']);
  if (!Number.isFinite(nc)) throw new StatsError('invalid-argument', `noncentral t: noncentrality ${nc} must be finite`);
  if (df < 1) throw new StatsError('invalid-argument', `noncentral t: df = ${df} is below 1, which no test here produces`);
  if (t === Infinity) return upper ? 0 : 1;
  if (t === -Infinity) return upper ? 1 : 0;
  if (t === 0) return Math.exp(logPhi(upper ? nc : -nc));
  const w = df / 2;
  const c = LN2 + w * Math.log(w) - gammaln(w);
  const h = (u: number) => {
    const s = Math.exp(u);
    return logPhi(upper ? nc - t * s : t * s - nc) + c + 2 * w * u - w * s * s;
  };
  return Math.min(1, integrateLog(h));
}

/** P(T ≤ t) for T noncentral t with `df` ≥ 1 degrees of freedom and noncentrality `nc`. */
export function nctCdf(t: number, df: number, nc: number): number {
  return nctTail(t, df, nc, false);
}

/** P(T > t), computed directly (not as 1 − cdf) so that small upper tails keep their digits. */
export function nctSf(t: number, df: number, nc: number): number {
  return nctTail(t, df, nc, true);
}

function ncfTail(f: number, d1: number, d2: number, lambda: number, upper: boolean): number {
  checkParams('noncentral F', { f, d1, d2, lambda }, ['d1', 'd2']);
  if (!(lambda >= 0) || !Number.isFinite(lambda)) throw new StatsError('invalid-argument', `noncentral F: noncentrality ${lambda} must be a finite number ≥ 0`);
  if (f <= 0) return upper ? 1 : 0;
  if (f === Infinity) return upper ? 0 : 1;
  const a = d1 / 2;
  const b = d2 / 2;
  const logX = Math.log((d1 * f) / (d1 * f + d2));
  const logY = Math.log(d2 / (d1 * f + d2));
  const h = lambda / 2;
  const mode = Math.floor(h);
  const reach = Math.ceil(12 * Math.sqrt(h) + 30);
  const lo = Math.max(0, mode - reach);
  const hi = mode + reach;
  const logPois = (j: number) => (h === 0 ? (j === 0 ? 0 : -Infinity) : -h + j * Math.log(h) - gammaln(j + 1));
  // The betas of neighbouring terms differ by D_j = x^(a+j) y^b Γ(a+b+j) / (Γ(b) Γ(a+j+1)):
  //   I_y(b, a+j+1) = I_y(b, a+j) + D_j,   I_x(a+j, b) = I_x(a+j+1, b) + D_j.
  // Each tail starts from one incomplete beta at the end where its betas are smallest and adds
  // the positive D_j towards the other end, so no difference of nearly equal numbers is formed.
  const logD = (j: number) => (a + j) * logX + b * logY + gammaln(a + b + j) - gammaln(b) - gammaln(a + j + 1);
  let sum = 0;
  if (upper) {
    let beta = betainc(Math.exp(logY), b, a + lo);
    for (let j = lo; j <= hi; j++) {
      sum += Math.exp(logPois(j)) * beta;
      beta += Math.exp(logD(j));
    }
  } else {
    let beta = betainc(Math.exp(logX), a + hi, b);
    for (let j = hi; j >= lo; j--) {
      sum += Math.exp(logPois(j)) * beta;
      if (j > lo) beta += Math.exp(logD(j - 1));
    }
  }
  return Math.min(1, sum);
}

/** P(F ≤ f) for F noncentral F(d1, d2) with noncentrality λ ≥ 0 (λ = 0: the central F). */
export function ncfCdf(f: number, d1: number, d2: number, lambda: number): number {
  return ncfTail(f, d1, d2, lambda, false);
}

/** P(F > f), computed directly. */
export function ncfSf(f: number, d1: number, d2: number, lambda: number): number {
  return ncfTail(f, d1, d2, lambda, true);
}

/**
 * The noncentralities δ_L ≤ δ_U of a noncentral t for which an observed t is the 1 − α/2 and
 * α/2 quantile: P(T ≤ t | δ_L) = 1 − α/2 and P(T ≤ t | δ_U) = α/2, α = 1 − level. The
 * distribution moves right as δ grows, so these bound δ at the given level.
 */
export function nctNoncentralityInterval(t: number, df: number, level: number): [number, number] {
  if (!Number.isFinite(t)) throw new StatsError('non-finite', `noncentral t interval: the observed t is ${t}`);
  const alpha = 1 - level;
  // The lower bound solves an upper-tail equation, so it is solved on the survival function,
  // where tiny tails keep their digits; the upper bound on the cdf.
  const spread = Math.sqrt(1 + (t * t) / (2 * df));
  const lower = solveMonotone((d) => Math.log(nctSf(t, df, d)) - Math.log(alpha / 2), t, spread, [t - 1e4 * spread, t + 1e4 * spread], 1e-12);
  const upper = solveMonotone((d) => Math.log(nctCdf(t, df, d)) - Math.log(alpha / 2), t, spread, [t - 1e4 * spread, t + 1e4 * spread], 1e-12);
  if (lower === undefined || upper === undefined) throw new StatsError('non-finite', `noncentral t interval: no noncentrality bounds t = ${t} with df = ${df}`);
  return [lower, upper];
}

/**
 * The noncentralities λ_L ≤ λ_U of a noncentral F for which an observed F is the 1 − α/2 and
 * α/2 quantile. λ is at least 0: when even λ = 0 puts F below that quantile, the bound is 0.
 */
export function ncfNoncentralityInterval(f: number, d1: number, d2: number, level: number): [number, number] {
  if (!(f >= 0) || !Number.isFinite(f)) throw new StatsError('non-finite', `noncentral F interval: the observed F is ${f}`);
  const alpha = 1 - level;
  const bound = (target: number): number => {
    // P(F > f | λ) grows with λ: find where it reaches target.
    const g = (lambda: number) => Math.log(ncfSf(f, d1, d2, lambda)) - Math.log(target);
    if (g(0) >= 0) return 0;
    const start = Math.max(1, f * d1);
    const root = solveMonotone(g, start, start, [0, 1e7 + 100 * start], 1e-10);
    if (root === undefined) throw new StatsError('non-finite', `noncentral F interval: no noncentrality reaches P(F > ${f}) = ${target}`);
    return root;
  };
  return [bound(alpha / 2), bound(1 - alpha / 2)];
}
