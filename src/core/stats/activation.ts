// δ_l: how far apart the two conditions' mean activations are at one layer.
import { StatsError } from './errors.js';

export interface ActivationDifference {
  /** ‖mean(negative) − mean(positive)‖₂. */
  l2: number;
  /** cos∠(mean(negative), mean(positive)). */
  cosine: number;
}

function meanVector(vectors: readonly Float32Array[], what: string, dim: number): Float64Array {
  if (vectors.length === 0) throw new StatsError('empty', `activation difference: no ${what} activations`);
  // Accumulate in float64: summing hundreds of float32 vectors in float32 loses digits the
  // difference of two close means depends on.
  const m = new Float64Array(dim);
  vectors.forEach((v, i) => {
    if (v.length !== dim) throw new StatsError('design', `activation difference: ${what} vector ${i} has ${v.length} values, expected ${dim}`);
    for (let j = 0; j < dim; j++) {
      const x = v[j];
      if (!Number.isFinite(x)) throw new StatsError('non-finite', `activation difference: ${what} vector ${i} has ${x} at ${j}`);
      m[j] += x;
    }
  });
  for (let j = 0; j < dim; j++) m[j] /= vectors.length;
  return m;
}

/**
 * L2 norm of the mean difference and cosine between the condition means.
 * Throws `empty`, `design` (vectors of different length), `non-finite`, or `zero-variance` when a
 * condition's mean vector is zero (the cosine is then undefined).
 */
export function activationDifference(negative: readonly Float32Array[], positive: readonly Float32Array[]): ActivationDifference {
  const dim = negative[0]?.length ?? positive[0]?.length ?? 0;
  const a = meanVector(negative, 'negative', dim);
  const b = meanVector(positive, 'positive', dim);
  let dd = 0, aa = 0, bb = 0, ab = 0;
  for (let j = 0; j < dim; j++) {
    dd += (a[j] - b[j]) ** 2;
    aa += a[j] * a[j];
    bb += b[j] * b[j];
    ab += a[j] * b[j];
  }
  if (!(aa > 0 && bb > 0)) throw new StatsError('zero-variance', 'activation difference: a condition mean is the zero vector, the cosine is undefined');
  return { l2: Math.sqrt(dd), cosine: ab / Math.sqrt(aa * bb) };
}
