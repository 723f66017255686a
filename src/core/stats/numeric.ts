// Two numerical workhorses for the noncentral distributions and their inversions: a bracketed
// root finder and adaptive Gauss–Kronrod quadrature. Written here because @stdlib offers neither
// as a small package, and both are a few dozen lines whose behaviour at the edges (brackets that
// must be widened, integrands a hundred orders of magnitude below their peak) this code controls.

/**
 * A root of f in [a, b], where f(a) and f(b) have opposite signs (or one is 0), by Brent's method:
 * inverse quadratic interpolation or secant steps while they shrink the bracket fast enough, a
 * bisection otherwise (Brent 1973, ch. 4). Converges to |b − a| ≤ 4ε|x| + tol.
 */
export function findRoot(f: (x: number) => number, a: number, b: number, tol = 1e-13): number {
  let fa = f(a);
  let fb = f(b);
  if (fa === 0) return a;
  if (fb === 0) return b;
  if (Math.sign(fa) === Math.sign(fb)) throw new RangeError(`findRoot: f(${a}) = ${fa} and f(${b}) = ${fb} do not bracket a root`);
  let c = a;
  let fc = fa;
  let d = b - a;
  let e = d;
  for (let iter = 0; iter < 200; iter++) {
    if (Math.sign(fb) === Math.sign(fc)) {
      c = a;
      fc = fa;
      d = e = b - a;
    }
    if (Math.abs(fc) < Math.abs(fb)) {
      // Keep b the best estimate.
      a = b; b = c; c = a;
      fa = fb; fb = fc; fc = fa;
    }
    const eps = 2 * Number.EPSILON * Math.abs(b) + tol / 2;
    const m = (c - b) / 2;
    if (Math.abs(m) <= eps || fb === 0) return b;
    if (Math.abs(e) >= eps && Math.abs(fa) > Math.abs(fb)) {
      let p: number;
      let q: number;
      const s = fb / fa;
      if (a === c) {
        p = 2 * m * s;
        q = 1 - s;
      } else {
        const qa = fa / fc;
        const r = fb / fc;
        p = s * (2 * m * qa * (qa - r) - (b - a) * (r - 1));
        q = (qa - 1) * (r - 1) * (s - 1);
      }
      if (p > 0) q = -q;
      else p = -p;
      if (2 * p < Math.min(3 * m * q - Math.abs(eps * q), Math.abs(e * q))) {
        e = d;
        d = p / q;
      } else {
        d = e = m;
      }
    } else {
      d = e = m;
    }
    a = b;
    fa = fb;
    b += Math.abs(d) > eps ? d : m > 0 ? eps : -eps;
    fb = f(b);
  }
  return b;
}

/**
 * Widens [lo, hi] away from `start` by doubling steps until f changes sign, then finds the root.
 * `f` must be monotone. Returns undefined when no sign change is found within `limit`.
 */
export function solveMonotone(f: (x: number) => number, start: number, step: number, limit: [number, number], tol?: number): number | undefined {
  const f0 = f(start);
  if (f0 === 0) return start;
  // Which way to go: towards the sign change.
  const probe = f(Math.min(limit[1], start + step));
  const dir = Math.sign(probe - f0) === Math.sign(f0) ? -1 : 1;
  let a = start;
  let fa = f0;
  let h = step;
  for (let i = 0; i < 200; i++) {
    const b = Math.min(limit[1], Math.max(limit[0], a + dir * h));
    const fb = f(b);
    if (Math.sign(fb) !== Math.sign(fa) || fb === 0) return findRoot(f, Math.min(a, b), Math.max(a, b), tol);
    if (b === limit[0] || b === limit[1]) return undefined;
    a = b;
    fa = fb;
    h *= 2;
  }
  return undefined;
}

// Gauss–Kronrod 7/15 nodes on [−1, 1] (the pair QUADPACK's qk15 uses): Kronrod nodes and weights,
// and the weights of the embedded 7-point Gauss rule at the odd-indexed nodes.
const XGK = [0.991455371120812639, 0.949107912342758525, 0.864864423359769073, 0.741531185599394440, 0.586087235467691130, 0.405845151377397167, 0.207784955007898468, 0];
const WGK = [0.022935322010529225, 0.063092092629978553, 0.104790010322250184, 0.140653259715525919, 0.169004726639267903, 0.190350578064785410, 0.204432940075298892, 0.209482141084727828];
const WG = [0.129484966168869693, 0.279705391489276668, 0.381830050505118945, 0.417959183673469388];

function kronrod(f: (x: number) => number, a: number, b: number): { value: number; error: number } {
  const mid = (a + b) / 2;
  const half = (b - a) / 2;
  const fc = f(mid);
  let k = WGK[7] * fc;
  let g = WG[3] * fc;
  for (let j = 0; j < 7; j++) {
    const dx = half * XGK[j];
    const s = f(mid - dx) + f(mid + dx);
    k += WGK[j] * s;
    if (j % 2 === 1) g += WG[(j - 1) / 2] * s;
  }
  return { value: k * half, error: Math.abs((k - g) * half) };
}

/**
 * ∫ f over [a, b] split at `breaks`, by adaptive Gauss–Kronrod 7/15: the interval with the
 * largest error estimate is halved until the summed estimate is below rel·|integral| + abs.
 */
