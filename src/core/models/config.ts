// config.json → ModelConfig. Each architecture's defaults are those of its Hugging Face
// `*Config` class, so a config.json that omits a field means what it means to transformers.
import { CheckpointError } from './errors.js';
import { SUPPORTED_ARCHITECTURES, type Architecture, type Llama3RopeScaling, type ModelConfig } from './types.js';

type Raw = Record<string, unknown>;

/** `architectures[0]` → model_type, for config files that lack `model_type`. */
const CLASS_TO_TYPE: Record<string, Architecture> = {
  LlamaForCausalLM: 'llama',
  MistralForCausalLM: 'mistral',
  Qwen2ForCausalLM: 'qwen2',
  Gemma2ForCausalLM: 'gemma2',
  GPT2LMHeadModel: 'gpt2',
};

const ACTIVATIONS = ['silu', 'gelu_pytorch_tanh', 'gelu_new', 'gelu'] as const;
type Activation = (typeof ACTIVATIONS)[number];

/** Reads a config.json (text or parsed). `source` names the file in error messages. */
export function parseConfig(json: string | unknown, source = 'config.json'): ModelConfig {
  let raw: unknown = json;
  if (typeof json === 'string') {
    try {
      raw = JSON.parse(json);
    } catch (e) {
      throw new CheckpointError('invalid-config', `${source}: not valid JSON (${(e as Error).message})`, { path: source });
    }
  }
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new CheckpointError('invalid-config', `${source}: not a JSON object`, { path: source });
  }
  const r = new Fields(raw as Raw, source);
  const arch = architectureOf(raw as Raw, source);
  let config: ModelConfig;
  switch (arch) {
    case 'llama': config = llamaFamily(r, arch, LLAMA_DEFAULTS); break;
    case 'mistral': config = llamaFamily(r, arch, MISTRAL_DEFAULTS); break;
    case 'qwen2': config = llamaFamily(r, arch, QWEN2_DEFAULTS); break;
    case 'gemma2': config = gemma2(r); break;
    case 'gpt2': config = gpt2(r); break;
  }
  validate(config, source);
  return config;
}

function architectureOf(raw: Raw, source: string): Architecture {
  const supported = SUPPORTED_ARCHITECTURES.join(', ');
  const type = raw.model_type;
  if (typeof type === 'string') {
    if ((SUPPORTED_ARCHITECTURES as readonly string[]).includes(type)) return type as Architecture;
    throw new CheckpointError('unsupported-architecture', `${source}: model_type "${type}" is not supported; supported: ${supported}`, { path: source, name: type });
  }
  const cls = Array.isArray(raw.architectures) ? raw.architectures[0] : undefined;
  if (typeof cls === 'string' && cls in CLASS_TO_TYPE) return CLASS_TO_TYPE[cls];
  const what = typeof cls === 'string' ? `architecture "${cls}"` : 'no model_type';
  throw new CheckpointError('unsupported-architecture', `${source}: ${what} is not supported; supported: ${supported}`, { path: source, name: typeof cls === 'string' ? cls : 'model_type' });
}

/** Typed access to config.json fields; a present field of the wrong type is an error naming it. */
class Fields {
  constructor(readonly raw: Raw, readonly source: string) {}

  private bad(key: string, want: string): CheckpointError {
    return new CheckpointError('invalid-config', `${this.source}: "${key}" should be ${want}, got ${JSON.stringify(this.raw[key])}`, { path: this.source, name: key });
  }

  has(key: string): boolean {
    return this.raw[key] !== undefined && this.raw[key] !== null;
  }

