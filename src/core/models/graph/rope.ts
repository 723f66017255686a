// Rotary position tables. Angles are computed in float64 in JavaScript and handed to the
// attention graphs as cos/sin inputs, shared by every layer of a forward pass.
import type { ModelConfig } from '../types.js';

/** θ_i = base^(-2i/d) for i < d/2, with Llama-3 frequency scaling when configured. */
export function inverseFrequencies(c: ModelConfig): Float64Array {
  const d = c.headDim;
  const inv = Float64Array.from({ length: d / 2 }, (_, i) => 1 / Math.pow(c.ropeTheta, (2 * i) / d));
  const s = c.ropeScaling;
  if (!s) return inv;
  // Llama 3: long wavelengths are slowed by `factor`, short ones kept, the band between blended.
  const lowWavelen = s.originalMaxPositions / s.lowFreqFactor;
  const highWavelen = s.originalMaxPositions / s.highFreqFactor;
  return inv.map((f) => {
    const wavelen = (2 * Math.PI) / f;
    if (wavelen < highWavelen) return f;
    if (wavelen > lowWavelen) return f / s.factor;
    const smooth = (s.originalMaxPositions / wavelen - s.lowFreqFactor) / (s.highFreqFactor - s.lowFreqFactor);
    return (1 - smooth) * (f / s.factor) + smooth * f;
  });
}

/** cos and sin of position × frequency, laid out [positions.length, d/2]. */
export function rotaryTables(invFreq: Float64Array, positionIds: BigInt64Array): { cos: Float32Array; sin: Float32Array } {
  const half = invFreq.length;
  const cos = new Float32Array(positionIds.length * half);
  const sin = new Float32Array(positionIds.length * half);
  for (let n = 0; n < positionIds.length; n++) {
    const pos = Number(positionIds[n]);
    for (let i = 0; i < half; i++) {
      const a = pos * invFreq[i];
      cos[n * half + i] = Math.cos(a);
      sin[n * half + i] = Math.sin(a);
    }
  }
  return { cos, sin };
}
