// Precisions a model's weights are loaded at, and the execution providers (devices) that compute
// them. Every hook point carries fp32 activations at every precision; what changes is how the
// weights are stored and the type the slices compute in.
import type { FloatType } from './graph/builder.js';
import { quantizedBytes, type BlockQuantization } from './quantize.js';
import type { ModelConfig } from './types.js';

export type Precision = 'fp32' | 'fp16' | 'bf16' | 'int8' | 'int4';
export const PRECISIONS: readonly Precision[] = ['fp32', 'fp16', 'bf16', 'int8', 'int4'];

export type DeviceRequest = 'auto' | 'cpu' | 'cuda' | 'webgpu' | 'dml' | 'coreml';
export const DEVICE_REQUESTS: readonly DeviceRequest[] = ['auto', 'cpu', 'cuda', 'webgpu', 'dml', 'coreml'];

/** A weight-only quantization as MatMulNBits runs it. */
export interface QuantizedFormat extends BlockQuantization {
  /**
   * MatMulNBits' accuracy_level: the type activations are multiplied in (1 fp32, 4 int8 per
   * block). Weights are dequantized either way; level 4 also rounds activations.
   */
  accuracyLevel: 0 | 1 | 2 | 3 | 4;
  /** At most this many outlier input columns per matrix are kept in fp32 (graph/matrices.ts). */
  outlierColumns: number;
}

/** How a precision stores weights and computes. */
export interface PrecisionFormat {
  precision: Precision;
  /** The type activations have inside a slice (hooks are fp32 at its boundary). */
  floatType: FloatType;
  /** Linear weights and the token embedding, when quantized. */
  quant?: QuantizedFormat;
}

/*
 * The quantization settings, chosen by measuring accuracy and speed (`npm run bench -- precision`
 * prints the grid: a 4096 × 4096 projection of Gaussian weights over 512 rows, onnxruntime 1.30 on
 * 2 cores of an x64 machine with AVX-512 VNNI; speed against fp32 MatMul from two runs on a busy
 * machine, error as the output's relative rms against fp32):
 * - accuracy_level 4 (activations rounded to int8 per block and multiplied with VNNI): for 8-bit
 *   weights ×1.4–1.6 the speed of fp32 where level 1 runs at ×0.2–0.3 (it dequantizes the
 *   weights on every call); for 4-bit ×1.2–1.5 against ×0.9–1.0. It adds error at 8 bits
 *   (0.54% → 0.76%) and none measurable at 4 bits (8.0%). On the demo pair int8 at level 4 moves
 *   the example prompts' ratings by ≤ 0.026 scale points (0.006 at level 1), inside the 0.05
 *   budget, so the speed wins.
 * - Blocks of 32: ×1.4–1.6 (int8) and ×1.2–1.5 (int4) where blocks of 128 reach ×1.7–1.9 and
 *   ×1.5–2.5, but with 20–25% more error (int8 0.76% vs 0.92%, int4 8.0% vs 10.1%, and more on
 *   weights with heavier tails than these Gaussian ones). Accuracy is what a localization rests
 *   on, so 32; its fp32 scale costs one bit per weight (an 8B model at int4 ≈ 5.0 GB, 4.3 GB at
 *   128).
 * - int8 symmetric (0.76% vs 0.71% with zero points: not worth a third input); int4 with zero
 *   points (8.0% vs 9.7% symmetric, same speed) for 1/64 byte per weight.
 * The token embedding (GatherBlockQuantized) is always symmetric: onnxruntime's WebGPU kernel
 * refuses packed 4-bit zero points.
 */
const INT8: QuantizedFormat = { bits: 8, blockSize: 32, symmetric: true, accuracyLevel: 4, outlierColumns: 8 };
const INT4: QuantizedFormat = { bits: 4, blockSize: 32, symmetric: false, accuracyLevel: 4, outlierColumns: 8 };

/** The storage and compute format of a precision; `quant` overrides the quantization (benches). */
export function precisionFormat(precision: Precision, quant?: Partial<QuantizedFormat>): PrecisionFormat {
  switch (precision) {
    case 'fp32':
      return { precision, floatType: 'float32' };
    case 'fp16':
      return { precision, floatType: 'float16' };
    case 'bf16':
      return { precision, floatType: 'bfloat16' };
    case 'int8':
      return { precision, floatType: 'float32', quant: { ...INT8, ...quant } };
    case 'int4':
      return { precision, floatType: 'float32', quant: { ...INT4, ...quant } };
    default:
      throw new PrecisionError(`unknown precision ${String(precision)}; precisions are ${PRECISIONS.join(', ')}`);
  }
}

/**
 * The block size of the token embedding's quantization: GatherBlockQuantized needs the hidden
 * size to be a whole number of blocks, so the block shrinks to the largest power of two that
 * divides it (undefined below 16: such a tiny table stays fp32).
 */
export function embeddingBlock(hidden: number, blockSize: number): number | undefined {
  let b = blockSize;
  while (b >= 16 && hidden % b !== 0) b /= 2;
  return b >= 16 ? b : undefined;
}