  int(key: string, fallback?: number): number {
    const v = this.raw[key];
    if (v === undefined || v === null) {
      if (fallback === undefined) throw new CheckpointError('invalid-config', `${this.source}: "${key}" is required`, { path: this.source, name: key });
      return fallback;
    }
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v <= 0) throw this.bad(key, 'a positive integer');
    return v;
  }

  optInt(key: string): number | undefined {
    return this.has(key) ? this.int(key) : undefined;
  }

  num(key: string, fallback: number): number {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'number' || !Number.isFinite(v)) throw this.bad(key, 'a number');
    return v;
  }

  optNum(key: string): number | undefined {
    return this.has(key) ? this.num(key, 0) : undefined;
  }

  bool(key: string, fallback: boolean): boolean {
    const v = this.raw[key];
    if (v === undefined || v === null) return fallback;
    if (typeof v !== 'boolean') throw this.bad(key, 'true or false');
    return v;
  }

  activation(keys: string[], fallback: Activation): Activation {
    for (const key of keys) {
      const v = this.raw[key];
      if (v === undefined || v === null) continue;
      if (typeof v === 'string' && (ACTIVATIONS as readonly string[]).includes(v)) return v as Activation;
      throw new CheckpointError('unsupported-config', `${this.source}: ${key} "${String(v)}" is not supported; supported: ${ACTIVATIONS.join(', ')}`, { path: this.source, name: key });
    }
    return fallback;
  }

  /** A token id, or (eos) a list of them; HF writes `null` for "none". */
  tokenIds(key: string, fallback: number | number[] | undefined): number | number[] | undefined {
    const v = this.raw[key];
    if (v === undefined) return fallback;
    if (v === null) return undefined;
    if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return v;
    // Some Llama-2 era configs write pad_token_id -1 for "no padding token".
    if (key === 'pad_token_id' && v === -1) return undefined;
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0)) return [...v];
    throw this.bad(key, 'a token id or a list of token ids');
  }

  unsupportedIf(condition: boolean, key: string, why: string): void {
    if (condition) throw new CheckpointError('unsupported-config', `${this.source}: ${key} ${why}`, { path: this.source, name: key });
  }
}

interface LlamaDefaults {
  vocabSize: number;
  hiddenSize: number;
  intermediateSize: number;
  numLayers: number;
  numHeads: number;
  /** undefined: as many as query heads. */
  numKvHeads?: number;
  maxPositions: number;
  normEps: number;
  ropeTheta: number;
  tieWordEmbeddings: boolean;
  bos?: number;
  eos?: number;
}

// transformers' LlamaConfig, MistralConfig and Qwen2Config defaults.
const LLAMA_DEFAULTS: LlamaDefaults = {
  vocabSize: 32000, hiddenSize: 4096, intermediateSize: 11008, numLayers: 32, numHeads: 32,
  maxPositions: 2048, normEps: 1e-6, ropeTheta: 10000, tieWordEmbeddings: false, bos: 1, eos: 2,
};
const MISTRAL_DEFAULTS: LlamaDefaults = {
  vocabSize: 32000, hiddenSize: 4096, intermediateSize: 14336, numLayers: 32, numHeads: 32, numKvHeads: 8,
  maxPositions: 4096 * 32, normEps: 1e-6, ropeTheta: 10000, tieWordEmbeddings: false, bos: 1, eos: 2,
};
const QWEN2_DEFAULTS: LlamaDefaults = {
  vocabSize: 151936, hiddenSize: 4096, intermediateSize: 22016, numLayers: 32, numHeads: 32, numKvHeads: 32,
  maxPositions: 32768, normEps: 1e-6, ropeTheta: 10000, tieWordEmbeddings: false,
};