export function integrate(f: (x: number) => number, breaks: readonly number[], opts: { rel?: number; abs?: number; maxIntervals?: number } = {}): number {
  const rel = opts.rel ?? 1e-13;
  const abs = opts.abs ?? 0;
  const max = opts.maxIntervals ?? 500;
  const parts: { a: number; b: number; value: number; error: number }[] = [];
  for (let i = 0; i + 1 < breaks.length; i++) {
    if (breaks[i + 1] > breaks[i]) parts.push({ a: breaks[i], b: breaks[i + 1], ...kronrod(f, breaks[i], breaks[i + 1]) });
  }
  for (;;) {
    let total = 0;
    let error = 0;
    let worst = 0;
    parts.forEach((p, i) => {
      total += p.value;
      error += p.error;
      if (p.error > parts[worst].error) worst = i;
    });
    if (error <= rel * Math.abs(total) + abs || parts.length >= max) return total;
    const { a, b } = parts[worst];
    const m = (a + b) / 2;
    parts.splice(worst, 1, { a, b: m, ...kronrod(f, a, m) }, { a: m, b, ...kronrod(f, m, b) });
  }
}

/**
 * Minimum of a smooth function of a few variables by Nelder–Mead (standard coefficients), restarted
 * from its best point until a restart no longer improves it: the simplex can collapse early on
 * a curved valley, and a fresh simplex at the same point costs little and catches that.
 */
export function minimize(f: (x: number[]) => number, x0: readonly number[], opts: { step?: number; tol?: number; maxEvaluations?: number } = {}): { x: number[]; value: number; evaluations: number } {
  const tol = opts.tol ?? 1e-12;
  const max = opts.maxEvaluations ?? 20000;
  let evaluations = 0;
  const fx = (x: number[]) => {
    evaluations++;
    const v = f(x);
    return Number.isNaN(v) ? Infinity : v;
  };
  let best = { x: x0.slice(), value: fx(x0.slice()) };
  let step = opts.step ?? 0.5;
  for (let restart = 0; restart < 20 && evaluations < max; restart++) {
    const n = best.x.length;
    const simplex = [best, ...best.x.map((_, i) => {
      const x = best.x.slice();
      x[i] += x[i] === 0 ? step : step * Math.max(1, Math.abs(x[i]));
      return { x, value: fx(x) };
    })];
    while (evaluations < max) {
      simplex.sort((a, b) => a.value - b.value);
      const lo = simplex[0];
      const hi = simplex[n];
      const spread = Math.abs(hi.value - lo.value);
      const size = Math.max(...simplex.map((s) => Math.max(...s.x.map((v, i) => Math.abs(v - lo.x[i])))));
      if (spread <= tol * (1 + Math.abs(lo.value)) && size <= 1e-10 * (1 + Math.max(...lo.x.map(Math.abs)))) break;
      const centroid = lo.x.map((_, i) => simplex.slice(0, n).reduce((s, p) => s + p.x[i], 0) / n);
      const along = (t: number) => centroid.map((c, i) => c + t * (hi.x[i] - c));
      const r = { x: along(-1), value: 0 };
      r.value = fx(r.x);
      if (r.value < lo.value) {
        const e = { x: along(-2), value: 0 };
        e.value = fx(e.x);
        simplex[n] = e.value < r.value ? e : r;
      } else if (r.value < simplex[n - 1].value) {
        simplex[n] = r;
      } else {
        const c = { x: along(r.value < hi.value ? -0.5 : 0.5), value: 0 };
        c.value = fx(c.x);
        if (c.value < Math.min(r.value, hi.value)) simplex[n] = c;
        else {
          for (let k = 1; k <= n; k++) {
            const x = simplex[k].x.map((v, i) => lo.x[i] + (v - lo.x[i]) / 2);
            simplex[k] = { x, value: fx(x) };
          }
        }
      }
    }
    simplex.sort((a, b) => a.value - b.value);
    const improved = simplex[0].value < best.value - tol * (1 + Math.abs(best.value));
    best = simplex[0].value <= best.value ? simplex[0] : best;
    if (!improved && restart > 0) break;
    step = Math.max(1e-3, step / 4);
  }
  return { ...best, evaluations };
}

/** Central-difference Hessian of f at x with steps h (one per coordinate). */
export function hessian(f: (x: number[]) => number, x: readonly number[], h: readonly number[]): number[][] {
  const n = x.length;
  const at = (di: number, si: number, dj = -1, sj = 0) => {
    const y = x.slice();
    y[di] += si * h[di];
    if (dj >= 0) y[dj] += sj * h[dj];
    return f(y);
  };
  const f0 = f(x.slice());
  const H: number[][] = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let i = 0; i < n; i++) {
    H[i][i] = (at(i, 1) - 2 * f0 + at(i, -1)) / (h[i] * h[i]);
    for (let j = 0; j < i; j++) {
      H[i][j] = H[j][i] = (at(i, 1, j, 1) - at(i, 1, j, -1) - at(i, -1, j, 1) + at(i, -1, j, -1)) / (4 * h[i] * h[j]);
    }
  }
  return H;
}

/** Central-difference gradient of f at x. */
export function gradient(f: (x: number[]) => number, x: readonly number[], h: readonly number[]): number[] {
  return x.map((_, i) => {
    const a = x.slice();
    const b = x.slice();
    a[i] += h[i];
    b[i] -= h[i];
    return (f(a) - f(b)) / (2 * h[i]);
  });
}
