// Between-subjects ANOVA as comparisons of nested least-squares models with sum-to-zero coding.
//   type III: SS(term) = RSS(full model without the term) − RSS(full model)
//   type II : SS(term) = RSS(M) − RSS(M + term), M = every term that does not contain this one
// These are the definitions behind R's car::Anova (contr.sum) and statsmodels' anova_lm(typ=2|3).
import { StatsError, requireFinite } from './errors.js';
import { LeastSquares } from './linalg.js';
import { makeFactor, termColumns, termName, terms, type Factor } from './design.js';
import { fUpper } from './dist.js';
import { formatF } from './apa.js';
import type { AnovaEffectRow, AnovaTable } from './anova-types.js';

export interface BetweenData {
  y: readonly number[];
  /** Factor name → level of each observation. */
  factors: Record<string, readonly string[]>;
}

export function effectRow(effect: string, ss: number, df: number, ssError: number, dfError: number): AnovaEffectRow {
  const ms = ss / df;
  const F = ms / (ssError / dfError);
  const p = fUpper(F, df, dfError);
  const partialEta2 = ss / (ss + ssError);
  return { effect, ss, df, ms, F, p, partialEta2, dfError, ssError, apa: formatF(F, df, dfError, p, partialEta2) };
}

/** Throws `design` naming the first combination of factor levels without observations. */
export function checkCells(factors: readonly Factor[], n: number): void {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) seen.add(factors.map((f) => f.codes[i]).join(','));
  const total = factors.reduce((a, f) => a * f.levels.length, 1);
  if (seen.size === total) return;
  // Name the first empty cell: an empty cell makes the interaction inestimable.
  const idx = new Array<number>(factors.length).fill(0);
  for (;;) {
    if (!seen.has(idx.join(','))) {
      const cell = factors.map((f, j) => `${f.name}=${f.levels[idx[j]]}`).join(', ');
      throw new StatsError('design', `no observations in cell ${cell}`);
    }
    let j = factors.length - 1;
    while (j >= 0 && ++idx[j] === factors[j].levels.length) idx[j--] = 0;
  }
}

/**
 * Between-subjects ANOVA with every main effect and interaction of the given factors.
 * Throws `non-finite`, `design` (factor with < 2 levels, empty cell, mismatched lengths),
 * `too-few` (no residual df) or `zero-variance` (residual SS 0).
 */
export function anovaBetween(data: BetweenData, opts: { type?: 2 | 3 } = {}): AnovaTable {
  const type = opts.type ?? 3;
  const n = data.y.length;
  requireFinite(data.y, 'ANOVA response');
  const names = Object.keys(data.factors);
  if (names.length === 0) throw new StatsError('design', 'ANOVA: no factors');
  const factors = names.map((name) => makeFactor(name, data.factors[name], n));
  checkCells(factors, n);
  const all = terms(factors.length);
  const cols = all.map((t) => termColumns(t.map((i) => factors[i])));
  const intercept = new Float64Array(n).fill(1);
  const fit = (keep: (t: number[]) => boolean) =>
    new LeastSquares([intercept, ...all.flatMap((t, k) => (keep(t) ? cols[k] : []))], n, 'ANOVA design').rss(data.y);
  const p = 1 + cols.reduce((a, c) => a + c.length, 0);
  const dfError = n - p;
  if (dfError < 1) throw new StatsError('too-few', `ANOVA: ${n} observations for ${p} parameters leave no residual df`);
  const ssError = fit(() => true);
  // Relative to the total SS: rounding leaves ~1e-30 where the true residual is exactly 0.
  if (!(ssError > 1e-12 * new LeastSquares([intercept], n).rss(data.y))) throw new StatsError('zero-variance', 'ANOVA: every cell is constant, the residual SS is 0');
  const contains = (big: number[], small: number[]) => small.every((i) => big.includes(i));
  const rows = all.map((t, k) => {
    let ss: number;
    if (type === 3) ss = fit((u) => u !== t) - ssError;
    else {
      const base = (u: number[]) => u !== t && !contains(u, t);
      ss = fit(base) - fit((u) => base(u) || u === t);
    }
    return effectRow(termName(factors, t), ss, cols[k].length, ssError, dfError);
  });
  const shape = factors.map((f) => `${f.name} (${f.levels.length})`).join(' × ');
  return { design: `between: ${shape}, type ${type === 3 ? 'III' : 'II'}`, rows, residualDf: dfError };
}

/** One-way ANOVA over named groups (types II and III coincide). */
export function oneWayAnova(groups: Record<string, readonly number[]>, factor = 'group'): AnovaTable {
  const y: number[] = [];
  const level: string[] = [];
  for (const [g, values] of Object.entries(groups)) {
    if (values.length === 0) throw new StatsError('empty', `one-way ANOVA: group "${g}" has no values`);
    for (const v of values) {
      y.push(v);
      level.push(g);
    }
  }
  return anovaBetween({ y, factors: { [factor]: level } }, { type: 3 });
}
