// Repeated-measures and mixed ANOVA by the multivariate route (O'Brien & Kaiser 1985; Maxwell &
// Delaney 2004, ch. 12–14): each subject's cell means are projected on orthonormal contrasts of a
// within effect, and those contrast scores are regressed on the between-subjects design (intercept
// + sum-coded between factor). The univariate F of an effect sums SS over its contrasts; its error
// term is the residual SS of those scores. With an unbalanced between factor this gives the
// type III (unweighted-means) tests of R's car::Anova(type = 3).
//
// Sphericity, for effects with more than one df, from S = the residual covariance of the
// contrast scores (p × p, error df ν = subjects − between parameters):
//   Greenhouse–Geisser  ε̂ = tr(S)² / (p·tr(S²))
//   Huynh–Feldt         ε̃ = ((ν + 1)·p·ε̂ − 2) / (p·(ν − p·ε̂))   (Lecoutre 1991, as car)
//   Mauchly             W = det(S) / (tr(S)/p)^p,  χ² = −(ν − (2p² + p + 2)/(6p))·ln W,
//                       df = p(p + 1)/2 − 1 (the first-order approximation SPSS reports).
// With very few subjects these are undefined and left out of the row (see `sphericity`).
import { StatsError, requireFinite } from './errors.js';
import { LeastSquares } from './linalg.js';
import { helmert, makeFactor, sumColumns, terms, type Factor } from './design.js';
import { chiSquareUpper, fUpper } from './dist.js';
import { effectRow } from './anova.js';
import { formatF } from './apa.js';
import type { AnovaEffectRow, AnovaTable, Mauchly } from './anova-types.js';

export interface RepeatedData {
  y: readonly number[];
  /** Repeated unit (participant, item, sample) of each observation. */
  subject: readonly string[];
  /** Within-subject factors: name → level of each observation. */
  within: Record<string, readonly string[]>;
  /** At most one between-subjects factor, constant within each subject. */
  between?: Record<string, readonly string[]>;
}

export interface RepeatedOptions {
  /** Several observations of one subject in one cell: 'mean' averages them; default is an error. */
  aggregate?: 'mean';
}

interface Layout {
  subjects: string[];
  within: Factor[];
  group?: Factor;
  /** subjects × cells, cells in mixed radix with the first within factor slowest. */
  Y: Float64Array[];
}

function layout(data: RepeatedData, opts: RepeatedOptions): Layout {
  const n = data.y.length;
  requireFinite(data.y, 'ANOVA response');
  if (data.subject.length !== n) throw new StatsError('design', `${data.subject.length} subject labels for ${n} observations`);
  const wNames = Object.keys(data.within);
  if (wNames.length === 0) throw new StatsError('design', 'repeated-measures ANOVA: no within-subject factor');
  const within = wNames.map((w) => makeFactor(w, data.within[w], n));
  const bNames = Object.keys(data.between ?? {});
  if (bNames.length > 1) throw new StatsError('design', `mixed ANOVA supports one between-subjects factor, got ${bNames.join(', ')}`);
  const sizes = within.map((f) => f.levels.length);
  const L = sizes.reduce((a, b) => a * b, 1);
  const subj = new Map<string, number>();
  data.subject.forEach((s) => subj.has(s) || subj.set(s, subj.size));
  const sums = Array.from({ length: subj.size }, () => new Float64Array(L));
  const counts = Array.from({ length: subj.size }, () => new Int32Array(L));
  const cellName = (c: number) => {
    const parts: string[] = [];
    for (let j = within.length - 1; j >= 0; j--) {
      parts.unshift(`${within[j].name}=${within[j].levels[c % sizes[j]]}`);
      c = Math.floor(c / sizes[j]);
    }
    return parts.join(', ');
  };
  for (let i = 0; i < n; i++) {
    let c = 0;
    for (let j = 0; j < within.length; j++) c = c * sizes[j] + within[j].codes[i];
    const s = subj.get(data.subject[i])!;
    if (counts[s][c] > 0 && opts.aggregate !== 'mean') {
      throw new StatsError('design', `subject "${data.subject[i]}" has more than one observation in cell ${cellName(c)} (use aggregate: 'mean' to average them)`);
    }
    sums[s][c] += data.y[i];
    counts[s][c]++;
  }
  const subjects = [...subj.keys()];
  const Y = sums.map((row, s) =>
    row.map((v, c) => {
      if (counts[s][c] === 0) throw new StatsError('design', `subject "${subjects[s]}" has no observation in cell ${cellName(c)}`);
      return v / counts[s][c];
    }),
  );
  let group: Factor | undefined;
  if (bNames.length === 1) {
    const g = data.between![bNames[0]];
    if (g.length !== n) throw new StatsError('design', `between factor "${bNames[0]}" has ${g.length} values for ${n} observations`);
    const perSubject: string[] = new Array(subjects.length);
    data.subject.forEach((s, i) => {
      const k = subj.get(s)!;
      if (perSubject[k] !== undefined && perSubject[k] !== g[i]) {
        throw new StatsError('design', `subject "${s}" is in both "${perSubject[k]}" and "${g[i]}" of between factor "${bNames[0]}"`);
      }
      perSubject[k] = g[i];
    });
    group = makeFactor(bNames[0], perSubject, subjects.length);
  }
  return { subjects, within, group, Y };
}

