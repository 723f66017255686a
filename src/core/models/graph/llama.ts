// Slice graphs of the Llama family (Llama 2/3, Mistral, Qwen2, Gemma-2): RMSNorm, rotary
// positions, grouped key/value heads, SwiGLU/GeGLU MLP, optional q/k/v biases. Gemma-2's switches:
// scaled embeddings, (1 + w) RMSNorm, norms after attention and MLP as well as before, soft-capped
// attention and final logits, and its own query scaling.
import { GraphBuilder } from './builder.js';
import { IO } from './io.js';
import type { Matrices } from './matrices.js';
import { activation, attentionCore, rmsNorm, softcap } from './ops.js';
import { Weights } from './weights.js';
import type { ModelConfig } from '../types.js';
import type { SliceGraphs } from './slices.js';

export function llamaGraphs(config: ModelConfig, weights: Weights, matrices: Matrices): SliceGraphs {
  const c = config;
  const gemma = c.architecture === 'gemma2';
  const H = c.hiddenSize;
  const D = c.headDim;
  const V = c.vocabSize;
  const ft = matrices.format.floatType;
  const layer = (l: number) => `model.layers.${l}.`;
  const vec = (name: string, n = H) => weights.get(name, [n]);
  const norm = (g: GraphBuilder, x: string, name: string) => rmsNorm(g, x, vec(name), c.normEps, gemma);
  const proj = (name: string, out: number, inDim: number, bias?: boolean) => ({ name: `${name}.weight`, out, in: inDim, bias: bias ? `${name}.bias` : undefined });

  return {
    embed() {
      const g = new GraphBuilder('embed', ft);
      const ids = g.input(IO.inputIds, 'int64', ['B', 'S']);
      let x = matrices.embedding(g, ids, 'model.embed_tokens.weight', V, H, 'embed_tokens');
      // Gemma scales by sqrt(hidden) rounded to the activation dtype.
      if (gemma) x = g.op('Mul', [x, g.scalar(Math.fround(Math.sqrt(H)))]);
      g.floatOutput(x, IO.embed, ['B', 'S', H]);
      return g;
    },

    attention(l) {
      const g = new GraphBuilder(`attention_${l}`, ft);
      const p = layer(l);
      const resid = g.floatInput(IO.residPre, ['B', 'S', H]);
      const mask = g.input(IO.attnMask, 'float32', ['B', 'S', 'T']);
      const pastKey = g.floatInput(IO.pastKey, ['B', c.numKvHeads, 'P', D]);
      const pastValue = g.floatInput(IO.pastValue, ['B', c.numKvHeads, 'P', D]);
      const cos = g.floatInput(IO.cos, ['B', 'S', D / 2]);
      const sin = g.floatInput(IO.sin, ['B', 'S', D / 2]);
      const x = norm(g, resid, `${p}input_layernorm.weight`);
      const qkv = matrices.linear(g, x, [
        proj(`${p}self_attn.q_proj`, c.numHeads * D, H, c.attentionBias),
        proj(`${p}self_attn.k_proj`, c.numKvHeads * D, H, c.attentionBias),
        proj(`${p}self_attn.v_proj`, c.numKvHeads * D, H, c.attentionBias),
      ], 'qkv');
      const scale = gemma ? 1 / Math.sqrt(c.queryPreAttnScalar ?? D) : 1 / Math.sqrt(D);
      const core = attentionCore(g, {
        qkv, cos, sin, mask, pastKey, pastValue, scale,
        numHeads: c.numHeads, numKvHeads: c.numKvHeads, headDim: D,
        softcap: gemma ? c.attnLogitSoftcapping : undefined,
      });
      let out = matrices.linear(g, core.out, [proj(`${p}self_attn.o_proj`, H, c.numHeads * D)], 'o_proj');
      if (gemma) out = norm(g, out, `${p}post_attention_layernorm.weight`);
      g.floatOutput(out, IO.attnOut, ['B', 'S', H]);
      g.floatOutput(core.presentKey, IO.presentKey, ['B', c.numKvHeads, 'T', D]);
      g.floatOutput(core.presentValue, IO.presentValue, ['B', c.numKvHeads, 'T', D]);
      return g;
    },

    mlp(l) {
      const g = new GraphBuilder(`mlp_${l}`, ft);
      const p = layer(l);
      const I = c.intermediateSize;
      const resid = g.floatInput(IO.residMid, ['B', 'S', H]);
      const x = norm(g, resid, gemma ? `${p}pre_feedforward_layernorm.weight` : `${p}post_attention_layernorm.weight`);
      // Two GEMMs rather than one fused one: splitting a fused output's last axis costs a strided copy.
      const gate = matrices.linear(g, x, [proj(`${p}mlp.gate_proj`, I, H)], 'gate_proj');
      const up = matrices.linear(g, x, [proj(`${p}mlp.up_proj`, I, H)], 'up_proj');
      const h = g.op('Mul', [activation(g, gate, c.hiddenAct), up]);
      let out = matrices.linear(g, h, [proj(`${p}mlp.down_proj`, H, I)], 'down_proj');
      if (gemma) out = norm(g, out, `${p}post_feedforward_layernorm.weight`);
      g.floatOutput(out, IO.mlpOut, ['B', 'S', H]);
      return g;
    },

    norm() {
      const g = new GraphBuilder('norm', ft);
      const x = g.floatInput(IO.residPost, ['B', 'S', H]);
      g.floatOutput(norm(g, x, 'model.norm.weight'), IO.normalized, ['B', 'S', H]);
      return g;
    },

    head() {
      const g = new GraphBuilder('head', ft);
      const x = g.floatInput(IO.normalized, ['B', 'S', H]);
      const tied = c.tieWordEmbeddings || (gemma && !weights.has('lm_head.weight'));
      let logits = g.cast(matrices.unembedding(g, x, tied ? 'model.embed_tokens.weight' : 'lm_head.weight', V, H, 'lm_head'), ft, 'float32');
      if (gemma && c.finalLogitSoftcapping) logits = softcap(g, logits, c.finalLogitSoftcapping, 'float32');
      g.output(logits, IO.logits, 'float32', ['B', 'S', V]);
      return g;
    },
  };
}
