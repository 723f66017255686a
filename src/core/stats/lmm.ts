// Linear mixed models: rating ~ fixed factors (every interaction, sum-to-zero coding) with random
// intercepts — and optionally random slopes — for items, fitted by REML.
//
// Written here because no JavaScript library fits REML mixed models with the inference reviewers
// expect (Satterthwaite df, likelihood-ratio tests); the numbers follow lme4/lmerTest and are
// tested against statsmodels MixedLM (scripts/golden/mixed.py).
//
// The model: y = Xβ + Zb + ε, b_g ~ N(0, Ψ) independently per item g, ε ~ N(0, σ²I). With the
// relative covariance Ψ/σ² = ΛΛ' (Λ lower triangular, its entries θ, as lme4), each item's
// marginal covariance is σ²V_g, V_g = I + Z_gΛΛ'Z_g'. By Woodbury, with M_g = I + Λ'Z_g'Z_gΛ,
//   V_g⁻¹ = I − Z_gΛM_g⁻¹Λ'Z_g',   log det V_g = log det M_g,
// so every quantity below is a sum over items of q × q work on cross-products computed once.
// β and σ² are profiled out (Bates et al. 2015, §3):
//   A = X'V⁻¹X,  β̂ = A⁻¹X'V⁻¹y,  r² = y'V⁻¹y − β̂'X'V⁻¹y,
//   REML deviance  −2ℓ_R(θ) = log det V + log det A + (N − p)(1 + log(2πr²/(N − p))),  σ̂² = r²/(N − p)
//   ML deviance    −2ℓ(θ)   = log det V + N(1 + log(2πr²/N)),                         σ̂² = r²/N
// and the deviance is minimized over θ (Nelder–Mead with restarts, then Newton steps).
//
// Inference:
// - Standard errors of β̂: √diag(σ̂²A⁻¹), lme4's vcov. statsmodels reports instead the inverse of
//   the observed information of its profiled likelihood in (β, Ψ/σ²) jointly, which on unbalanced
//   data adds the cross-information between β and the variance parameters (up to ~0.5% larger
//   SEs); that one is given too, as `seObserved`.
// - t and F tests of fixed effects with Satterthwaite degrees of freedom, as lmerTest
//   (Kuznetsova, Brockhoff & Christensen 2017): for a contrast ℓ, df = 2(ℓ'Cℓ)² / (g'Wg) with
//   C = σ²A⁻¹ as a function of the variance parameters φ = (θ, σ), g_k = ℓ'(∂C/∂φ_k)ℓ, and W = 2H⁻¹
//   the asymptotic covariance of φ̂ from the Hessian H of the REML deviance in φ. A term with q
//   columns is tested by the Wald F = β̂_T'(L C L')⁻¹β̂_T / q, with df from the eigen-decomposition
//   of L C L' (Fai & Cornelius 1996): ν_m per eigen-contrast, E = Σ ν_m/(ν_m − 2), df = 2E/(E − q)
//   (2 when some ν_m ≤ 2). Derivatives are central differences of closed-form functions.
// - Likelihood-ratio tests of each term: ML fits with and without the term's columns (sum coding
//   makes dropping a main effect below its interactions meaningful, as type III tests), χ² on the
//   number of columns. Random slopes are tested by REML fits with and without them; that χ² is
//   conservative, the variance being on the boundary under the null.
import { StatsError, requireFinite } from './errors.js';
import { checkCells } from './anova.js';
import { makeFactor, sumColumns, terms, type Factor } from './design.js';
import { chiSquareUpper, fUpper, tTwoSidedP } from './dist.js';
import { formatF, formatP } from './apa.js';
import { cholesky, cholInverse, cholLogDet, cholSolve, cholSolveMatrix, inverseSpd, multiply, symmetricEigen, transpose, zeros, type Matrix } from './matrix.js';
import { gradient, hessian, minimize } from './numeric.js';

export interface MixedData {
  y: readonly number[];
  /** Fixed factors: name → level of each observation. Every interaction is in the model. */
  factors: Record<string, readonly string[]>;
  /** The grouping of the random effects (the item of each observation). */
  group: readonly string[];
  /** Name of the grouping in formulas and messages; default `item`. */
  groupName?: string;
  /** Name of the response in the formula; default `rating`. */
  response?: string;
}

