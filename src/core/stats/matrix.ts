// Small dense symmetric matrices (a few dozen rows at most) for the mixed models: Cholesky
// factorization, solves, inverse, log-determinant and a symmetric eigen-decomposition. Written
// here, in the spirit of linalg.ts, because the models need only these few operations on tiny
// matrices; a general matrix package would be most of the bundle for none of the accuracy.

export type Matrix = number[][];

export function zeros(r: number, c = r): Matrix {
  return Array.from({ length: r }, () => new Array<number>(c).fill(0));
}

export function identity(n: number): Matrix {
  const m = zeros(n);
  for (let i = 0; i < n; i++) m[i][i] = 1;
  return m;
}

export function transpose(a: Matrix): Matrix {
  return a[0] === undefined ? [] : a[0].map((_, j) => a.map((row) => row[j]));
}

export function multiply(a: Matrix, b: Matrix): Matrix {
  const n = b[0]?.length ?? 0;
  return a.map((row) => {
    const out = new Array<number>(n).fill(0);
    row.forEach((v, k) => {
      if (v !== 0) for (let j = 0; j < n; j++) out[j] += v * b[k][j];
    });
    return out;
  });
}

export function multiplyVector(a: Matrix, x: readonly number[]): number[] {
  return a.map((row) => row.reduce((s, v, j) => s + v * x[j], 0));
}

/** Lower-triangular L with A = LL'; undefined when A is not (numerically) positive definite. */
export function cholesky(a: Matrix): Matrix | undefined {
  const n = a.length;
  const l = zeros(n);
  for (let j = 0; j < n; j++) {
    let d = a[j][j];
    for (let k = 0; k < j; k++) d -= l[j][k] * l[j][k];
    if (!(d > 0)) return undefined;
    l[j][j] = Math.sqrt(d);
    for (let i = j + 1; i < n; i++) {
      let s = a[i][j];
      for (let k = 0; k < j; k++) s -= l[i][k] * l[j][k];
      l[i][j] = s / l[j][j];
    }
  }
  return l;
}

/** Solves LL'x = b. */
export function cholSolve(l: Matrix, b: readonly number[]): number[] {
  const n = l.length;
  const y = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    let s = b[i];
    for (let k = 0; k < i; k++) s -= l[i][k] * y[k];
    y[i] = s / l[i][i];
  }
  const x = new Array<number>(n);
  for (let i = n - 1; i >= 0; i--) {
    let s = y[i];
    for (let k = i + 1; k < n; k++) s -= l[k][i] * x[k];
    x[i] = s / l[i][i];
  }
  return x;
}

/** Solves LL'X = B column by column. */
export function cholSolveMatrix(l: Matrix, b: Matrix): Matrix {
  return transpose(transpose(b).map((col) => cholSolve(l, col)));
}

export function cholInverse(l: Matrix): Matrix {
  return cholSolveMatrix(l, identity(l.length));
}

/** log det(LL'). */
export function cholLogDet(l: Matrix): number {
  let s = 0;
  for (let i = 0; i < l.length; i++) s += Math.log(l[i][i]);
  return 2 * s;
}

/** Inverse of a symmetric positive definite matrix; undefined when it is not. */
export function inverseSpd(a: Matrix): Matrix | undefined {
  const l = cholesky(a);
  return l && cholInverse(l);
}

/**
 * Eigenvalues and eigenvectors (columns) of a symmetric matrix by cyclic Jacobi rotations,
 * accurate to rounding for the few-by-few matrices of an F test's contrasts.
 */
export function symmetricEigen(a: Matrix): { values: number[]; vectors: Matrix } {
  const n = a.length;
  const m = a.map((r) => r.slice());
  const v = identity(n);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let i = 0; i < n; i++) for (let j = i + 1; j < n; j++) off += m[i][j] * m[i][j];
    if (off < 1e-30 * Math.max(1e-300, m.reduce((s, r, i) => s + r[i] * r[i], 0))) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        if (m[p][q] === 0) continue;
        const theta = (m[q][q] - m[p][p]) / (2 * m[p][q]);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1);
        const s = t * c;
        for (let k = 0; k < n; k++) {
          const mkp = m[k][p];
          const mkq = m[k][q];
          m[k][p] = c * mkp - s * mkq;
          m[k][q] = s * mkp + c * mkq;
        }
        for (let k = 0; k < n; k++) {
          const mpk = m[p][k];
          const mqk = m[q][k];
          m[p][k] = c * mpk - s * mqk;
          m[q][k] = s * mpk + c * mqk;
        }
        for (let k = 0; k < n; k++) {
          const vkp = v[k][p];
          const vkq = v[k][q];
          v[k][p] = c * vkp - s * vkq;
          v[k][q] = s * vkp + c * vkq;
        }
      }
    }
  }
  return { values: m.map((r, i) => r[i]), vectors: v };
}
