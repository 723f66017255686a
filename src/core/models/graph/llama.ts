// Slice graphs of the Llama family (Llama, Mistral, Qwen2, Gemma-2): pre-norm decoder blocks with
// rotary positions, grouped key/value heads and a gated MLP. Gemma-2's differences are switches:
// scaled embeddings, (1 + w) RMSNorm, norms after attention and MLP as well as before, soft-capped
// attention and final logits, and its own query scaling.
import { GraphBuilder } from './builder.js';
import { IO } from './io.js';
import { activation, attentionCore, linear, rmsNorm, softcap, transpose2d } from './ops.js';
import { Weights } from './weights.js';
import type { ModelConfig } from '../types.js';
import type { SliceGraphs } from './slices.js';

export function llamaGraphs(config: ModelConfig, weights: Weights): SliceGraphs {
  const c = config;
  const gemma = c.architecture === 'gemma2';
  const H = c.hiddenSize;
  const D = c.headDim;
  const V = c.vocabSize;
  const layer = (l: number) => `model.layers.${l}.`;
  const vec = (name: string, n = H) => weights.get(name, [n]);
  const mat = (name: string, rows: number, cols: number) => weights.get(name, [rows, cols]);
  const norm = (g: GraphBuilder, x: string, name: string) => rmsNorm(g, x, vec(name), c.normEps, gemma);

  return {
    embed() {
      const g = new GraphBuilder('embed');
      const ids = g.input(IO.inputIds, 'int64', ['B', 'S']);
      const table = mat('model.embed_tokens.weight', V, H);
      let x = g.op('Gather', [g.constant('embed_tokens', table.data, table.shape), ids], { axis: 0 });
      // Gemma scales by sqrt(hidden) rounded to the activation dtype (fp32 here).
      if (gemma) x = g.op('Mul', [x, g.scalar(Math.fround(Math.sqrt(H)))]);
      g.output(x, IO.embed, 'float32', ['B', 'S', H]);
      return g;
    },

    attention(l) {
      const g = new GraphBuilder(`attention_${l}`);
      const p = layer(l);
      const resid = g.input(IO.residPre, 'float32', ['B', 'S', H]);
      const mask = g.input(IO.attnMask, 'float32', ['B', 'S', 'T']);
      const pastKey = g.input(IO.pastKey, 'float32', ['B', c.numKvHeads, 'P', D]);
      const pastValue = g.input(IO.pastValue, 'float32', ['B', c.numKvHeads, 'P', D]);
      const cos = g.input(IO.cos, 'float32', ['B', 'S', D / 2]);
      const sin = g.input(IO.sin, 'float32', ['B', 'S', D / 2]);
      const x = norm(g, resid, `${p}input_layernorm.weight`);
      const qw = mat(`${p}self_attn.q_proj.weight`, c.numHeads * D, H);
      const kw = mat(`${p}self_attn.k_proj.weight`, c.numKvHeads * D, H);
      const vw = mat(`${p}self_attn.v_proj.weight`, c.numKvHeads * D, H);
      const biases = c.attentionBias
        ? [vec(`${p}self_attn.q_proj.bias`, c.numHeads * D), vec(`${p}self_attn.k_proj.bias`, c.numKvHeads * D), vec(`${p}self_attn.v_proj.bias`, c.numKvHeads * D)]
        : undefined;
      const qkv = linear(g, x, [qw, kw, vw], biases, 'qkv');
      const scale = gemma ? 1 / Math.sqrt(c.queryPreAttnScalar ?? D) : 1 / Math.sqrt(D);
      const core = attentionCore(g, {
        qkv, cos, sin, mask, pastKey, pastValue, scale,
        numHeads: c.numHeads, numKvHeads: c.numKvHeads, headDim: D,
        softcap: gemma ? c.attnLogitSoftcapping : undefined,
      });
      let out = linear(g, core.out, [mat(`${p}self_attn.o_proj.weight`, H, c.numHeads * D)], undefined, 'o_proj');
      if (gemma) out = norm(g, out, `${p}post_attention_layernorm.weight`);
      g.output(out, IO.attnOut, 'float32', ['B', 'S', H]);
      g.output(core.presentKey, IO.presentKey, 'float32', ['B', c.numKvHeads, 'T', D]);
      g.output(core.presentValue, IO.presentValue, 'float32', ['B', c.numKvHeads, 'T', D]);
      return g;
    },

    mlp(l) {
      const g = new GraphBuilder(`mlp_${l}`);
      const p = layer(l);
      const I = c.intermediateSize;
      const resid = g.input(IO.residMid, 'float32', ['B', 'S', H]);
      const x = norm(g, resid, gemma ? `${p}pre_feedforward_layernorm.weight` : `${p}post_attention_layernorm.weight`);
      // Two GEMMs rather than one fused one: splitting a fused output's last axis costs a strided copy.
      const gate = linear(g, x, [mat(`${p}mlp.gate_proj.weight`, I, H)], undefined, 'gate_proj');
      const up = linear(g, x, [mat(`${p}mlp.up_proj.weight`, I, H)], undefined, 'up_proj');
      const h = g.op('Mul', [activation(g, gate, c.hiddenAct), up]);
      let out = linear(g, h, [mat(`${p}mlp.down_proj.weight`, H, I)], undefined, 'down_proj');
      if (gemma) out = norm(g, out, `${p}post_feedforward_layernorm.weight`);
      g.output(out, IO.mlpOut, 'float32', ['B', 'S', H]);
      return g;
    },

    norm() {
      const g = new GraphBuilder('norm');
      const x = g.input(IO.residPost, 'float32', ['B', 'S', H]);
      g.output(norm(g, x, 'model.norm.weight'), IO.normalized, 'float32', ['B', 'S', H]);
      return g;
    },

    head() {
      const g = new GraphBuilder('head');
      const x = g.input(IO.normalized, 'float32', ['B', 'S', H]);
      const tied = c.tieWordEmbeddings || (gemma && !weights.has('lm_head.weight'));
      const w = mat(tied ? 'model.embed_tokens.weight' : 'lm_head.weight', V, H);
      let logits = g.op('MatMul', [x, g.constant('lm_head', transpose2d(w.data, V, H), [H, V])]);
      if (gemma && c.finalLogitSoftcapping) logits = softcap(g, logits, c.finalLogitSoftcapping);
      g.output(logits, IO.logits, 'float32', ['B', 'S', V]);
      return g;
    },
  };
}