export interface MixedOptions {
  /** Factors whose effects vary by group (random slopes, with their covariances). */
  slopes?: string[];
  /** Likelihood-ratio tests by ML refits (default true). */
  lrt?: boolean;
}

export interface FixedEffect {
  /** `(Intercept)`, `version[pretrained]`, `version[pretrained]:condition[negative]`. */
  name: string;
  estimate: number;
  se: number;
  /** statsmodels' standard error (observed information in β and Ψ/σ² jointly); absent for singular fits. */
  seObserved?: number;
  df: number;
  t: number;
  p: number;
}

export interface LikelihoodRatio {
  chiSquare: number;
  df: number;
  p: number;
}

export interface MixedTermTest {
  term: string;
  F: number;
  numDf: number;
  denDf: number;
  p: number;
  lrt?: LikelihoodRatio;
  apa: string;
}

export interface MixedModel {
  formula: string;
  method: 'REML';
  dfMethod: 'Satterthwaite';
  n: number;
  groups: number;
  groupName: string;
  fixed: FixedEffect[];
  terms: MixedTermTest[];
  random: {
    /** `(Intercept)` and the slope columns, in Ψ's order. */
    names: string[];
    /** Ψ: covariance of the random effects. */
    covariance: number[][];
    residual: number;
  };
  /** REML log-likelihood at the estimates, and the ML one of the same model. */
  logLik: number;
  logLikML: number;
  /** A variance parameter at its boundary (lme4's isSingular): the random part is overfitted. */
  singular: boolean;
  slopeTest?: LikelihoodRatio;
  /** Why something could not be computed (e.g. Satterthwaite df on a singular fit). */
  notes: string[];
}

interface GroupProducts {
  XtX: Matrix;
  XtZ: Matrix;
  ZtZ: Matrix;
  Xty: number[];
  Zty: number[];
  yty: number;
}

interface Accumulated {
  A: Matrix;
  b: number[];
  s: number;
  logDetV: number;
}

interface Fit {
  theta: number[];
  deviance: number;
  beta: number[];
  sigma2: number;
  /** X'V⁻¹X with V relative to σ² (unscaled). */
  A: Matrix;
}

/** The computations of one model: fixed columns, random columns, grouping. */
class MixedFitter {
  readonly p: number;
  readonly q: number;
  readonly k: number;
  private readonly products: GroupProducts[];

  constructor(readonly n: number, y: Float64Array, x: readonly Float64Array[], z: readonly Float64Array[], groups: Int32Array, groupCount: number) {
    this.p = x.length;
    this.q = z.length;
    this.k = (this.q * (this.q + 1)) / 2;
    const rows: number[][] = Array.from({ length: groupCount }, () => []);
    groups.forEach((g, i) => rows[g].push(i));
    this.products = rows.map((idx) => {
      const dot = (a: Float64Array, b: Float64Array) => idx.reduce((s, i) => s + a[i] * b[i], 0);
      return {
        XtX: x.map((a) => x.map((b) => dot(a, b))),
        XtZ: x.map((a) => z.map((b) => dot(a, b))),
        ZtZ: z.map((a) => z.map((b) => dot(a, b))),
        Xty: x.map((a) => dot(a, y)),
        Zty: z.map((a) => dot(a, y)),
        yty: dot(y, y),
      };
    });
  }

  /** Λ from θ: the lower triangle filled column by column. */
  lambda(theta: readonly number[]): Matrix {
    const L = zeros(this.q);
    let t = 0;
    for (let j = 0; j < this.q; j++) for (let i = j; i < this.q; i++) L[i][j] = theta[t++];
    return L;
  }

