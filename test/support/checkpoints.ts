// Small seeded checkpoints in the Hugging Face layout (config.json, model.safetensors or shards,
// tokenizer.json, tokenizer_config.json) for every supported architecture. Same seed, same bytes.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expectedWeights } from '../../src/core/models/checkpoint.js';
import { parseConfig } from '../../src/core/models/config.js';
import { GENERATED_CHAT_TEMPLATE, byteLevelBpeTokenizer, tokenizerIdCount } from '../../src/core/models/generate/tokenizer.js';
import { writeSafetensors, type TensorToWrite, type WritableDtype } from '../../src/core/models/safetensors.js';
import type { Architecture, ModelConfig } from '../../src/core/models/types.js';

/** mulberry32: a tiny seeded generator; quality is ample for test weights. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function seededNormal(seed: number): () => number {
  const u = seededRandom(seed);
  return () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
}

// ---- tokenizers ---------------------------------------------------------------------------

// The byte-level BPE tokenizer is the one generated checkpoints get; tests build on it.
export { BPE_WORDS, byteLevelBpeTokenizer, bytesToUnicode, type BpeTokenizerOptions, tokenizerIdCount as vocabSizeOf, GENERATED_CHAT_TEMPLATE as TEST_CHAT_TEMPLATE } from '../../src/core/models/generate/tokenizer.js';

/** A word-level tokenizer.json splitting on whitespace; unknown words become `unk`. */
export function wordLevelTokenizer(words: string[], specials: string[] = ['<unk>', '<s>', '</s>']): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  let next = 0;
  for (const s of specials) vocab[s] = next++;
  for (const w of words) if (!(w in vocab)) vocab[w] = next++;
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: specials.map((content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: null,
    pre_tokenizer: { type: 'WhitespaceSplit' },
    post_processor: null,
    decoder: null,
    model: { type: 'WordLevel', vocab, unk_token: specials[0] },
  };
}


// ---- configs ------------------------------------------------------------------------------

/** config.json for a tiny model of each architecture (every feature of it switched on). */
export function tinyConfigJson(architecture: Architecture, vocabSize: number): Record<string, unknown> {
  const common = { vocab_size: vocabSize, bos_token_id: vocabSize - 4, eos_token_id: vocabSize - 3, torch_dtype: 'float32' };
  switch (architecture) {
    case 'llama':
      return {
        ...common, architectures: ['LlamaForCausalLM'], model_type: 'llama', hidden_size: 16, intermediate_size: 24,
        num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64, rms_norm_eps: 1e-5,
        rope_theta: 10000, tie_word_embeddings: false, hidden_act: 'silu',
        // Small enough that both the scaled and the smoothed bands of llama3 scaling apply.
        rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 16 },
      };
    case 'mistral':
      return {
        ...common, architectures: ['MistralForCausalLM'], model_type: 'mistral', hidden_size: 16, intermediate_size: 24,
        num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 1, max_position_embeddings: 64, rms_norm_eps: 1e-5,
        rope_theta: 10000, sliding_window: 4, tie_word_embeddings: false, hidden_act: 'silu',
      };
    case 'qwen2':
      return {
        ...common, architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', hidden_size: 16, intermediate_size: 24,
        num_hidden_layers: 2, num_attention_heads: 4, num_key_value_heads: 2, max_position_embeddings: 64, rms_norm_eps: 1e-6,
        rope_theta: 1000000, tie_word_embeddings: true, use_sliding_window: false, sliding_window: 64, hidden_act: 'silu',
      };
    case 'gemma2':
      return {
        ...common, architectures: ['Gemma2ForCausalLM'], model_type: 'gemma2', hidden_size: 16, intermediate_size: 32,
        num_hidden_layers: 3, num_attention_heads: 4, num_key_value_heads: 2, head_dim: 8, max_position_embeddings: 64,
        rms_norm_eps: 1e-6, rope_theta: 10000, query_pre_attn_scalar: 8, attn_logit_softcapping: 5.0,
        final_logit_softcapping: 3.0, sliding_window: 4, hidden_activation: 'gelu_pytorch_tanh', hidden_act: 'gelu_pytorch_tanh',
        tie_word_embeddings: true, pad_token_id: 0,
      };
    case 'gpt2':
      return {
        ...common, architectures: ['GPT2LMHeadModel'], model_type: 'gpt2', n_embd: 16, n_layer: 2, n_head: 4, n_positions: 64,
        n_ctx: 64, layer_norm_epsilon: 1e-5, activation_function: 'gelu_new',
      };
  }
}

// ---- weights ------------------------------------------------------------------------------

