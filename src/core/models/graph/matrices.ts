// The checkpoint's matrices written into graphs at a precision: projections (x @ Wᵀ + b), the
// token embedding and the unembedding. Float precisions store the weights in the graph's float
// type for MatMul and Gather; int8/int4 store them block-quantized for onnxruntime's MatMulNBits
// and GatherBlockQuantized. Every matrix is read in row pieces and converted straight into its
// stored form, so no conversion holds a whole matrix in fp32 unless fp32 is what is stored.
import { MS_DOMAIN, type GraphBuilder } from './builder.js';
import type { Weights } from './weights.js';
import { embeddingQuantization, OUTLIER_RATIO, type PrecisionFormat, type QuantizedFormat } from '../precision.js';
import { MatrixQuantizer, type QuantizedMatrix } from '../quantize.js';
import { floatToBfloat16Bits, floatToHalfBits } from '../safetensors.js';

/** A torch Linear weight [out, in] by name. */
export interface Projection {
  name: string;
  out: number;
  in: number;
  /** Its bias [out], when it has one. */
  bias?: string;
}

export class Matrices {
  constructor(
    private readonly weights: Weights,
    readonly format: PrecisionFormat,
  ) {}

  /**
   * x @ Wᵀ + b for torch Linear weights, several projections fused into one matmul whose output
   * columns are the projections side by side (one GEMM instead of several).
   */
  linear(g: GraphBuilder, x: string, parts: Projection[], hint: string): string {
    const K = parts[0].in;
    const N = parts.reduce((a, p) => a + p.out, 0);
    for (const p of parts) if (p.in !== K) throw new Error(`${p.name}: fused projections must share their input size (${p.in} vs ${K})`);
    const bias = parts.some((p) => p.bias) ? this.concatBiases(parts) : undefined;
    const q = this.format.quant;
    if (q) {
      // Two passes over the rows: the first finds the outlier input columns, the second
      // quantizes the rest and moves those columns to the fp32 side matrix [columns, N].
      const stats = new ColumnStats(K);
      for (const p of parts) this.weights.eachRows(p.name, [p.out, K], (_, values) => stats.addRows(values));
      const cols = stats.outliers(q.outlierColumns);
      const side = new Float32Array(cols.length * N);
      const quantizer = new MatrixQuantizer(N, K, q);
      let offset = 0;
      for (const p of parts) {
        this.weights.eachRows(p.name, [p.out, K], (row, values) => {
          if (cols.length) {
            const n = values.length / K;
            values = values.slice();
            for (let r = 0; r < n; r++) {
              cols.forEach((k, j) => {
                side[j * N + offset + row + r] = values[r * K + k];
                values[r * K + k] = 0;
              });
            }
          }
          quantizer.addRows(offset + row, values);
        });
        offset += p.out;
      }
      return this.addBias(g, this.quantizedMatMul(g, x, quantizer.finish(), q, cols, side, hint), bias, hint);
    }
    // MatMul takes W as [in, out]: each piece of rows becomes columns of the stored matrix.
    const store = this.floatStore(K * N);
    let offset = 0;
    for (const p of parts) {
      this.weights.eachRows(p.name, [p.out, K], (row, values) => {
        const n = values.length / K;
        for (let r = 0; r < n; r++) {
          const col = offset + row + r;
          for (let k = 0; k < K; k++) store.set(k * N + col, values[r * K + k]);
        }
      });
      offset += p.out;
    }
    return this.addBias(g, g.op('MatMul', [x, store.constant(g, hint, [K, N])]), bias, hint);
  }