/** Kronecker product of per-factor contrast sets: Helmert for factors in the effect, 1/√l otherwise. */
function effectContrasts(within: Factor[], effect: readonly number[]): Float64Array[] {
  let cols: Float64Array[] = [Float64Array.of(1)];
  within.forEach((f, j) => {
    const l = f.levels.length;
    const parts = effect.includes(j) ? helmert(l) : [new Float64Array(l).fill(1 / Math.sqrt(l))];
    const next: Float64Array[] = [];
    for (const a of cols) for (const b of parts) {
      const c = new Float64Array(a.length * l);
      for (let i = 0; i < a.length; i++) for (let k = 0; k < l; k++) c[i * l + k] = a[i] * b[k];
      next.push(c);
    }
    cols = next;
  });
  return cols;
}

function scores(Y: Float64Array[], contrast: Float64Array): Float64Array {
  return Float64Array.from(Y, (row) => row.reduce((s, v, c) => s + v * contrast[c], 0));
}

/** Determinant of a symmetric positive semi-definite matrix by Cholesky; 0 when it is singular. */
function detSpd(S: number[][]): number {
  const p = S.length;
  const Lm = S.map((r) => r.map(() => 0));
  let det = 1;
  for (let j = 0; j < p; j++) {
    let d = S[j][j];
    for (let k = 0; k < j; k++) d -= Lm[j][k] ** 2;
    if (!(d > 1e-300)) return 0;
    Lm[j][j] = Math.sqrt(d);
    det *= d;
    for (let i = j + 1; i < p; i++) {
      let s = S[i][j];
      for (let k = 0; k < j; k++) s -= Lm[i][k] * Lm[j][k];
      Lm[i][j] = s / Lm[j][j];
    }
  }
  return det;
}

interface Sphericity {
  gg: number;
  /** Undefined when ν ≤ p·ε̂: the Huynh–Feldt formula's denominator is not positive. */
  hf?: number;
  /** Undefined when ν < p: the covariance of the contrasts is then singular by construction. */
  mauchly?: Mauchly;
}

function sphericity(residuals: Float64Array[], nu: number): Sphericity {
  const p = residuals.length;
  const S = residuals.map((a) => residuals.map((b) => a.reduce((s, v, i) => s + v * b[i], 0) / nu));
  let tr = 0;
  let tr2 = 0;
  for (let i = 0; i < p; i++) {
    tr += S[i][i];
    for (let j = 0; j < p; j++) tr2 += S[i][j] * S[j][i];
  }
  const gg = (tr * tr) / (p * tr2);
  const out: Sphericity = { gg };
  if (nu > p * gg) out.hf = ((nu + 1) * p * gg - 2) / (p * (nu - p * gg));
  if (nu >= p) {
    // W = 0 (a singular S from degenerate data) gives χ² = ∞ and p = 0, the limits of the test.
    const W = detSpd(S) / (tr / p) ** p;
    const chiSquare = W > 0 ? -(nu - (2 * p * p + p + 2) / (6 * p)) * Math.log(W) : Infinity;
    const df = (p * (p + 1)) / 2 - 1;
    out.mauchly = { W, chiSquare, df, p: W > 0 ? chiSquareUpper(chiSquare, df) : 0 };
  }
  return out;
}

