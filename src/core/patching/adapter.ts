// The runtime's LoadedModel seen through the patcher's narrow interfaces. Kept apart so the
// scheduler and scorers depend on a few methods, not on the runtime's module.
import type { LoadedModel } from '../models/model.js';
import type { Act, HookedRunOptions, PatchableModel, StepBatch } from './model.js';

export function asStepModel(model: LoadedModel): PatchableModel {
  const c = model.config;
  return {
    numLayers: model.numLayers,
    hiddenSize: c.hiddenSize,
    vocabSize: c.vocabSize,
    kvWidth: c.numKvHeads * c.headDim,
    embed: (batch: StepBatch) => model.embed(batch),
    attention: (layer, residPre, batch, past) => model.attention(layer, residPre, batch, past),
    mlp: (layer, residMid) => model.mlp(layer, residMid),
    logits: async (residPost: Act, at: 'last' | 'all') => (await model.unembed(residPost, at)).logits,
    run: async (batch: StepBatch, opts: HookedRunOptions) => {
      const r = await model.run(batch, { collect: opts.collect, replace: opts.replace, logitsAt: opts.logitsAt });
      return { logits: r.logits, collected: r.hooks };
    },
  };
}
