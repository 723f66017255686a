// Typed access to checkpoint tensors with the shape each architecture expects, so a checkpoint
// that disagrees with its config fails with the tensor's name rather than deep inside a session.
import { CheckpointError } from '../errors.js';
import type { WeightSource, WeightTensor } from '../types.js';

export class Weights {
  constructor(private readonly source: WeightSource) {}

  has(name: string): boolean {
    return this.source.has(name);
  }

  /** The tensor `name`, checked to have `shape`. */
  get(name: string, shape: number[]): WeightTensor {
    const t = this.source.get(name);
    if (t.shape.length !== shape.length || t.shape.some((d, i) => d !== shape[i])) {
      throw new CheckpointError('shape-mismatch', `tensor ${name} has shape [${t.shape}], expected [${shape}] from config.json`, { name });
    }
    return t;
  }

  /** The first of `names` that exists (checkpoints differ in prefixes), checked to have `shape`. */
  first(names: string[], shape: number[]): WeightTensor {
    const found = names.find((n) => this.source.has(n));
    return this.get(found ?? names[0], shape);
  }
}