/**
 * Repeated-measures ANOVA (any number of within factors) or mixed ANOVA (plus one between factor).
 * Every subject needs exactly one observation per within cell (or `aggregate: 'mean'`); a missing
 * cell is an error naming the subject and cell, never a silently dropped subject. Throws
 * `non-finite`, `design`, `too-few` (no error df) or `zero-variance` (an error SS of 0).
 */
export function anovaRepeated(data: RepeatedData, opts: RepeatedOptions = {}): AnovaTable {
  const { subjects, within, group, Y } = layout(data, opts);
  const N = subjects.length;
  const one = new Float64Array(N).fill(1);
  const gCols = group ? sumColumns(group) : [];
  const full = new LeastSquares([one, ...gCols], N, 'between-subjects design');
  const noIntercept = new LeastSquares(gCols, N, 'between-subjects design');
  const noGroup = new LeastSquares([one], N, 'between-subjects design');
  const nu = N - full.p;
  if (nu < 1) throw new StatsError('too-few', `repeated-measures ANOVA: ${N} subjects leave no error df`);
  const rows: AnovaEffectRow[] = [];
  const gName = group?.name ?? '';

  if (group) {
    const z0 = scores(Y, effectContrasts(within, [])[0]);
    const ssE = full.rss(z0);
    if (!(ssE > 1e-12 * noGroup.rss(z0))) throw new StatsError('zero-variance', `mixed ANOVA: subjects within each ${gName} group have identical means`);
    rows.push(effectRow(gName, noGroup.rss(z0) - ssE, group.levels.length - 1, ssE, nu));
  }

  for (const effect of terms(within.length)) {
    const name = effect.map((j) => within[j].name).join(' × ');
    const Z = effectContrasts(within, effect).map((c) => scores(Y, c));
    const p = Z.length;
    const ssE = Z.reduce((s, z) => s + full.rss(z), 0);
    // Relative to the scores' own size: rounding leaves ~1e-30 where the true error is exactly 0.
    if (!(ssE > 1e-12 * Z.reduce((s, z) => s + z.reduce((a, v) => a + v * v, 0), 0))) throw new StatsError('zero-variance', `repeated-measures ANOVA: the error SS of ${name} is 0 (every subject shows the same pattern)`);
    const ss = Z.reduce((s, z) => s + noIntercept.rss(z) - full.rss(z), 0);
    const main = effectRow(name, ss, p, ssE, p * nu);
    const inter = group ? effectRow(`${gName} × ${name}`, Z.reduce((s, z) => s + noGroup.rss(z) - full.rss(z), 0), p * (group.levels.length - 1), ssE, p * nu) : undefined;
    if (p > 1) {
      const sph = sphericity(Z.map((z) => full.residuals(z)), nu);
      for (const r of inter ? [main, inter] : [main]) {
        r.epsilonGG = sph.gg;
        r.pGG = fUpper(r.F, r.df * sph.gg, r.dfError * sph.gg);
        r.apaGG = formatF(r.F, r.df * sph.gg, r.dfError * sph.gg, r.pGG, r.partialEta2);
        if (sph.hf !== undefined) {
          r.epsilonHF = sph.hf;
          const hf = Math.min(1, sph.hf);
          r.pHF = fUpper(r.F, r.df * hf, r.dfError * hf);
        }
        if (sph.mauchly) r.mauchly = sph.mauchly;
      }
    }
    rows.push(main);
    if (inter) rows.push(inter);
  }
  const shape = within.map((f) => `${f.name} (${f.levels.length})`).join(' × ');
  const design = group ? `mixed: ${group.name} (${group.levels.length}, between) × ${shape} (within), ${N} subjects` : `repeated measures: ${shape} (within), ${N} subjects`;
  return { design, rows, residualDf: nu };
}