  accumulate(theta: readonly number[]): Accumulated {
    const { p, q } = this;
    const L = this.lambda(theta);
    const Lt = transpose(L);
    const A = zeros(p);
    const b = new Array<number>(p).fill(0);
    let s = 0;
    let logDetV = 0;
    for (const g of this.products) {
      const M = multiply(Lt, multiply(g.ZtZ, L));
      for (let i = 0; i < q; i++) M[i][i] += 1;
      const chol = cholesky(M)!;
      logDetV += cholLogDet(chol);
      const B = transpose(multiply(g.XtZ, L)); // Λ'Z'X, q × p
      const c = Lt.map((row) => row.reduce((acc, v, j) => acc + v * g.Zty[j], 0));
      const MiB = cholSolveMatrix(chol, B);
      const Mic = cholSolve(chol, c);
      for (let i = 0; i < p; i++) {
        for (let j = 0; j < p; j++) {
          let v = 0;
          for (let r = 0; r < q; r++) v += B[r][i] * MiB[r][j];
          A[i][j] += g.XtX[i][j] - v;
        }
        let w = 0;
        for (let r = 0; r < q; r++) w += B[r][i] * Mic[r];
        b[i] += g.Xty[i] - w;
      }
      s += g.yty - c.reduce((acc, v, r) => acc + v * Mic[r], 0);
    }
    return { A, b, s, logDetV };
  }

  deviance(theta: readonly number[], reml: boolean): number {
    const { A, b, s, logDetV } = this.accumulate(theta);
    const chol = cholesky(A);
    if (!chol) return Infinity;
    const beta = cholSolve(chol, b);
    const r2 = s - b.reduce((acc, v, i) => acc + v * beta[i], 0);
    if (!(r2 > 0)) return Infinity;
    const N = this.n;
    const p = this.p;
    return reml ? logDetV + cholLogDet(chol) + (N - p) * (1 + Math.log((2 * Math.PI * r2) / (N - p))) : logDetV + N * (1 + Math.log((2 * Math.PI * r2) / N));
  }

  fit(reml: boolean, start?: readonly number[]): Fit {
    const f = (t: number[]) => this.deviance(t, reml);
    const init = start?.slice() ?? this.identityTheta();
    let { x, value } = minimize(f, init, { step: 0.5 });
    // Newton steps on the numerical gradient and Hessian sharpen the last digits.
    for (let it = 0; it < 6; it++) {
      const h = x.map((v) => 1e-5 * Math.max(0.1, Math.abs(v)));
      const H = hessian(f, x, h);
      const g = gradient(f, x, h);
      const Hi = inverseSpd(H);
      if (!Hi) break;
      const step = Hi.map((row) => row.reduce((acc, v, j) => acc + v * g[j], 0));
      let t = 1;
      let moved = false;
      for (let half = 0; half < 20; half++, t /= 2) {
        const y = x.map((v, i) => v - t * step[i]);
        const fy = f(y);
        if (fy <= value) {
          moved = fy < value;
          x = y;
          value = fy;
          break;
        }
      }
      if (!moved) break;
    }
    x = this.canonical(x);
    const { A, b, s } = this.accumulate(x);
    const chol = cholesky(A)!;
    const beta = cholSolve(chol, b);
    const r2 = s - b.reduce((acc, v, i) => acc + v * beta[i], 0);
    return { theta: x, deviance: value, beta, sigma2: r2 / (reml ? this.n - this.p : this.n), A };
  }

  identityTheta(): number[] {
    const t: number[] = [];
    for (let j = 0; j < this.q; j++) for (let i = j; i < this.q; i++) t.push(i === j ? 1 : 0);
    return t;
  }

  /** Λ with non-negative diagonal (flipping a column's sign leaves ΛΛ' unchanged). */
  canonical(theta: readonly number[]): number[] {
    const L = this.lambda(theta);
    for (let j = 0; j < this.q; j++) if (L[j][j] < 0) for (let i = j; i < this.q; i++) L[i][j] = -L[i][j];
    const t: number[] = [];
    for (let j = 0; j < this.q; j++) for (let i = j; i < this.q; i++) t.push(L[i][j]);
    return t;
  }

  /** REML deviance as a function of φ = (θ, σ), β profiled but σ not (lmerTest's devfun_vp). */
  devianceVp(phi: readonly number[]): number {
    const theta = phi.slice(0, this.k);
    const sigma = phi[this.k];
    const { A, b, s, logDetV } = this.accumulate(theta);
    const chol = cholesky(A);
    if (!chol) return Infinity;
    const beta = cholSolve(chol, b);
    const r2 = s - b.reduce((acc, v, i) => acc + v * beta[i], 0);
    const N = this.n;
    return logDetV + cholLogDet(chol) + (N - this.p) * Math.log(2 * Math.PI * sigma * sigma) + r2 / (sigma * sigma);
  }