function llamaFamily(r: Fields, arch: 'llama' | 'mistral' | 'qwen2', d: LlamaDefaults): ModelConfig {
  const hiddenSize = r.int('hidden_size', d.hiddenSize);
  const numHeads = r.int('num_attention_heads', d.numHeads);
  const c: ModelConfig = {
    architecture: arch,
    vocabSize: r.int('vocab_size', d.vocabSize),
    hiddenSize,
    numLayers: r.int('num_hidden_layers', d.numLayers),
    numHeads,
    numKvHeads: r.int('num_key_value_heads', d.numKvHeads ?? numHeads),
    headDim: r.int('head_dim', Math.floor(hiddenSize / numHeads)),
    intermediateSize: r.int('intermediate_size', d.intermediateSize),
    maxPositions: r.int('max_position_embeddings', d.maxPositions),
    normEps: r.num('rms_norm_eps', d.normEps),
    ropeTheta: r.num('rope_theta', d.ropeTheta),
    ropeScaling: ropeScaling(r),
    tieWordEmbeddings: r.bool('tie_word_embeddings', d.tieWordEmbeddings),
    // Qwen2 always has q/k/v biases (its modeling code hard-codes them); Llama and Mistral never
    // do unless attention_bias, which would also put a bias on o_proj.
    attentionBias: arch === 'qwen2',
    hiddenAct: r.activation(['hidden_act'], 'silu'),
    bosTokenId: r.tokenIds('bos_token_id', d.bos) as number | undefined,
    eosTokenId: r.tokenIds('eos_token_id', d.eos),
    padTokenId: r.tokenIds('pad_token_id', undefined) as number | undefined,
    raw: r.raw,
  };
  if (arch !== 'qwen2') r.unsupportedIf(r.bool('attention_bias', false), 'attention_bias', 'true (biases on attention projections) is not supported for this architecture');
  r.unsupportedIf(r.bool('mlp_bias', false), 'mlp_bias', 'true (biases on MLP projections) is not supported');
  if (arch === 'mistral') {
    c.slidingWindow = r.optInt('sliding_window');
  }
  if (arch === 'qwen2') {
    // Qwen2 applies its window only to layers at or above max_window_layers; no released
    // checkpoint turns it on, and the runtime would need per-layer windows for it.
    r.unsupportedIf(r.bool('use_sliding_window', false), 'use_sliding_window', 'true is not supported for qwen2');
  }
  return c;
}

function ropeScaling(r: Fields): Llama3RopeScaling | undefined {
  const v = r.raw.rope_scaling;
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'object' || Array.isArray(v)) {
    throw new CheckpointError('invalid-config', `${r.source}: "rope_scaling" should be an object`, { path: r.source, name: 'rope_scaling' });
  }
  const s = new Fields(v as Raw, `${r.source} rope_scaling`);
  const kind = (v as Raw).rope_type ?? (v as Raw).type;
  if (kind === 'default') return undefined;
  if (kind !== 'llama3') {
    throw new CheckpointError('unsupported-config', `${r.source}: rope_scaling type "${String(kind)}" is not supported; supported: llama3`, { path: r.source, name: 'rope_scaling' });
  }
  // Defaults as transformers' _compute_llama3_parameters requires them (no defaults there: all
  // four are mandatory), so a missing one is an error.
  return {
    type: 'llama3',
    factor: s.num('factor', NaN),
    lowFreqFactor: s.num('low_freq_factor', NaN),
    highFreqFactor: s.num('high_freq_factor', NaN),
    originalMaxPositions: s.int('original_max_position_embeddings'),
  };
}

function gemma2(r: Fields): ModelConfig {
  const c: ModelConfig = {
    architecture: 'gemma2',
    vocabSize: r.int('vocab_size', 256000),
    hiddenSize: r.int('hidden_size', 2304),
    numLayers: r.int('num_hidden_layers', 26),
    numHeads: r.int('num_attention_heads', 8),
    numKvHeads: r.int('num_key_value_heads', 4),
    headDim: r.int('head_dim', 256),
    intermediateSize: r.int('intermediate_size', 9216),
    maxPositions: r.int('max_position_embeddings', 8192),
    normEps: r.num('rms_norm_eps', 1e-6),
    ropeTheta: r.num('rope_theta', 10000),
    tieWordEmbeddings: r.bool('tie_word_embeddings', true),
    attentionBias: false,
    // Gemma2Config names it hidden_activation; released config files carry both names.
    hiddenAct: r.activation(['hidden_activation', 'hidden_act'], 'gelu_pytorch_tanh'),
    queryPreAttnScalar: r.num('query_pre_attn_scalar', 256),
    attnLogitSoftcapping: softcap(r, 'attn_logit_softcapping', 50),
    finalLogitSoftcapping: softcap(r, 'final_logit_softcapping', 30),
    slidingWindow: r.raw.sliding_window === null ? undefined : r.int('sliding_window', 4096),
    bosTokenId: r.tokenIds('bos_token_id', 2) as number | undefined,
    eosTokenId: r.tokenIds('eos_token_id', 1),
    padTokenId: r.tokenIds('pad_token_id', 0) as number | undefined,
    raw: r.raw,
  };
  r.unsupportedIf(r.bool('attention_bias', false), 'attention_bias', 'true is not supported for gemma2');
  if (r.raw.rope_scaling !== undefined && r.raw.rope_scaling !== null) {
    r.unsupportedIf(true, 'rope_scaling', 'is not supported for gemma2');
  }
  return c;
}

