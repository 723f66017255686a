// Typed access to checkpoint tensors with the shape each architecture expects, so a checkpoint
// that disagrees with its config fails with the tensor's name rather than deep inside a session;
// large matrices are read in row pieces so that no conversion holds a whole one in fp32.
import { CheckpointError } from '../errors.js';
import type { WeightSource, WeightTensor } from '../types.js';

/** Values per piece when a matrix is read in rows (4 MiB of fp32). */
const PIECE = 1 << 20;

export class Weights {
  constructor(private readonly source: WeightSource) {}

  has(name: string): boolean {
    return this.source.has(name);
  }

  /** The tensor `name`, checked to have `shape`. */
  get(name: string, shape: number[]): WeightTensor {
    const t = this.source.get(name);
    this.check(name, t.shape, shape);
    return t;
  }

  /** The first of `names` that exists (checkpoints differ in prefixes), checked to have `shape`. */
  first(names: string[], shape: number[]): WeightTensor {
    const found = names.find((n) => this.source.has(n));
    return this.get(found ?? names[0], shape);
  }

  /**
   * Calls `each(row, values)` over a [rows, cols] matrix in pieces of whole rows (a multiple of
   * `multiple` rows each, except the last), in order. A source that reads from disk is read piece
   * by piece; another is read once and cut.
   */
  eachRows(name: string, shape: [number, number], each: (row: number, values: Float32Array) => void, multiple = 1): void {
    const [rows, cols] = shape;
    const step = Math.max(multiple, Math.floor(PIECE / cols / multiple) * multiple);
    const { rows: read, info } = this.source;
    if (!read || !info) {
      const all = this.get(name, shape).data;
      for (let r = 0; r < rows; r += step) each(r, all.subarray(r * cols, Math.min(rows, r + step) * cols));
      return;
    }
    this.check(name, info.call(this.source, name).shape, shape);
    for (let r = 0; r < rows; r += step) each(r, read.call(this.source, name, r, Math.min(step, rows - r)));
  }

  private check(name: string, actual: number[], shape: number[]): void {
    if (actual.length !== shape.length || actual.some((d, i) => d !== shape[i])) {
      throw new CheckpointError('shape-mismatch', `tensor ${name} has shape [${actual}], expected [${shape}] from config.json`, { name });
    }
  }
}