  /** σ²(X'V⁻¹X)⁻¹ at φ = (θ, σ). */
  covariance(phi: readonly number[]): Matrix {
    const chol = cholesky(this.accumulate(phi.slice(0, this.k)).A);
    if (!chol) return zeros(this.p).map((r) => r.map(() => Number.NaN));
    const s2 = phi[this.k] ** 2;
    return cholInverse(chol).map((r) => r.map((v) => v * s2));
  }

  /** statsmodels' −2ℓ (REML, σ² profiled) as a function of β and θ jointly. */
  profiledInBeta(z: readonly number[]): number {
    const beta = z.slice(0, this.p);
    const { A, b, s, logDetV } = this.accumulate(z.slice(this.p));
    const chol = cholesky(A);
    if (!chol) return Infinity;
    let quad = s;
    for (let i = 0; i < this.p; i++) {
      quad -= 2 * b[i] * beta[i];
      for (let j = 0; j < this.p; j++) quad += beta[i] * A[i][j] * beta[j];
    }
    return logDetV + cholLogDet(chol) + (this.n - this.p) * Math.log(quad);
  }
}

/** Satterthwaite df of the contrasts ℓ'β for each row ℓ, given C(φ), its Jacobian and W. */
function satterthwaite(rows: readonly number[][], C: Matrix, dC: Matrix[], W: Matrix): number[] {
  return rows.map((l) => {
    const quad = (M: Matrix) => l.reduce((s, a, i) => s + a * M[i].reduce((t, v, j) => t + v * l[j], 0), 0);
    const v = quad(C);
    const g = dC.map(quad);
    const gWg = g.reduce((s, gi, i) => s + gi * W[i].reduce((t, w, j) => t + w * g[j], 0), 0);
    return (2 * v * v) / gWg;
  });
}

/** Fai–Cornelius df of an F test from the per-eigen-contrast Satterthwaite df (as lmerTest). */
function fTestDf(nu: number[]): number {
  if (nu.length === 1) return nu[0];
  if (nu.every((v) => Math.abs(v - nu[0]) < 1e-8)) return nu[0];
  if (nu.some((v) => !(v > 2))) return 2;
  const E = nu.reduce((s, v) => s + v / (v - 2), 0);
  return (2 * E) / (E - nu.length);
}

interface Coding {
  factors: Factor[];
  columns: Float64Array[];
  names: string[];
  /** Term name → indexes of its columns. */
  termColumns: Map<string, number[]>;
}

function fixedCoding(factors: Factor[], n: number): Coding {
  const columns: Float64Array[] = [new Float64Array(n).fill(1)];
  const names = ['(Intercept)'];
  const termColumns = new Map<string, number[]>();
  const coded = factors.map((f) => ({ cols: sumColumns(f), labels: f.levels.slice(0, -1).map((l) => `${f.name}[${l}]`) }));
  for (const t of terms(factors.length)) {
    let parts: { col: Float64Array; name: string }[] = [{ col: new Float64Array(n).fill(1), name: '' }];
    for (const i of t) {
      const next: typeof parts = [];
      for (const a of parts) coded[i].cols.forEach((c, j) => next.push({ col: a.col.map((v, r) => v * c[r]), name: a.name ? `${a.name}:${coded[i].labels[j]}` : coded[i].labels[j] }));
      parts = next;
    }
    termColumns.set(t.map((i) => factors[i].name).join(' × '), parts.map((_, j) => columns.length + j));
    for (const part of parts) {
      columns.push(part.col);
      names.push(part.name);
    }
  }
  return { factors, columns, names, termColumns };
}

/**
 * Fits the mixed model by REML, with Satterthwaite t and F tests and likelihood-ratio tests.
 * Throws `non-finite`, `design` (a factor with one level, an empty cell, a slope factor that
 * does not vary within any group, lengths that differ), `too-few` (fewer than 2 groups, no
 * residual df) or `zero-variance` (the model fits every rating exactly).
 */
