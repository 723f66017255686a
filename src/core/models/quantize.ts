// Block-wise weight quantization into the layouts of onnxruntime's MatMulNBits and
// GatherBlockQuantized contrib operators. Written by hand: no JavaScript library writes those
// layouts (onnxruntime's own quantizers are Python tools meant to run over an exported ONNX file),
// and ours must take a checkpoint's matrix in row chunks straight from its safetensors bytes, so
// that the whole fp32 matrix is never held (an 8B model's embedding is 2 GB in fp32).
//
// A [rows, cols] matrix W (torch Linear [out, in], or an embedding [vocab, hidden]) is cut along
// each row into blocks of `blockSize` columns; each block keeps one fp32 scale (and, when
// asymmetric, one zero point) and `bits`-bit codes q, so that W ≈ (q − zero) · scale. Rounding
// is to nearest, so an element's error is at most half a step, and for a block of Gaussian
// weights its root mean square is step/√12 ≈ 0.6 σ / 2^bits.

export type QuantBits = 4 | 8;

export interface BlockQuantization {
  bits: QuantBits;
  /** Columns per block: a power of two ≥ 16 (the operators' constraint). */
  blockSize: number;
  /** Zero point fixed at 2^(bits−1) (not stored) instead of one per block. */
  symmetric: boolean;
}

/** A quantized [rows, cols] matrix in MatMulNBits' layout (GatherBlockQuantized reads the same). */
export interface QuantizedMatrix {
  rows: number;
  cols: number;
  bits: QuantBits;
  blockSize: number;
  blocksPerRow: number;
  /** [rows, blocksPerRow, blockSize·bits/8]; two 4-bit codes per byte, the even one low. */
  data: Uint8Array;
  /** [rows, blocksPerRow] */
  scales: Float32Array;
  /** [rows, ceil(blocksPerRow·bits/8)] when asymmetric, packed like the codes. */
  zeroPoints?: Uint8Array;
}

export function checkQuantization(q: BlockQuantization): void {
  if (q.bits !== 4 && q.bits !== 8) throw new Error(`quantization: ${q.bits} bits; 4 or 8 are supported`);
  if (!(Number.isInteger(q.blockSize) && q.blockSize >= 16 && (q.blockSize & (q.blockSize - 1)) === 0)) {
    throw new Error(`quantization: block size ${q.blockSize} is not a power of two ≥ 16`);
  }
}

/** Bytes of a quantized [rows, cols] matrix: codes, fp32 scales and zero points. */
export function quantizedBytes(rows: number, cols: number, q: BlockQuantization): number {
  const blocks = Math.ceil(cols / q.blockSize);
  const codes = rows * blocks * ((q.blockSize * q.bits) / 8);
  const zeros = q.symmetric ? 0 : rows * Math.ceil((blocks * q.bits) / 8);
  return codes + rows * blocks * 4 + zeros;
}

/**
 * Quantizes a matrix fed in pieces: rows of W as they are stored (`addRows`), or rows of its
 * transpose (`addTransposedRows`, for GPT-2's Conv1D weights stored [in, out]). Only the
 * quantized result and one block of scratch are held.
 */
export class MatrixQuantizer {
  private readonly out: QuantizedMatrix;
  private readonly block: Float32Array;
  private readonly blobBytes: number;
  private readonly zeroBytes: number;
  private filled = 0;

  constructor(
    readonly rows: number,
    readonly cols: number,
    private readonly spec: BlockQuantization,
  ) {
    checkQuantization(spec);
    const blocksPerRow = Math.ceil(cols / spec.blockSize);
    this.blobBytes = (spec.blockSize * spec.bits) / 8;
    this.zeroBytes = Math.ceil((blocksPerRow * spec.bits) / 8);
    this.out = {
      rows,
      cols,
      bits: spec.bits,
      blockSize: spec.blockSize,
      blocksPerRow,
      data: new Uint8Array(rows * blocksPerRow * this.blobBytes),
      scales: new Float32Array(rows * blocksPerRow),
      zeroPoints: spec.symmetric ? undefined : new Uint8Array(rows * this.zeroBytes),
    };
    this.block = new Float32Array(spec.blockSize);
  }

  /** Rows [row, row + n) of W, row-major (n·cols values). */
  addRows(row: number, values: Float32Array): void {
    const { cols } = this;
    const n = values.length / cols;
    if (!Number.isInteger(n) || row < 0 || row + n > this.rows) throw new Error(`quantizer: ${values.length} values at row ${row} do not fit [${this.rows}, ${cols}]`);
    const bs = this.spec.blockSize;
    for (let r = 0; r < n; r++) {
      const base = r * cols;
      for (let b = 0; b < this.out.blocksPerRow; b++) {
        const from = b * bs;
        const count = Math.min(bs, cols - from);
        for (let i = 0; i < count; i++) this.block[i] = values[base + from + i];
        this.block.fill(0, count);
        this.quantizeBlock(row + r, b);
      }
    }
    this.filled += n * cols;
  }

