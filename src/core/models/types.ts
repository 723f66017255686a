// Shared model-layer types. The checkpoint loader (checkpoint.ts, config.ts) produces them; the
// graph builder and runtime (graph/, runtime.ts) consume them.

export type Architecture = 'llama' | 'mistral' | 'qwen2' | 'gemma2' | 'gpt2';
export const SUPPORTED_ARCHITECTURES: readonly Architecture[] = ['llama', 'mistral', 'qwen2', 'gemma2', 'gpt2'];

/** Llama-3 style RoPE frequency scaling (`rope_scaling.rope_type == "llama3"`). */
export interface Llama3RopeScaling {
  type: 'llama3';
  factor: number;
  lowFreqFactor: number;
  highFreqFactor: number;
  originalMaxPositions: number;
}

/** config.json normalised across architectures (camelCase; defaults filled in per architecture). */
export interface ModelConfig {
  architecture: Architecture;
  vocabSize: number;
  hiddenSize: number;
  numLayers: number;
  numHeads: number;
  numKvHeads: number;
  headDim: number;
  intermediateSize: number;
  maxPositions: number;
  /** RMSNorm epsilon (Llama family) or LayerNorm epsilon (GPT-2). */
  normEps: number;
  ropeTheta: number;
  ropeScaling?: Llama3RopeScaling;
  tieWordEmbeddings: boolean;
  /** q/k/v projections carry biases (Qwen2). */
  attentionBias: boolean;
  hiddenAct: 'silu' | 'gelu_pytorch_tanh' | 'gelu_new' | 'gelu';
  /** Gemma-2 only. */
  queryPreAttnScalar?: number;
  attnLogitSoftcapping?: number;
  finalLogitSoftcapping?: number;
  /** Sliding-window attention size (Mistral when set; Gemma-2 on even layers). */
  slidingWindow?: number;
  bosTokenId?: number;
  eosTokenId?: number | number[];
  padTokenId?: number;
  /** The config.json as read. */
  raw: Record<string, unknown>;
}

/** A tensor as stored in a checkpoint, converted to fp32. */
export interface WeightTensor {
  shape: number[];
  data: Float32Array;
}

/** Read access to a checkpoint's weights by their Hugging Face names. */
export interface WeightSource {
  names(): string[];
  has(name: string): boolean;
  /** Throws a CheckpointError naming the tensor when it is absent. */
  get(name: string): WeightTensor;
  /**
   * Rows [start, start + count) of a tensor along its first axis, as fp32. Sources that read
   * from disk offer it so that large matrices are converted in pieces; without it the whole
   * tensor is read once with `get`.
   */
  rows?(name: string, start: number, count: number): Float32Array;
  /** The tensor's stored shape without reading it (offered with `rows`). */
  info?(name: string): { shape: number[] };
}
