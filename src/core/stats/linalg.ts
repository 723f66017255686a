// Least squares by Householder QR: the residual sum of squares of several responses on one design.
// Written here rather than taken from a matrix package because ANOVA needs only this one
// operation on designs of a few columns, and QR (unlike the normal equations) keeps full
// precision when sum-coded columns are nearly collinear in unbalanced designs.
import { StatsError } from './errors.js';

export class LeastSquares {
  readonly n: number;
  readonly p: number;
  private readonly vs: Float64Array[] = [];

  /** `columns`: the design's columns, each of length n. Throws `design` if they are collinear. */
  constructor(columns: readonly ArrayLike<number>[], n: number, what = 'design') {
    this.n = n;
    this.p = columns.length;
    if (this.p > n) throw new StatsError('design', `${what}: ${this.p} parameters but only ${n} observations`);
    const a = columns.map((c) => Float64Array.from(c));
    const scale = Math.max(1, ...a.map(norm));
    for (let k = 0; k < this.p; k++) {
      const x = a[k].subarray(k);
      const xn = norm(x);
      const alpha = x[0] > 0 ? -xn : xn;
      // A column whose part outside the span of the earlier ones vanishes is a linear combination
      // of them: the model is not identifiable.
      if (Math.abs(alpha) <= 1e-10 * scale) throw new StatsError('design', `${what}: column ${k} is collinear with the columns before it`);
      const v = Float64Array.from(x);
      v[0] -= alpha;
      this.vs.push(v);
      for (let j = k; j < this.p; j++) reflect(v, a[j].subarray(k));
    }
  }

  /** Q'y: the first p entries are the fitted part, the rest the residual part. */
  private rotate(y: ArrayLike<number>): Float64Array {
    if (y.length !== this.n) throw new StatsError('design', `response has ${y.length} values, design has ${this.n} rows`);
    const r = Float64Array.from(y);
    for (let k = 0; k < this.p; k++) reflect(this.vs[k], r.subarray(k));
    return r;
  }

  /** Residual sum of squares of y. */
  rss(y: ArrayLike<number>): number {
    const r = this.rotate(y);
    let s = 0;
    for (let i = this.p; i < this.n; i++) s += r[i] * r[i];
    return s;
  }

  /** Residuals y − ŷ. */
  residuals(y: ArrayLike<number>): Float64Array {
    const r = this.rotate(y);
    r.fill(0, 0, this.p);
    for (let k = this.p - 1; k >= 0; k--) reflect(this.vs[k], r.subarray(k));
    return r;
  }
}

function norm(x: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * x[i];
  return Math.sqrt(s);
}

/** Applies the reflection I − 2vv'/v'v to x in place. */
function reflect(v: Float64Array, x: Float64Array): void {
  let vx = 0;
  let vv = 0;
  for (let i = 0; i < v.length; i++) {
    vx += v[i] * x[i];
    vv += v[i] * v[i];
  }
  const f = (2 * vx) / vv;
  for (let i = 0; i < v.length; i++) x[i] -= f * v[i];
}