  /** x @ W + b for weights stored [in, out] (GPT-2's Conv1D). */
  conv1d(g: GraphBuilder, x: string, name: string, inDim: number, outDim: number, biasName: string, hint: string): string {
    const bias = this.weights.get(biasName, [outDim]).data;
    const q = this.format.quant;
    if (q) {
      // Input features are the stored rows here: an outlier feature is a row of large weights.
      const stats = new ColumnStats(inDim);
      this.weights.eachRows(name, [inDim, outDim], (row, values) => stats.addTransposedRows(row, values, outDim));
      const cols = stats.outliers(q.outlierColumns);
      const side = new Float32Array(cols.length * outDim);
      const quantizer = new MatrixQuantizer(outDim, inDim, q);
      this.weights.eachRows(
        name,
        [inDim, outDim],
        (row, values) => {
          const n = values.length / outDim;
          const here = cols.filter((k) => k >= row && k < row + n);
          if (here.length) values = values.slice();
          for (const k of here) {
            side.set(values.subarray((k - row) * outDim, (k - row + 1) * outDim), cols.indexOf(k) * outDim);
            values.fill(0, (k - row) * outDim, (k - row + 1) * outDim);
          }
          quantizer.addTransposedRows(row, values);
        },
        q.blockSize,
      );
      return this.addBias(g, this.quantizedMatMul(g, x, quantizer.finish(), q, cols, side, hint), bias, hint);
    }
    const store = this.floatStore(inDim * outDim);
    this.weights.eachRows(name, [inDim, outDim], (row, values) => store.setAll(row * outDim, values));
    return this.addBias(g, g.op('MatMul', [x, store.constant(g, hint, [inDim, outDim])]), bias, hint);
  }

  /**
   * Rows `ids` of the [vocab, hidden] table `name`, in the graph's float type. Quantized tables
   * are gathered by GatherBlockQuantized, which dequantizes only the rows it gathers.
   */
  embedding(g: GraphBuilder, ids: string, name: string, vocab: number, hidden: number, hint: string): string {
    const q = this.format.quant && embeddingQuantization(hidden, this.format.quant);
    if (q) {
      const quantizer = new MatrixQuantizer(vocab, hidden, q);
      this.weights.eachRows(name, [vocab, hidden], (row, values) => quantizer.addRows(row, values));
      const m = quantizer.finish();
      const data = g.weight(hint, 'uint8', m.data, [vocab, (hidden * m.bits) / 8]);
      const scales = g.weight(`${hint}_scales`, 'float32', m.scales, [vocab, m.blocksPerRow]);
      return g.op('GatherBlockQuantized', [data, ids, scales], { gather_axis: 0, quantize_axis: 1, block_size: m.blockSize, bits: m.bits }, MS_DOMAIN);
    }
    const store = this.floatStore(vocab * hidden);
    this.weights.eachRows(name, [vocab, hidden], (row, values) => store.setAll(row * hidden, values));
    return g.op('Gather', [store.constant(g, hint, [vocab, hidden]), ids], { axis: 0 });
  }

  /** x @ Eᵀ for a [vocab, hidden] table (the unembedding, tied or not). */
  unembedding(g: GraphBuilder, x: string, name: string, vocab: number, hidden: number, hint: string): string {
    return this.linear(g, x, [{ name, out: vocab, in: hidden }], hint);
  }

  /** x @ Wᵀ for a quantized W, plus x's outlier columns times their fp32 weights [columns, N]. */
  private quantizedMatMul(g: GraphBuilder, x: string, m: QuantizedMatrix, q: QuantizedFormat, cols: number[], side: Float32Array, hint: string): string {
    const blob = (m.blockSize * m.bits) / 8;
    const inputs = [
      x,
      g.weight(hint, 'uint8', m.data, [m.rows, m.blocksPerRow, blob]),
      g.weight(`${hint}_scales`, 'float32', m.scales, [m.rows * m.blocksPerRow]),
    ];
    if (m.zeroPoints) inputs.push(g.weight(`${hint}_zeros`, 'uint8', m.zeroPoints, [m.zeroPoints.length]));
    const y = g.op('MatMulNBits', inputs, { K: m.cols, N: m.rows, bits: m.bits, block_size: m.blockSize, accuracy_level: q.accuracyLevel }, MS_DOMAIN);
    if (!cols.length) return y;
    const picked = g.op('Gather', [x, g.ints(cols)], { axis: -1 });
    return g.op('Add', [y, g.op('MatMul', [picked, g.weight(`${hint}_outliers`, 'float32', side, [cols.length, m.rows])])]);
  }

  private addBias(g: GraphBuilder, y: string, bias: Float32Array | undefined, hint: string): string {
    if (!bias) return y;
    return g.op('Add', [y, g.floats(`${hint}_b`, bias, [bias.length])]);
  }

