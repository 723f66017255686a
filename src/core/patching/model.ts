// What the patcher and the scorers need from a model, as narrow interfaces: the layer-wise steps
// (to resume a forward pass at any layer and reuse cached keys/values) and a full forward with
// hook replacement (the plain path). The runtime's LoadedModel is adapted to these in adapter.ts;
// tests may supply any other implementation of the same maths.

// Activations, caches and batches are the runtime's own types (a StepBatch is the runtime's Batch:
// a segment of a left-padded batch, `length` new columns after `past` cached ones).
import type { Act, KV } from '../models/model.js';
import type { Batch as StepBatch } from '../models/graph/batch.js';
export type { Act, KV, StepBatch };

export interface StepModel {
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly vocabSize: number;
  /** kvHeads × headDim: the width of one column of one layer's keys (or values). */
  readonly kvWidth: number;
  /** hook_embed for the segment's new columns. */
  embed(batch: StepBatch): Promise<Act>;
  /** attn_out for the new columns and the layer's keys/values over past + new columns. */
  attention(layer: number, residPre: Act, batch: StepBatch, past?: KV): Promise<{ attnOut: Act; present: KV }>;
  mlp(layer: number, residMid: Act): Promise<Act>;
  /** Logits [B, S', V] at the last column (S' = 1) or at every column. */
  logits(residPost: Act, at: 'last' | 'all'): Promise<Act>;
}

export interface HookedRunOptions {
  /** Hook names whose activations to return. */
  collect?: string[];
  /** Called at every hook in order; a returned activation replaces the hook's value. */
  replace?: (hook: string, act: Act) => Act | undefined;
  /** Columns to compute logits for; explicit ones may count from the end (−1 is the last). */
  logitsAt: 'last' | 'all' | number[];
}

export interface HookedModel {
  run(batch: StepBatch, opts: HookedRunOptions): Promise<{ logits: Act; collected: Map<string, Act> }>;
}

export type PatchableModel = StepModel & HookedModel;

/** Bytes held by an activation. */
export const actBytes = (a: Act) => a.data.byteLength;
