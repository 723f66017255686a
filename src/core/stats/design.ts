// Factor coding shared by the between-subjects and repeated-measures ANOVAs.
import { StatsError } from './errors.js';

export interface Factor {
  name: string;
  /** Levels in order of first appearance. */
  levels: string[];
  /** Level index of each observation. */
  codes: Int32Array;
}

export function makeFactor(name: string, values: readonly string[], n: number): Factor {
  if (values.length !== n) throw new StatsError('design', `factor "${name}" has ${values.length} values for ${n} observations`);
  const index = new Map<string, number>();
  const codes = new Int32Array(n);
  values.forEach((v, i) => {
    let k = index.get(v);
    if (k === undefined) index.set(v, (k = index.size));
    codes[i] = k;
  });
  if (index.size < 2) throw new StatsError('design', `factor "${name}" has ${index.size} level(s), at least 2 needed`);
  return { name, levels: [...index.keys()], codes };
}

/**
 * Sum-to-zero (deviation) coding: level j < L−1 → indicator of j minus indicator of the last level.
 * This is R's contr.sum and statsmodels' Sum, under which type III tests are the usual ones.
 */
export function sumColumns(f: Factor): Float64Array[] {
  const L = f.levels.length;
  const cols: Float64Array[] = [];
  for (let j = 0; j < L - 1; j++) {
    const c = new Float64Array(f.codes.length);
    f.codes.forEach((k, i) => (c[i] = k === j ? 1 : k === L - 1 ? -1 : 0));
    cols.push(c);
  }
  return cols;
}

/** Columns of a term: elementwise products of its factors' sum-coded columns. */
export function termColumns(factors: readonly Factor[]): Float64Array[] {
  let cols: Float64Array[] = [new Float64Array(factors[0].codes.length).fill(1)];
  for (const f of factors) {
    const next: Float64Array[] = [];
    for (const a of cols) for (const b of sumColumns(f)) next.push(a.map((x, i) => x * b[i]));
    cols = next;
  }
  return cols;
}

/** Every non-empty subset of 0..k−1, main effects first, then two-way interactions, … */
export function terms(k: number): number[][] {
  const out: number[][] = [];
  for (let mask = 1; mask < 1 << k; mask++) {
    const t: number[] = [];
    for (let i = 0; i < k; i++) if (mask & (1 << i)) t.push(i);
    out.push(t);
  }
  return out.sort((a, b) => a.length - b.length || a.join().localeCompare(b.join()));
}

export function termName(factors: readonly Factor[], term: readonly number[]): string {
  return term.map((i) => factors[i].name).join(' × ');
}

/** Orthonormal Helmert contrasts for L levels: L × (L−1), columns orthogonal to the constant. */
export function helmert(L: number): Float64Array[] {
  const cols: Float64Array[] = [];
  for (let j = 0; j < L - 1; j++) {
    const c = new Float64Array(L);
    for (let i = 0; i <= j; i++) c[i] = 1;
    c[j + 1] = -(j + 1);
    const s = Math.sqrt((j + 1) * (j + 2));
    cols.push(c.map((x) => x / s));
  }
  return cols;
}