export function fitMixedModel(data: MixedData, opts: MixedOptions = {}): MixedModel {
  const n = data.y.length;
  const groupName = data.groupName ?? 'item';
  const response = data.response ?? 'rating';
  requireFinite(data.y, `mixed model ${response}`);
  if (data.group.length !== n) throw new StatsError('design', `mixed model: ${data.group.length} ${groupName} labels for ${n} observations`);
  const names = Object.keys(data.factors);
  if (names.length === 0) throw new StatsError('design', 'mixed model: no fixed factors');
  const factors = names.map((name) => makeFactor(name, data.factors[name], n));
  checkCells(factors, n);
  const groupIndex = new Map<string, number>();
  const groups = Int32Array.from(data.group, (g) => {
    let k = groupIndex.get(g);
    if (k === undefined) groupIndex.set(g, (k = groupIndex.size));
    return k;
  });
  if (groupIndex.size < 2) throw new StatsError('too-few', `mixed model: ${groupIndex.size} ${groupName}(s), at least 2 needed for a random ${groupName} effect`);
  const coding = fixedCoding(factors, n);
  const p = coding.columns.length;
  if (n - p < 1) throw new StatsError('too-few', `mixed model: ${n} observations for ${p} fixed effects leave no residual df`);

  const slopes = opts.slopes ?? [];
  const z: Float64Array[] = [new Float64Array(n).fill(1)];
  const zNames = ['(Intercept)'];
  for (const s of slopes) {
    const f = factors.find((x) => x.name === s);
    if (!f) throw new StatsError('design', `mixed model: random slope of "${s}", which is not one of the fixed factors (${names.join(', ')})`);
    const varies = [...groupIndex.values()].some((g) => new Set(f.codes.filter((_, i) => groups[i] === g)).size > 1);
    if (!varies) throw new StatsError('design', `mixed model: "${s}" does not vary within any ${groupName}, so its slope cannot vary by ${groupName}`);
    sumColumns(f).forEach((c, j) => {
      z.push(c);
      zNames.push(`${s}[${f.levels[j]}]`);
    });
  }
  // The intercept absorbs the mean: centring keeps y'V⁻¹y − β'X'V⁻¹y free of cancellation.
  const centre = data.y.reduce((a, b) => a + b, 0) / n;
  const y = Float64Array.from(data.y, (v) => v - centre);
  const fitter = new MixedFitter(n, y, coding.columns, z, groups, groupIndex.size);
  const reml = fitter.fit(true);
  if (!(reml.sigma2 > 1e-12 * (y.reduce((a, v) => a + v * v, 0) / n))) throw new StatsError('zero-variance', 'mixed model: the fixed and random effects reproduce every rating exactly, the residual variance is 0');
  const notes: string[] = [];
  const Lambda = fitter.lambda(reml.theta);
  const singular = Lambda.some((row, i) => Math.abs(row[i]) < 1e-4);
  if (singular) notes.push(`singular fit: a random-effect variance is estimated at 0, so the ${groupName} part is simpler than fitted`);
  const Psi = multiply(Lambda, transpose(Lambda)).map((r) => r.map((v) => v * reml.sigma2));
  const beta = reml.beta.slice();
  beta[0] += centre;

  // Covariance of β̂ and its derivatives in φ = (θ, σ).
  const sigma = Math.sqrt(reml.sigma2);
  const phi = [...reml.theta, sigma];
  const C = fitter.covariance(phi);
  const hPhi = phi.map((v) => 1e-4 * Math.max(0.05, Math.abs(v)));
  const H = hessian((x) => fitter.devianceVp(x), phi, hPhi);
  const Hinv = inverseSpd(H);
  const W: Matrix | undefined = Hinv?.map((r) => r.map((v) => 2 * v));
  if (!W) notes.push('Satterthwaite df unavailable: the REML deviance is not convex in the variance parameters at the estimate');
  const dC = phi.map((_, k) => {
    if (k === fitter.k) return C.map((r) => r.map((v) => (2 * v) / sigma));
    const a = phi.slice();
    const b = phi.slice();
    a[k] += hPhi[k];
    b[k] -= hPhi[k];
    const Ca = fitter.covariance(a);
    const Cb = fitter.covariance(b);
    return Ca.map((r, i) => r.map((v, j) => (v - Cb[i][j]) / (2 * hPhi[k])));
  });
  const unit = (j: number) => coding.columns.map((_, i) => (i === j ? 1 : 0));
  const dfs = W ? satterthwaite(coding.columns.map((_, j) => unit(j)), C, dC, W) : coding.columns.map(() => Number.NaN);

  // statsmodels' standard errors: observed information in (β, θ) jointly.
  let seObserved: number[] | undefined;
  if (!singular) {
    const zHat = [...reml.beta, ...reml.theta];
    const hz = zHat.map((v, i) => (i < p ? 1e-4 * Math.max(1, Math.abs(v)) : 1e-4 * Math.max(0.05, Math.abs(v))));
    const Hz = inverseSpd(hessian((x) => fitter.profiledInBeta(x), zHat, hz));
    if (Hz) seObserved = coding.columns.map((_, j) => Math.sqrt(2 * Hz[j][j]));
  }

  const fixed: FixedEffect[] = coding.names.map((name, j) => {
    const se = Math.sqrt(C[j][j]);
    const t = beta[j] / se;
    return { name, estimate: beta[j], se, ...(seObserved ? { seObserved: seObserved[j] } : {}), df: dfs[j], t, p: tTwoSidedP(t, dfs[j]) };
  });

  // Likelihood-ratio tests by ML refits.
  const wantLrt = opts.lrt !== false;
  const full = wantLrt ? fitter.fit(false, reml.theta) : undefined;
  const termTests: MixedTermTest[] = [...coding.termColumns].map(([term, cols]) => {
    const L = cols.map(unit);
    const Lb = cols.map((j) => reml.beta[j]);
    const LCL = cols.map((i) => cols.map((j) => C[i][j]));
    const LCLi = inverseSpd(LCL)!;
    const F = Lb.reduce((s, a, i) => s + a * LCLi[i].reduce((t, v, j) => t + v * Lb[j], 0), 0) / cols.length;
    let denDf = Number.NaN;
    if (W) {
      const { values, vectors } = symmetricEigen(LCL);
      const rows = values.map((_, m) => {
        const pm = vectors.map((r) => r[m]);
        return coding.columns.map((__, j) => L.reduce((s, row, i) => s + pm[i] * row[j], 0));
      });
      denDf = fTestDf(satterthwaite(rows, C, dC, W));
    }
    const pF = fUpper(F, cols.length, denDf);
    let lrt: LikelihoodRatio | undefined;
    if (full) {
      const keep = coding.columns.filter((_, j) => !cols.includes(j));
      const reduced = new MixedFitter(n, y, keep, z, groups, groupIndex.size).fit(false, full.theta);
      const chi = Math.max(0, reduced.deviance - full.deviance);
      lrt = { chiSquare: chi, df: cols.length, p: chiSquareUpper(chi, cols.length) };
    }
    const apa = `${formatF(F, cols.length, denDf, pF)}${lrt ? `; χ²(${lrt.df}) = ${lrt.chiSquare.toFixed(2)}, ${formatP(lrt.p)}` : ''}`;
    return { term, F, numDf: cols.length, denDf, p: pF, lrt, apa };
  });

  let slopeTest: LikelihoodRatio | undefined;
  if (slopes.length > 0 && wantLrt) {
    const noSlopes = new MixedFitter(n, y, coding.columns, [z[0]], groups, groupIndex.size).fit(true);
    const chi = Math.max(0, noSlopes.deviance - reml.deviance);
    const df = fitter.k - 1;
    slopeTest = { chiSquare: chi, df, p: chiSquareUpper(chi, df) };
  }

  const fixedPart = names.join(' * ');
  const randomPart = slopes.length ? `(1 + ${slopes.join(' + ')} | ${groupName})` : `(1 | ${groupName})`;
  return {
    formula: `${response} ~ ${fixedPart} + ${randomPart}`,
    method: 'REML',
    dfMethod: 'Satterthwaite',
    n,
    groups: groupIndex.size,
    groupName,
    fixed,
    terms: termTests,
    random: { names: zNames, covariance: Psi, residual: reml.sigma2 },
    logLik: -reml.deviance / 2,
    logLikML: full ? -full.deviance / 2 : Number.NaN,
    singular,
    slopeTest,
    notes,
  };
}