/**
 * Seeded weights for every expected tensor. Matrices are N(0, 1/fan_in) so activations stay of
 * order one through the layers; norm scales sit near their neutral value (1, or 0 for Gemma's
 * 1 + w) so a wrong norm formula shows in the logits.
 */
export function randomWeights(config: ModelConfig, seed: number): Record<string, { shape: number[]; data: Float32Array }> {
  const normal = seededNormal(seed);
  const out: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const { name, shape, optional } of expectedWeights(config)) {
    if (optional) continue;
    const n = shape.reduce((a, b) => a * b, 1);
    const data = new Float32Array(n);
    const isNorm = /(norm|ln_\d|ln_f)\.weight$/.test(name);
    const isBias = name.endsWith('.bias');
    const fanIn = config.architecture === 'gpt2' && shape.length === 2 && !/w[tp]e/.test(name) ? shape[0] : shape[shape.length - 1];
    const scale = isBias ? 0.1 : isNorm ? 0.1 : /embed|w[tp]e/.test(name) ? 1 : 1 / Math.sqrt(fanIn);
    const centre = isNorm && config.architecture !== 'gemma2' ? 1 : 0;
    for (let i = 0; i < n; i++) data[i] = centre + scale * normal();
    out[name] = { shape, data };
  }
  return out;
}

export interface TestCheckpointOptions {
  seed?: number;
  /** Storage dtype of every tensor (values are drawn in fp32 and rounded). */
  dtype?: WritableDtype;
  /** Split the tensors over this many shards with an index (default 1: model.safetensors). */
  shards?: number;
  /** Merged over the tiny config.json. */
  configOverrides?: Record<string, unknown>;
  tokenizerJson?: Record<string, unknown>;
  /** tokenizer_config.json; `null` to write none. */
  tokenizerConfig?: Record<string, unknown> | null;
  /** Replaces or removes (undefined) tensors after they are generated. */
  editWeights?: (w: Record<string, { shape: number[]; data: Float32Array }>) => void;
}

export interface TestCheckpoint {
  dir: string;
  config: ModelConfig;
  /** The fp32 values as drawn (before any fp16/bf16 rounding). */
  weights: Record<string, { shape: number[]; data: Float32Array }>;
}

/** Writes a seeded tiny checkpoint of `architecture` into `dir` (created if needed). */
export function writeTestCheckpoint(dir: string, architecture: Architecture, opts: TestCheckpointOptions = {}): TestCheckpoint {
  mkdirSync(dir, { recursive: true });
  const tokenizerJson = opts.tokenizerJson ?? byteLevelBpeTokenizer({ bos: architecture === 'qwen2' ? undefined : '<|bos|>' });
  const configJson = { ...tinyConfigJson(architecture, tokenizerIdCount(tokenizerJson)), ...opts.configOverrides };
  const config = parseConfig(configJson);
  const weights = randomWeights(config, opts.seed ?? 1);
  opts.editWeights?.(weights);

  writeFileSync(join(dir, 'config.json'), JSON.stringify(configJson, null, 2));
  const names = Object.keys(weights);
  const shards = Math.max(1, opts.shards ?? 1);
  const tensorsOf = (subset: string[]): Record<string, TensorToWrite> =>
    Object.fromEntries(subset.map((n) => [n, { ...weights[n], dtype: opts.dtype ?? 'F32' }]));
  if (shards === 1) {
    writeSafetensors(join(dir, 'model.safetensors'), tensorsOf(names), { format: 'pt' });
  } else {
    const weightMap: Record<string, string> = {};
    const per = Math.ceil(names.length / shards);
    for (let s = 0; s < shards; s++) {
      const file = `model-${String(s + 1).padStart(5, '0')}-of-${String(shards).padStart(5, '0')}.safetensors`;
      const subset = names.slice(s * per, (s + 1) * per);
      writeSafetensors(join(dir, file), tensorsOf(subset), { format: 'pt' });
      for (const n of subset) weightMap[n] = file;
    }
    writeFileSync(join(dir, 'model.safetensors.index.json'), JSON.stringify({ metadata: {}, weight_map: weightMap }, null, 2));
  }
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokenizerJson));
  const tokenizerConfig = opts.tokenizerConfig === undefined
    ? { bos_token: '<|bos|>', eos_token: '<|eos|>', add_bos_token: architecture !== 'qwen2', add_eos_token: false, chat_template: GENERATED_CHAT_TEMPLATE, model_max_length: 64 }
    : opts.tokenizerConfig;
  if (tokenizerConfig !== null) writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify(tokenizerConfig, null, 2));
  return { dir, config, weights };
}