/** A softcap of null means "no capping" to transformers; absent means the default. */
function softcap(r: Fields, key: string, fallback: number): number | undefined {
  if (r.raw[key] === null) return undefined;
  const v = r.num(key, fallback);
  if (v <= 0) throw new CheckpointError('invalid-config', `${r.source}: "${key}" should be positive or null`, { path: r.source, name: key });
  return v;
}

function gpt2(r: Fields): ModelConfig {
  const hiddenSize = r.int('n_embd', 768);
  const numHeads = r.int('n_head', 12);
  const c: ModelConfig = {
    architecture: 'gpt2',
    vocabSize: r.int('vocab_size', 50257),
    hiddenSize,
    numLayers: r.int('n_layer', 12),
    numHeads,
    numKvHeads: numHeads,
    headDim: Math.floor(hiddenSize / numHeads),
    intermediateSize: r.int('n_inner', 4 * hiddenSize),
    maxPositions: r.int('n_positions', 1024),
    normEps: r.num('layer_norm_epsilon', 1e-5),
    // Learned absolute positions: no rotary embedding.
    ropeTheta: 0,
    // GPT2LMHeadModel always ties lm_head to wte.
    tieWordEmbeddings: true,
    attentionBias: true,
    hiddenAct: r.activation(['activation_function'], 'gelu_new'),
    bosTokenId: r.tokenIds('bos_token_id', 50256) as number | undefined,
    eosTokenId: r.tokenIds('eos_token_id', 50256),
    padTokenId: r.tokenIds('pad_token_id', undefined) as number | undefined,
    raw: r.raw,
  };
  r.unsupportedIf(!r.bool('scale_attn_weights', true), 'scale_attn_weights', 'false is not supported');
  r.unsupportedIf(r.bool('scale_attn_by_inverse_layer_idx', false), 'scale_attn_by_inverse_layer_idx', 'true is not supported');
  return c;
}

function validate(c: ModelConfig, source: string): void {
  const fail = (name: string, msg: string): never => {
    throw new CheckpointError('invalid-config', `${source}: ${msg}`, { path: source, name });
  };
  const rawHasHeadDim = c.raw.head_dim !== undefined && c.raw.head_dim !== null;
  if (!rawHasHeadDim && c.hiddenSize % c.numHeads !== 0) {
    fail('num_attention_heads', `hidden size ${c.hiddenSize} is not divisible by ${c.numHeads} attention heads`);
  }
  if (c.numHeads % c.numKvHeads !== 0) {
    fail('num_key_value_heads', `${c.numHeads} attention heads are not a multiple of ${c.numKvHeads} key/value heads`);
  }
  if (c.ropeTheta > 0 && c.headDim % 2 !== 0) fail('head_dim', `rotary embeddings need an even head dimension, got ${c.headDim}`);
  if (!(c.normEps > 0)) fail(c.architecture === 'gpt2' ? 'layer_norm_epsilon' : 'rms_norm_eps', `the norm epsilon must be positive, got ${c.normEps}`);
  const ids: Array<[string, number | number[] | undefined]> = [['bos_token_id', c.bosTokenId], ['eos_token_id', c.eosTokenId]];
  for (const [key, v] of ids) {
    for (const id of v === undefined ? [] : Array.isArray(v) ? v : [v]) {
      if (id >= c.vocabSize) fail(key, `${key} ${id} is outside the vocabulary of ${c.vocabSize}`);
    }
  }
  const s = c.ropeScaling;
  if (s) {
    if (!(s.factor > 0) || !(s.lowFreqFactor > 0) || !(s.highFreqFactor > s.lowFreqFactor)) {
      fail('rope_scaling', 'llama3 rope_scaling needs factor > 0 and high_freq_factor > low_freq_factor > 0');
    }
  }
}