export function embeddingQuantization(hidden: number, quant: QuantizedFormat): BlockQuantization | undefined {
  const blockSize = embeddingBlock(hidden, quant.blockSize);
  return blockSize === undefined ? undefined : { bits: quant.bits, blockSize, symmetric: true };
}

/** An input column is an outlier when its largest weight exceeds this many times the matrix's rms. */
export const OUTLIER_RATIO = 8;

const ELEMENT_BYTES: Record<FloatType, number> = { float32: 4, float16: 2, bfloat16: 2 };

/**
 * Bytes of a [rows, cols] linear weight at `format`; for a quantized one, at most: its outlier
 * columns (fp32) are counted as if all that are allowed were taken.
 */
export function matrixBytes(rows: number, cols: number, format: PrecisionFormat): number {
  if (!format.quant) return rows * cols * ELEMENT_BYTES[format.floatType];
  return quantizedBytes(rows, cols, format.quant) + Math.min(format.quant.outlierColumns, cols) * rows * 4;
}

/** Bytes of the [vocab, hidden] token embedding table at `format`. */
export function embeddingBytes(rows: number, cols: number, format: PrecisionFormat): number {
  const q = format.quant && embeddingQuantization(cols, format.quant);
  return q ? quantizedBytes(rows, cols, q) : rows * cols * ELEMENT_BYTES[format.floatType];
}

/**
 * Bytes the model's weights occupy when loaded at this precision: the initializers of all its
 * graphs (a tied unembedding counts twice: the embedding and head slices each hold one). Norm
 * weights and biases are in the compute type (fp32 for the quantized precisions). Exact for the
 * float precisions; for int8/int4 an upper bound by the outlier columns a checkpoint may or may
 * not have (under 0.5% of the total for 7–9B models).
 */
export function weightBytes(config: ModelConfig, precision: Precision, quant?: Partial<QuantizedFormat>): number {
  const f = precisionFormat(precision, quant);
  const v = (n: number) => n * ELEMENT_BYTES[f.floatType];
  const m = (rows: number, cols: number) => matrixBytes(rows, cols, f);
  const { hiddenSize: H, intermediateSize: I, vocabSize: V, numLayers: L } = config;
  if (config.architecture === 'gpt2') {
    const perLayer = v(4 * H) + m(3 * H, H) + v(3 * H) + m(H, H) + v(H) + m(I, H) + v(I) + m(H, I) + v(H);
    return embeddingBytes(V, H, f) + v(config.maxPositions * H) + L * perLayer + v(2 * H) + m(V, H);
  }
  const D = config.headDim;
  const qkv = (config.numHeads + 2 * config.numKvHeads) * D;
  const gemma = config.architecture === 'gemma2';
  const attention = v(H) + m(qkv, H) + (config.attentionBias ? v(qkv) : 0) + m(H, config.numHeads * D) + (gemma ? v(H) : 0);
  const mlp = v(gemma ? 2 * H : H) + 2 * m(I, H) + m(H, I);
  return embeddingBytes(V, H, f) + L * (attention + mlp) + v(H) + m(V, H);
}

/**
 * Precisions a resolved device computes: the graphs' matmuls have kernels of that type on the
 * provider. The CPU provider (x64, onnxruntime 1.30) has fp16 kernels for norms, rotary
 * embedding, Gather, Transpose and Concat only; for MatMul, Add, Mul, Softmax, Gelu and the rest
 * it inserts Casts to fp32 and folds the weights into fp32 copies: more memory than fp32 itself
 * (4.4 GB resident for 1.8 GB of fp16 weights), so the CPU does not offer fp16. Nor bf16, which
 * has no CPU kernels at all. MatMulNBits runs 4- and 8-bit weights on the CPU, CUDA and WebGPU,
 * 4-bit only on DirectML; CoreML runs neither contrib operator.
 */
export function precisionsFor(device: string): Precision[] {
  switch (device) {
    case 'cpu':
      return ['fp32', 'int8', 'int4'];
    case 'webgpu':
      return ['fp32', 'fp16', 'int8', 'int4'];
    case 'cuda':
      return ['fp32', 'fp16', 'bf16', 'int8', 'int4'];
    case 'dml':
      return ['fp32', 'fp16', 'int4'];
    case 'coreml':
      return ['fp32', 'fp16'];
    default:
      return ['fp32'];
  }
}

export class PrecisionError extends Error {
  override readonly name = 'PrecisionError';
}

/** Refuses a precision the device does not compute, naming the device and what it offers. */
export function checkPrecision(precision: Precision, device: string, fallback?: string): void {
  if (!PRECISIONS.includes(precision)) throw new PrecisionError(`unknown precision ${String(precision)}; precisions are ${PRECISIONS.join(', ')}`);
  const offered = precisionsFor(device);
  if (offered.includes(precision)) return;
  const why = fallback ? ` (${fallback})` : '';
  const needs = precision === 'bf16' ? '; bf16 needs the CUDA provider' : precision === 'fp16' ? '; fp16 needs a GPU provider (cuda, webgpu, dml, coreml)' : '';
  throw new PrecisionError(`precision ${precision} is not computed on ${device}${why}; ${device} offers ${offered.join(', ')}${needs}`);
}