  private concatBiases(parts: Projection[]): Float32Array {
    const out = new Float32Array(parts.reduce((a, p) => a + p.out, 0));
    let off = 0;
    for (const p of parts) {
      if (p.bias) out.set(this.weights.get(p.bias, [p.out]).data, off);
      off += p.out;
    }
    return out;
  }

  /** Storage for `n` values in the float type. */
  private floatStore(n: number): FloatStore {
    const type = this.format.floatType;
    return type === 'float32' ? new Float32Store(n) : new HalfStore(n, type);
  }
}

/**
 * Input columns whose weights stand far out from the rest of the matrix. A block shares one scale
 * across 16–128 input features, so one large weight coarsens every other weight of its block
 * (a block holding 12 next to weights of 0.2 rounds them in steps of 0.05–0.1 at int8). Such columns —
 * features that transformers route through a few dimensions — are kept in fp32 beside the
 * quantized matrix, which is the weight-side form of LLM.int8()'s outlier decomposition: a column
 * whose largest weight exceeds OUTLIER_RATIO times the matrix's root mean square, at most
 * `outlierColumns` of them (8 by default), the largest first. Gaussian weights almost never
 * qualify (the largest of 10⁸ draws is about 6 standard deviations).
 */
class ColumnStats {
  private readonly peak: Float64Array;
  private sumSquares = 0;
  private count = 0;

  constructor(private readonly K: number) {
    this.peak = new Float64Array(K);
  }

  /** Rows of W [.., K]. */
  addRows(values: Float32Array): void {
    const { K, peak } = this;
    for (let i = 0; i < values.length; i++) {
      const a = Math.abs(values[i]);
      this.sumSquares += a * a;
      const k = i % K;
      if (a > peak[k]) peak[k] = a;
    }
    this.count += values.length;
  }

  /** Rows k.. of Wᵀ [K, N] (N values each): each row is one input column. */
  addTransposedRows(k: number, values: Float32Array, N: number): void {
    for (let r = 0; r * N < values.length; r++) {
      let m = 0;
      for (let i = r * N; i < (r + 1) * N; i++) {
        const a = Math.abs(values[i]);
        this.sumSquares += a * a;
        if (a > m) m = a;
      }
      this.peak[k + r] = m;
    }
    this.count += values.length;
  }

  /** The `most` largest outlier columns, ascending. */
  outliers(most: number): number[] {
    const rms = Math.sqrt(this.sumSquares / Math.max(1, this.count));
    if (rms === 0) return [];
    return [...this.peak.keys()]
      .filter((k) => this.peak[k] > OUTLIER_RATIO * rms)
      .sort((a, b) => this.peak[b] - this.peak[a])
      .slice(0, most)
      .sort((a, b) => a - b);
  }
}

interface FloatStore {
  set(i: number, v: number): void;
  setAll(at: number, values: Float32Array): void;
  constant(g: GraphBuilder, hint: string, dims: number[]): string;
}

class Float32Store implements FloatStore {
  private readonly data: Float32Array;
  constructor(n: number) {
    this.data = new Float32Array(n);
  }
  set(i: number, v: number): void {
    this.data[i] = v;
  }
  setAll(at: number, values: Float32Array): void {
    this.data.set(values, at);
  }
  constant(g: GraphBuilder, hint: string, dims: number[]): string {
    return g.weight(hint, 'float32', this.data, dims);
  }
}

/** fp16 or bf16 values kept as their bits (Node 20 has no Float16Array). */
class HalfStore implements FloatStore {
  private readonly data: Uint16Array;
  private readonly conv: (x: number) => number;
  constructor(
    n: number,
    private readonly type: 'float16' | 'bfloat16',
  ) {
    this.data = new Uint16Array(n);
    this.conv = type === 'float16' ? floatToHalfBits : floatToBfloat16Bits;
  }
  set(i: number, v: number): void {
    this.data[i] = this.conv(v);
  }
  setAll(at: number, values: Float32Array): void {
    for (let i = 0; i < values.length; i++) this.data[at + i] = this.conv(values[i]);
  }
  constant(g: GraphBuilder, hint: string, dims: number[]): string {
    return g.weight(hint, this.type, this.data, dims);
  }
}
