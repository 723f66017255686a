// Composite graph pieces shared by the architectures: norms, activations, rotary embedding and
// the attention core (projections are in matrices.ts). Each takes and returns value names in a
// GraphBuilder and computes in the builder's float type.
import { float, type FloatType, type GraphBuilder } from './builder.js';
import type { WeightTensor } from '../types.js';

/** RMSNorm over the last axis; Gemma stores the scale as an offset from one. */
export function rmsNorm(g: GraphBuilder, x: string, w: WeightTensor, eps: number, offsetOne = false): string {
  const scale = offsetOne ? w.data.map((v) => 1 + v) : w.data;
  return g.op('RMSNormalization', [x, g.floats('norm', scale, w.shape)], { axis: -1, epsilon: float(eps) });
}

export function layerNorm(g: GraphBuilder, x: string, w: WeightTensor, b: WeightTensor, eps: number): string {
  return g.op('LayerNormalization', [x, g.floats('ln', w.data, w.shape), g.floats('ln_b', b.data, b.shape)], {
    axis: -1,
    epsilon: float(eps),
  });
}

export type Activation = 'silu' | 'gelu_pytorch_tanh' | 'gelu_new' | 'gelu';

export function activation(g: GraphBuilder, x: string, act: Activation): string {
  switch (act) {
    case 'silu':
      return g.op('Mul', [x, g.op('Sigmoid', [x])]);
    case 'gelu':
      return g.op('Gelu', [x]);
    case 'gelu_new':
    case 'gelu_pytorch_tanh':
      return g.op('Gelu', [x], { approximate: 'tanh' });
  }
}

/** cap · tanh(x / cap) (Gemma-2 soft-capping) of an x of type `type`. */
export function softcap(g: GraphBuilder, x: string, cap: number, type: FloatType = g.floatType): string {
  return g.op('Mul', [g.op('Tanh', [g.op('Div', [x, g.scalar(cap, type)])]), g.scalar(cap, type)]);
}

/**
 * Rotary embedding in the "rotate half" layout (Hugging Face Llama family): the head vector's
 * halves (x1, x2) are rotated pairwise by the angles whose cos/sin are given [batch, seq, headDim/2].
 * x is [batch, heads, seq, headDim]. One fused kernel (opset 23 RotaryEmbedding).
 */
export function rope(g: GraphBuilder, x: string, cos: string, sin: string): string {
  return g.op('RotaryEmbedding', [x, cos, sin], { interleaved: 0 });
}

export interface AttentionCoreArgs {
  /** Fused projections [batch, seq, (numHeads + 2·numKvHeads)·headDim]: queries, keys, values. */
  qkv: string;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  /** Multiplies the queries (1/sqrt(headDim) unless the architecture says otherwise). */
  scale: number;
  softcap?: number;
  /** [batch, seq, headDim/2] each; absent for learned positions. */
  cos?: string;
  sin?: string;
  /** Additive mask [batch, seq, past+seq], fp32. */
  mask: string;
  /** [batch, numKvHeads, past, headDim] each. */
  pastKey: string;
  pastValue: string;
}

/**
 * Scaled dot-product attention with grouped key/value heads and a key/value cache. The fused
 * projection is put head-major by one Transpose and then split along the head axis, where each
 * part is a contiguous block (splitting the last axis would be a strided copy). Queries are viewed
 * as [batch, kvHeads, group, seq, headDim] so each key/value head serves its group of query heads
 * by broadcasting, without materialising repeated keys and values.
 * Returns the merged heads [batch, seq, numHeads·headDim] and the present keys/values.
 */
export function attentionCore(g: GraphBuilder, a: AttentionCoreArgs): { out: string; presentKey: string; presentValue: string } {
  const { numHeads: nh, numKvHeads: nkv, headDim: d } = a;
  const group = nh / nkv;
  const heads = g.op('Transpose', [g.op('Reshape', [a.qkv, g.ints([0, 0, nh + 2 * nkv, d])])], { perm: [0, 2, 1, 3] });
  let [q, k, v] = g.node('Split', [heads, g.ints([nh, nkv, nkv])], { axis: 1 }, 3); // [B, heads, S, D]
  if (a.cos && a.sin) {
    q = rope(g, q, a.cos, a.sin);
    k = rope(g, k, a.cos, a.sin);
  }
  const presentKey = g.op('Concat', [a.pastKey, k], { axis: 2 }); // [B, nkv, T, D]
  const presentValue = g.op('Concat', [a.pastValue, v], { axis: 2 });
  const qg = g.op('Reshape', [g.op('Mul', [q, g.scalar(a.scale)]), g.ints([0, nkv, group, -1, d])]); // [B, nkv, G, S, D]
  const kT = g.op('Unsqueeze', [g.op('Transpose', [presentKey], { perm: [0, 1, 3, 2] }), g.ints([2])]); // [B, nkv, 1, D, T]
  // Scores leave a 16-bit compute type for the mask and the softmax, as Hugging Face's eager
  // attention upcasts them: the fp32 mask's −1e30 has no fp16 value and small probabilities
  // underflow.
  let scores = g.cast(g.op('MatMul', [qg, kT]), g.floatType, 'float32'); // [B, nkv, G, S, T]
  if (a.softcap) scores = softcap(g, scores, a.softcap, 'float32');
  scores = g.op('Add', [scores, g.op('Unsqueeze', [a.mask, g.ints([1, 2])])]);
  const probs = g.cast(g.op('Softmax', [scores], { axis: -1 }), 'float32', g.floatType);
  const ctx = g.op('MatMul', [probs, g.op('Unsqueeze', [presentValue, g.ints([2])])]); // [B, nkv, G, S, D]
  const merged = g.op('Transpose', [g.op('Reshape', [ctx, g.ints([0, nh, -1, d])])], { perm: [0, 2, 1, 3] }); // [B, S, nh, D]
  return { out: g.op('Reshape', [merged, g.ints([0, 0, nh * d])]), presentKey, presentValue };
}