  /**
   * Rows [k, k + n) of Wᵀ ([cols, rows], row-major), i.e. columns k.. of W. `k` must start a
   * block and `n` must be a whole number of blocks unless the piece reaches the last column.
   */
  addTransposedRows(k: number, values: Float32Array): void {
    const { rows, cols } = this;
    const n = values.length / rows;
    const bs = this.spec.blockSize;
    if (!Number.isInteger(n) || k < 0 || k + n > cols) throw new Error(`quantizer: ${values.length} values at column ${k} do not fit [${rows}, ${cols}]`);
    if (k % bs !== 0 || (n % bs !== 0 && k + n !== cols)) throw new Error(`quantizer: columns [${k}, ${k + n}) are not whole blocks of ${bs}`);
    for (let from = 0; from < n; from += bs) {
      const count = Math.min(bs, n - from);
      const b = (k + from) / bs;
      for (let r = 0; r < rows; r++) {
        for (let i = 0; i < count; i++) this.block[i] = values[(from + i) * rows + r];
        this.block.fill(0, count);
        this.quantizeBlock(r, b);
      }
    }
    this.filled += n * rows;
  }

  finish(): QuantizedMatrix {
    if (this.filled !== this.rows * this.cols) throw new Error(`quantizer: ${this.filled} of ${this.rows * this.cols} values were given`);
    return this.out;
  }

  private quantizeBlock(row: number, b: number): void {
    const { bits, symmetric } = this.spec;
    const v = this.block;
    const n = v.length;
    const maxq = (1 << bits) - 1;
    const half = 1 << (bits - 1);
    let lo = 0;
    let hi = 0;
    for (let i = 0; i < n; i++) {
      const x = v[i];
      if (x < lo) lo = x;
      else if (x > hi) hi = x;
    }
    // The symmetric grid: ±absmax exactly, zero at code 2^(bits−1), one code left unused. Exact
    // extremes matter: weights of equal and opposite size are common and should stay so.
    let scale = Math.fround(Math.max(hi, -lo) / (half - 1));
    let zero = half;
    if (!symmetric && hi > lo) {
      // With a stored zero point each block takes whichever grid has the smaller squared error:
      // the symmetric one, or one stretched from min to max (finer for a lopsided block).
      const s = Math.fround((hi - lo) / maxq);
      const z = Math.min(maxq, Math.max(0, Math.round(-lo / s)));
      const invSym = scale === 0 ? 0 : 1 / scale;
      const invMinMax = 1 / s;
      let errSym = 0;
      let errMinMax = 0;
      for (let i = 0; i < n; i++) {
        const x = v[i];
        let q = Math.round(x * invSym) + half;
        q = q < 0 ? 0 : q > maxq ? maxq : q;
        const d = x - (q - half) * scale;
        errSym += d * d;
        let r = Math.round(x * invMinMax) + z;
        r = r < 0 ? 0 : r > maxq ? maxq : r;
        const e = x - (r - z) * s;
        errMinMax += e * e;
      }
      if (errMinMax < errSym) {
        scale = s;
        zero = z;
      }
    }
    const inv = scale === 0 ? 0 : 1 / scale;
    const o = this.out;
    o.scales[row * o.blocksPerRow + b] = scale;
    const data = o.data;
    const at = (row * o.blocksPerRow + b) * this.blobBytes;
    if (bits === 8) {
      for (let i = 0; i < n; i++) {
        const q = Math.round(v[i] * inv) + zero;
        data[at + i] = q < 0 ? 0 : q > 255 ? 255 : q;
      }
    } else {
      for (let j = 0; j < n >> 1; j++) {
        let q0 = Math.round(v[2 * j] * inv) + zero;
        let q1 = Math.round(v[2 * j + 1] * inv) + zero;
        q0 = q0 < 0 ? 0 : q0 > 15 ? 15 : q0;
        q1 = q1 < 0 ? 0 : q1 > 15 ? 15 : q1;
        data[at + j] = q0 | (q1 << 4);
      }
    }
    if (o.zeroPoints) {
      const zat = row * this.zeroBytes;
      if (bits === 8) o.zeroPoints[zat + b] = zero;
      else {
        const byte = zat + (b >> 1);
        o.zeroPoints[byte] = b & 1 ? (o.zeroPoints[byte] & 0x0f) | (zero << 4) : (o.zeroPoints[byte] & 0xf0) | zero;
      }
    }
  }
}

/** The code of element (row, col). */
function codeAt(q: QuantizedMatrix, row: number, col: number): number {
  const blob = (q.blockSize * q.bits) / 8;
  const b = Math.floor(col / q.blockSize);
  const i = col % q.blockSize;
  const at = (row * q.blocksPerRow + b) * blob;
  if (q.bits === 8) return q.data[at + i];
  const byte = q.data[at + (i >> 1)];
  return i & 1 ? byte >> 4 : byte & 0x0f;
}

function zeroAt(q: QuantizedMatrix, row: number, b: number): number {
  if (!q.zeroPoints) return 1 << (q.bits - 1);
  const zeroBytes = Math.ceil((q.blocksPerRow * q.bits) / 8);
  if (q.bits === 8) return q.zeroPoints[row * zeroBytes + b];
  const byte = q.zeroPoints[row * zeroBytes + (b >> 1)];
  return b & 1 ? byte >> 4 : byte & 0x0f;
}

/** The matrix a quantized one stands for, [rows, cols] (tests and error bounds). */
export function dequantize(q: QuantizedMatrix): Float32Array {
  const out = new Float32Array(q.rows * q.cols);
  for (let r = 0; r < q.rows; r++) {
    for (let c = 0; c < q.cols; c++) {
      const b = Math.floor(c / q.blockSize);
      out[r * q.cols + c] = (codeAt(q, r, c) - zeroAt(q, r, b)) * q.scales[r * q.blocksPerRow + b];
    }
  }
  return out;
}
