// Entry point of graph building: picks the architecture's slice builders and states the
// per-layer facts (sliding windows, rotary positions) the run API needs.
import { CheckpointError } from '../errors.js';
import { SUPPORTED_ARCHITECTURES, type ModelConfig, type WeightSource } from '../types.js';
import { gpt2Graphs } from './gpt2.js';
import { llamaGraphs } from './llama.js';
import { Matrices } from './matrices.js';
import type { SliceGraphs } from './slices.js';
import { Weights } from './weights.js';
import { precisionFormat, type PrecisionFormat } from '../precision.js';

export type { SliceGraphs } from './slices.js';
export { hookNames, blockHook, BLOCK_HOOKS, type BlockHook } from './hooks.js';
export { makeBatch, sliceBatch, attentionMask, type Batch } from './batch.js';
export { IO } from './io.js';

/** The slices of a model whose weights are stored and computed at `format`. */
export function sliceGraphs(config: ModelConfig, weights: WeightSource, format: PrecisionFormat = precisionFormat('fp32')): SliceGraphs {
  const w = new Weights(weights);
  const m = new Matrices(w, format);
  switch (config.architecture) {
    case 'llama':
    case 'mistral':
    case 'qwen2':
    case 'gemma2':
      return llamaGraphs(config, w, m);
    case 'gpt2':
      return gpt2Graphs(config, w, m);
    default: {
      const named = (config.raw?.architectures as string[] | undefined)?.[0] ?? String(config.architecture);
      throw new CheckpointError(
        'unsupported-architecture',
        `architecture ${named} is not supported; supported: ${SUPPORTED_ARCHITECTURES.join(', ')}`,
        { name: named },
      );
    }
  }
}

/** Rotary models take cos/sin inputs; GPT-2 adds learned positions in its embedding graph. */
export const usesRotary = (c: ModelConfig) => c.architecture !== 'gpt2';

/** The sliding window of `layer`, or undefined for full causal attention. */
export function layerWindow(c: ModelConfig, layer: number): number | undefined {
  if (c.slidingWindow === undefined || c.slidingWindow === null) return undefined;
  if (c.architecture === 'gemma2') return layer % 2 === 0 ? c.slidingWindow : undefined;
  if (c.architecture === 'mistral' || c.architecture === 'qwen2') return c.slidingWindow;
  return undefined;
}
