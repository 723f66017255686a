// config.json of the models the study compares and of small relatives for quick runs, as their
// Hugging Face repositories publish them (fields the runtime reads, plus the ones that identify the
// model). A generated checkpoint starts from one of these, or from any config.json, and may
// override fields (fewer layers, a narrower width) for a cheaper stand-in of the same shape.

type ConfigJson = Record<string, unknown>;

const LLAMA_3_1_ROPE = { factor: 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192, rope_type: 'llama3' };

export const PRESETS: Record<string, ConfigJson> = {
  // meta-llama/Llama-3.1-8B
  'llama-3.1-8b': {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', attention_bias: false, attention_dropout: 0.0,
    bos_token_id: 128000, eos_token_id: 128001, hidden_act: 'silu', hidden_size: 4096, initializer_range: 0.02,
    intermediate_size: 14336, max_position_embeddings: 131072, mlp_bias: false, num_attention_heads: 32,
    num_hidden_layers: 32, num_key_value_heads: 8, pretraining_tp: 1, rms_norm_eps: 1e-5, rope_scaling: LLAMA_3_1_ROPE,
    rope_theta: 500000.0, tie_word_embeddings: false, torch_dtype: 'bfloat16', use_cache: true, vocab_size: 128256,
  },
  // meta-llama/Llama-3.2-1B: the same vocabulary and tokenizer as Llama 3.1, 16 narrower layers.
  'llama-3.2-1b': {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', attention_bias: false, attention_dropout: 0.0,
    bos_token_id: 128000, eos_token_id: 128001, head_dim: 64, hidden_act: 'silu', hidden_size: 2048,
    initializer_range: 0.02, intermediate_size: 8192, max_position_embeddings: 131072, mlp_bias: false,
    num_attention_heads: 32, num_hidden_layers: 16, num_key_value_heads: 8, pretraining_tp: 1, rms_norm_eps: 1e-5,
    rope_scaling: { ...LLAMA_3_1_ROPE, factor: 32.0 }, rope_theta: 500000.0, tie_word_embeddings: true,
    torch_dtype: 'bfloat16', use_cache: true, vocab_size: 128256,
  },
  // mistralai/Mistral-7B-v0.1
  'mistral-7b': {
    architectures: ['MistralForCausalLM'], model_type: 'mistral', bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu',
    hidden_size: 4096, initializer_range: 0.02, intermediate_size: 14336, max_position_embeddings: 32768,
    num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, rms_norm_eps: 1e-5, rope_theta: 10000.0,
    sliding_window: 4096, tie_word_embeddings: false, torch_dtype: 'bfloat16', use_cache: true, vocab_size: 32000,
  },
  // google/gemma-2-9b
  'gemma-2-9b': {
    architectures: ['Gemma2ForCausalLM'], model_type: 'gemma2', attention_bias: false, attention_dropout: 0.0,
    attn_logit_softcapping: 50.0, bos_token_id: 2, cache_implementation: 'hybrid', eos_token_id: 1,
    final_logit_softcapping: 30.0, head_dim: 256, hidden_act: 'gelu_pytorch_tanh', hidden_activation: 'gelu_pytorch_tanh',
    hidden_size: 3584, initializer_range: 0.02, intermediate_size: 14336, max_position_embeddings: 8192,
    num_attention_heads: 16, num_hidden_layers: 42, num_key_value_heads: 8, pad_token_id: 0, query_pre_attn_scalar: 256,
    rms_norm_eps: 1e-6, rope_theta: 10000.0, sliding_window: 4096, torch_dtype: 'float32', use_cache: true, vocab_size: 256000,
  },
  // google/gemma-2-2b
  'gemma-2-2b': {
    architectures: ['Gemma2ForCausalLM'], model_type: 'gemma2', attention_bias: false, attention_dropout: 0.0,
    attn_logit_softcapping: 50.0, bos_token_id: 2, cache_implementation: 'hybrid', eos_token_id: 1,
    final_logit_softcapping: 30.0, head_dim: 256, hidden_act: 'gelu_pytorch_tanh', hidden_activation: 'gelu_pytorch_tanh',
    hidden_size: 2304, initializer_range: 0.02, intermediate_size: 9216, max_position_embeddings: 8192,
    num_attention_heads: 8, num_hidden_layers: 26, num_key_value_heads: 4, pad_token_id: 0, query_pre_attn_scalar: 256,
    rms_norm_eps: 1e-6, rope_theta: 10000.0, sliding_window: 4096, torch_dtype: 'float32', use_cache: true, vocab_size: 256000,
  },
  // Qwen/Qwen2.5-7B
  'qwen2.5-7b': {
    architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', attention_dropout: 0.0, bos_token_id: 151643,
    eos_token_id: 151643, hidden_act: 'silu', hidden_size: 3584, initializer_range: 0.02, intermediate_size: 18944,
    max_position_embeddings: 131072, max_window_layers: 28, num_attention_heads: 28, num_hidden_layers: 28,
    num_key_value_heads: 4, rms_norm_eps: 1e-6, rope_theta: 1000000.0, sliding_window: 131072, tie_word_embeddings: false,
    torch_dtype: 'bfloat16', use_cache: true, use_sliding_window: false, vocab_size: 152064,
  },
  // Qwen/Qwen2.5-0.5B
  'qwen2.5-0.5b': {
    architectures: ['Qwen2ForCausalLM'], model_type: 'qwen2', attention_dropout: 0.0, bos_token_id: 151643,
    eos_token_id: 151643, hidden_act: 'silu', hidden_size: 896, initializer_range: 0.02, intermediate_size: 4864,
    max_position_embeddings: 32768, max_window_layers: 24, num_attention_heads: 14, num_hidden_layers: 24,
    num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1000000.0, sliding_window: 32768, tie_word_embeddings: true,
    torch_dtype: 'bfloat16', use_cache: true, use_sliding_window: false, vocab_size: 151936,
  },
  // A few-megabyte Llama for smoke tests (not a published model).
  'tiny-llama': {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu',
    hidden_size: 64, initializer_range: 0.02, intermediate_size: 192, max_position_embeddings: 2048,
    num_attention_heads: 4, num_hidden_layers: 4, num_key_value_heads: 2, rms_norm_eps: 1e-5, rope_theta: 10000.0,
    tie_word_embeddings: false, torch_dtype: 'float32', vocab_size: 512,
  },
};

