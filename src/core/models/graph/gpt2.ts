// Slice graphs of GPT-2: learned absolute positions, LayerNorm, Conv1D weights stored [in, out],
// fused q/k/v projection, GELU (tanh approximation) and a tied unembedding.
import { GraphBuilder } from './builder.js';
import { IO } from './io.js';
import { activation, attentionCore, conv1d, layerNorm, transpose2d } from './ops.js';
import { Weights } from './weights.js';
import type { ModelConfig } from '../types.js';
import type { SliceGraphs } from './slices.js';

export function gpt2Graphs(c: ModelConfig, weights: Weights): SliceGraphs {
  const H = c.hiddenSize;
  const D = c.headDim;
  const V = c.vocabSize;
  // Checkpoints saved from GPT2LMHeadModel prefix the names with "transformer."; the original
  // GPT2Model files do not.
  const prefix = weights.has('transformer.wte.weight') ? 'transformer.' : '';
  const w = (name: string, shape: number[]) => weights.get(prefix + name, shape);
  const ln = (g: GraphBuilder, x: string, name: string) => layerNorm(g, x, w(`${name}.weight`, [H]), w(`${name}.bias`, [H]), c.normEps);

  return {
    embed() {
      const g = new GraphBuilder('embed');
      const ids = g.input(IO.inputIds, 'int64', ['B', 'S']);
      const pos = g.input(IO.positionIds, 'int64', ['B', 'S']);
      const wte = w('wte.weight', [V, H]);
      const wpe = w('wpe.weight', [c.maxPositions, H]);
      const tok = g.op('Gather', [g.constant('wte', wte.data, wte.shape), ids], { axis: 0 });
      const posEmb = g.op('Gather', [g.constant('wpe', wpe.data, wpe.shape), pos], { axis: 0 });
      g.output(g.op('Add', [tok, posEmb]), IO.embed, 'float32', ['B', 'S', H]);
      return g;
    },

    attention(l) {
      const g = new GraphBuilder(`attention_${l}`);
      const p = `h.${l}.`;
      const resid = g.input(IO.residPre, 'float32', ['B', 'S', H]);
      const mask = g.input(IO.attnMask, 'float32', ['B', 'S', 'T']);
      const pastKey = g.input(IO.pastKey, 'float32', ['B', c.numHeads, 'P', D]);
      const pastValue = g.input(IO.pastValue, 'float32', ['B', c.numHeads, 'P', D]);
      const x = ln(g, resid, `${p}ln_1`);
      const qkv = conv1d(g, x, w(`${p}attn.c_attn.weight`, [H, 3 * H]), w(`${p}attn.c_attn.bias`, [3 * H]), 'c_attn');
      const core = attentionCore(g, {
        qkv, mask, pastKey, pastValue,
        numHeads: c.numHeads, numKvHeads: c.numHeads, headDim: D, scale: 1 / Math.sqrt(D),
      });
      const out = conv1d(g, core.out, w(`${p}attn.c_proj.weight`, [H, H]), w(`${p}attn.c_proj.bias`, [H]), 'c_proj');
      g.output(out, IO.attnOut, 'float32', ['B', 'S', H]);
      g.output(core.presentKey, IO.presentKey, 'float32', ['B', c.numHeads, 'T', D]);
      g.output(core.presentValue, IO.presentValue, 'float32', ['B', c.numHeads, 'T', D]);
      return g;
    },

    mlp(l) {
      const g = new GraphBuilder(`mlp_${l}`);
      const p = `h.${l}.`;
      const I = c.intermediateSize;
      const resid = g.input(IO.residMid, 'float32', ['B', 'S', H]);
      const x = ln(g, resid, `${p}ln_2`);
      const h = activation(g, conv1d(g, x, w(`${p}mlp.c_fc.weight`, [H, I]), w(`${p}mlp.c_fc.bias`, [I]), 'c_fc'), c.hiddenAct);
      const out = conv1d(g, h, w(`${p}mlp.c_proj.weight`, [I, H]), w(`${p}mlp.c_proj.bias`, [H]), 'mlp_c_proj');
      g.output(out, IO.mlpOut, 'float32', ['B', 'S', H]);
      return g;
    },

    norm() {
      const g = new GraphBuilder('norm');
      const x = g.input(IO.residPost, 'float32', ['B', 'S', H]);
      g.output(ln(g, x, 'ln_f'), IO.normalized, 'float32', ['B', 'S', H]);
      return g;
    },

    head() {
      const g = new GraphBuilder('head');
      const x = g.input(IO.normalized, 'float32', ['B', 'S', H]);
      const table = !c.tieWordEmbeddings && weights.has('lm_head.weight') ? weights.get('lm_head.weight', [V, H]) : w('wte.weight', [V, H]);
      g.output(g.op('MatMul', [x, g.constant('lm_head', transpose2d(table.data, V, H), [H, V])]), IO.logits, 'float32', ['B', 'S', V]);
      return g;
    },
  };
}
