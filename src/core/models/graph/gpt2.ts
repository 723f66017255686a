// Slice graphs of GPT-2: learned absolute positions, LayerNorm, Conv1D weights stored [in, out],
// fused q/k/v projection, GELU (tanh approximation) and a tied unembedding.
import { GraphBuilder } from './builder.js';
import { IO } from './io.js';
import type { Matrices } from './matrices.js';
import { activation, attentionCore, layerNorm } from './ops.js';
import { Weights } from './weights.js';
import type { ModelConfig } from '../types.js';
import type { SliceGraphs } from './slices.js';

export function gpt2Graphs(c: ModelConfig, weights: Weights, matrices: Matrices): SliceGraphs {
  const H = c.hiddenSize;
  const D = c.headDim;
  const V = c.vocabSize;
  const ft = matrices.format.floatType;
  // Checkpoints saved from GPT2LMHeadModel prefix the names with "transformer."; the original
  // GPT2Model files do not.
  const prefix = weights.has('transformer.wte.weight') ? 'transformer.' : '';
  const w = (name: string, shape: number[]) => weights.get(prefix + name, shape);
  const ln = (g: GraphBuilder, x: string, name: string) => layerNorm(g, x, w(`${name}.weight`, [H]), w(`${name}.bias`, [H]), c.normEps);
  const conv1d = (g: GraphBuilder, x: string, name: string, inDim: number, outDim: number, hint: string) =>
    matrices.conv1d(g, x, `${prefix}${name}.weight`, inDim, outDim, `${prefix}${name}.bias`, hint);

  return {
    embed() {
      const g = new GraphBuilder('embed', ft);
      const ids = g.input(IO.inputIds, 'int64', ['B', 'S']);
      const pos = g.input(IO.positionIds, 'int64', ['B', 'S']);
      const tok = matrices.embedding(g, ids, `${prefix}wte.weight`, V, H, 'wte');
      // The position table is small (positions × hidden) and stays in the compute type.
      const wpe = w('wpe.weight', [c.maxPositions, H]);
      const posEmb = g.op('Gather', [g.floats('wpe', wpe.data, wpe.shape), pos], { axis: 0 });
      g.floatOutput(g.op('Add', [tok, posEmb]), IO.embed, ['B', 'S', H]);
      return g;
    },

    attention(l) {
      const g = new GraphBuilder(`attention_${l}`, ft);
      const p = `h.${l}.`;
      const resid = g.floatInput(IO.residPre, ['B', 'S', H]);
      const mask = g.input(IO.attnMask, 'float32', ['B', 'S', 'T']);
      const pastKey = g.floatInput(IO.pastKey, ['B', c.numHeads, 'P', D]);
      const pastValue = g.floatInput(IO.pastValue, ['B', c.numHeads, 'P', D]);
      const x = ln(g, resid, `${p}ln_1`);
      const qkv = conv1d(g, x, `${p}attn.c_attn`, H, 3 * H, 'c_attn');
      const core = attentionCore(g, {
        qkv, mask, pastKey, pastValue,
        numHeads: c.numHeads, numKvHeads: c.numHeads, headDim: D, scale: 1 / Math.sqrt(D),
      });
      const out = conv1d(g, core.out, `${p}attn.c_proj`, H, H, 'c_proj');
      g.floatOutput(out, IO.attnOut, ['B', 'S', H]);
      g.floatOutput(core.presentKey, IO.presentKey, ['B', c.numHeads, 'T', D]);
      g.floatOutput(core.presentValue, IO.presentValue, ['B', c.numHeads, 'T', D]);
      return g;
    },

    mlp(l) {
      const g = new GraphBuilder(`mlp_${l}`, ft);
      const p = `h.${l}.`;
      const I = c.intermediateSize;
      const resid = g.floatInput(IO.residMid, ['B', 'S', H]);
      const x = ln(g, resid, `${p}ln_2`);
      const h = activation(g, conv1d(g, x, `${p}mlp.c_fc`, H, I, 'c_fc'), c.hiddenAct);
      const out = conv1d(g, h, `${p}mlp.c_proj`, I, H, 'mlp_c_proj');
      g.floatOutput(out, IO.mlpOut, ['B', 'S', H]);
      return g;
    },

    norm() {
      const g = new GraphBuilder('norm', ft);
      const x = g.floatInput(IO.residPost, ['B', 'S', H]);
      g.floatOutput(ln(g, x, 'ln_f'), IO.normalized, ['B', 'S', H]);
      return g;
    },

    head() {
      const g = new GraphBuilder('head', ft);
      const x = g.floatInput(IO.normalized, ['B', 'S', H]);
      const table = !c.tieWordEmbeddings && weights.has('lm_head.weight') ? 'lm_head.weight' : `${prefix}wte.weight`;
      g.floatOutput(matrices.unembedding(g, x, table, V, H, 'lm_head'), IO.logits, ['B', 'S', V]);
      return g;
    },
  };
}