export const PRESET_NAMES = Object.keys(PRESETS);

/** The named preset's config.json (a copy), or undefined. */
export function presetConfig(name: string): ConfigJson | undefined {
  const p = PRESETS[name];
  return p === undefined ? undefined : structuredClone(p);
}

/** Shape options and the config.json field each sets, per family (GPT-2 names its fields apart). */
export const SHAPE_FIELDS = {
  layers: { default: 'num_hidden_layers', gpt2: 'n_layer' },
  hidden: { default: 'hidden_size', gpt2: 'n_embd' },
  intermediate: { default: 'intermediate_size', gpt2: 'n_inner' },
  heads: { default: 'num_attention_heads', gpt2: 'n_head' },
  kvHeads: { default: 'num_key_value_heads', gpt2: undefined },
  vocab: { default: 'vocab_size', gpt2: 'vocab_size' },
} as const;

export type ShapeOverrides = Partial<Record<keyof typeof SHAPE_FIELDS, number>>;

/** `config` with the shape overrides and then the raw field overrides applied (a new object). */
export function applyOverrides(config: ConfigJson, shape: ShapeOverrides = {}, fields: ConfigJson = {}): ConfigJson {
  const out = structuredClone(config);
  const gpt2 = out.model_type === 'gpt2';
  for (const [key, value] of Object.entries(shape) as Array<[keyof typeof SHAPE_FIELDS, number | undefined]>) {
    if (value === undefined) continue;
    const field = gpt2 ? SHAPE_FIELDS[key].gpt2 : SHAPE_FIELDS[key].default;
    if (field === undefined) throw new Error(`--${key === 'kvHeads' ? 'kv-heads' : key} does not apply to ${String(out.model_type)}`);
    out[field] = value;
  }
  return { ...out, ...structuredClone(fields) };
}
