import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../../../src/core/models/config.js';
import { CheckpointError, type CheckpointErrorCode } from '../../../src/core/models/errors.js';
import type { ModelConfig } from '../../../src/core/models/types.js';
import { checkpointError } from '../../support/errors.js';

/** Parses and compares the listed fields (raw is left out of the comparison). */
function expectConfig(json: Record<string, unknown>, expected: Partial<ModelConfig>): void {
  const c = parseConfig(json) as unknown as Record<string, unknown>;
  const picked: Record<string, unknown> = {};
  for (const k of Object.keys(expected)) picked[k] = c[k];
  assert.deepEqual(picked, expected);
}

function expectError(json: unknown, code: CheckpointErrorCode, ...mentions: string[]): void {
  assert.throws(() => parseConfig(json, 'models/x/config.json'), checkpointError(code, 'models/x/config.json', ...mentions));
}

test('Llama-3.1-8B config.json (as published)', () => {
  expectConfig({
    architectures: ['LlamaForCausalLM'], attention_bias: false, bos_token_id: 128000, eos_token_id: [128001, 128008, 128009],
    hidden_act: 'silu', hidden_size: 4096, intermediate_size: 14336, max_position_embeddings: 131072, mlp_bias: false,
    model_type: 'llama', num_attention_heads: 32, num_hidden_layers: 32, num_key_value_heads: 8, rms_norm_eps: 1e-5,
    rope_scaling: { factor: 8.0, low_freq_factor: 1.0, high_freq_factor: 4.0, original_max_position_embeddings: 8192, rope_type: 'llama3' },
    rope_theta: 500000.0, tie_word_embeddings: false, torch_dtype: 'bfloat16', vocab_size: 128256,
  }, {
    architecture: 'llama', vocabSize: 128256, hiddenSize: 4096, numLayers: 32, numHeads: 32, numKvHeads: 8, headDim: 128,
    intermediateSize: 14336, maxPositions: 131072, normEps: 1e-5, ropeTheta: 500000, tieWordEmbeddings: false,
    attentionBias: false, hiddenAct: 'silu', bosTokenId: 128000, eosTokenId: [128001, 128008, 128009], padTokenId: undefined,
    ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 8192 },
  });
});

test('Mistral-7B-v0.1 config.json keeps its sliding window', () => {
  expectConfig({
    architectures: ['MistralForCausalLM'], bos_token_id: 1, eos_token_id: 2, hidden_act: 'silu', hidden_size: 4096,
    intermediate_size: 14336, max_position_embeddings: 32768, model_type: 'mistral', num_attention_heads: 32,
    num_hidden_layers: 32, num_key_value_heads: 8, rms_norm_eps: 1e-5, rope_theta: 10000.0, sliding_window: 4096,
    tie_word_embeddings: false, vocab_size: 32000,
  }, { architecture: 'mistral', numKvHeads: 8, headDim: 128, slidingWindow: 4096, ropeScaling: undefined, bosTokenId: 1, eosTokenId: 2 });
  expectConfig({ model_type: 'mistral', sliding_window: null }, { slidingWindow: undefined });
});

test('Qwen2 has q/k/v biases and may tie embeddings', () => {
  expectConfig({
    architectures: ['Qwen2ForCausalLM'], bos_token_id: 151643, eos_token_id: 151645, hidden_size: 896, intermediate_size: 4864,
    max_position_embeddings: 32768, max_window_layers: 21, model_type: 'qwen2', num_attention_heads: 14, num_hidden_layers: 24,
    num_key_value_heads: 2, rms_norm_eps: 1e-6, rope_theta: 1000000.0, sliding_window: 32768, tie_word_embeddings: true,
    use_sliding_window: false, vocab_size: 151936,
  }, { architecture: 'qwen2', attentionBias: true, tieWordEmbeddings: true, headDim: 64, numKvHeads: 2, slidingWindow: undefined, ropeTheta: 1e6 });
});

test('Gemma-2-9B config.json: softcaps, query scalar, window, explicit head_dim', () => {
  expectConfig({
    architectures: ['Gemma2ForCausalLM'], attn_logit_softcapping: 50.0, bos_token_id: 2, cache_implementation: 'hybrid',
    eos_token_id: 1, final_logit_softcapping: 30.0, head_dim: 256, hidden_act: 'gelu_pytorch_tanh', hidden_activation: 'gelu_pytorch_tanh',
    hidden_size: 3584, intermediate_size: 14336, max_position_embeddings: 8192, model_type: 'gemma2', num_attention_heads: 16,
    num_hidden_layers: 42, num_key_value_heads: 8, pad_token_id: 0, query_pre_attn_scalar: 256, rms_norm_eps: 1e-6,
    rope_theta: 10000.0, sliding_window: 4096, vocab_size: 256000,
  }, {
    architecture: 'gemma2', hiddenSize: 3584, numHeads: 16, numKvHeads: 8, headDim: 256, hiddenAct: 'gelu_pytorch_tanh',
    queryPreAttnScalar: 256, attnLogitSoftcapping: 50, finalLogitSoftcapping: 30, slidingWindow: 4096, tieWordEmbeddings: true,
    bosTokenId: 2, eosTokenId: 1, padTokenId: 0,
  });
  expectConfig({ model_type: 'gemma2', final_logit_softcapping: null, attn_logit_softcapping: null }, { attnLogitSoftcapping: undefined, finalLogitSoftcapping: undefined });
});

test('GPT-2 config.json uses its own names and defaults', () => {
  expectConfig({
    activation_function: 'gelu_new', architectures: ['GPT2LMHeadModel'], bos_token_id: 50256, eos_token_id: 50256,
    layer_norm_epsilon: 1e-5, model_type: 'gpt2', n_ctx: 1024, n_embd: 768, n_head: 12, n_layer: 12, n_positions: 1024, vocab_size: 50257,
  }, {
    architecture: 'gpt2', hiddenSize: 768, numLayers: 12, numHeads: 12, numKvHeads: 12, headDim: 64, intermediateSize: 3072,
    maxPositions: 1024, normEps: 1e-5, hiddenAct: 'gelu_new', tieWordEmbeddings: true, ropeTheta: 0,
  });
  expectConfig({ model_type: 'gpt2', n_embd: 64, n_head: 4, n_inner: 100, activation_function: 'gelu' }, { intermediateSize: 100, headDim: 16, hiddenAct: 'gelu' });
});

test('omitted fields take each architecture\'s transformers defaults', () => {
  expectConfig({ model_type: 'llama' }, {
    vocabSize: 32000, hiddenSize: 4096, intermediateSize: 11008, numLayers: 32, numHeads: 32, numKvHeads: 32, headDim: 128,
    maxPositions: 2048, normEps: 1e-6, ropeTheta: 10000, tieWordEmbeddings: false, bosTokenId: 1, eosTokenId: 2,
  });
  expectConfig({ model_type: 'mistral' }, { intermediateSize: 14336, numKvHeads: 8, maxPositions: 131072, slidingWindow: undefined });
  expectConfig({ model_type: 'qwen2' }, { vocabSize: 151936, intermediateSize: 22016, maxPositions: 32768, bosTokenId: undefined });
  expectConfig({ model_type: 'gemma2' }, {
    vocabSize: 256000, hiddenSize: 2304, numLayers: 26, numHeads: 8, numKvHeads: 4, headDim: 256, intermediateSize: 9216,
    queryPreAttnScalar: 256, attnLogitSoftcapping: 50, finalLogitSoftcapping: 30, slidingWindow: 4096,
  });
  expectConfig({ model_type: 'gpt2' }, { vocabSize: 50257, hiddenSize: 768, numLayers: 12, maxPositions: 1024, bosTokenId: 50256 });
  expectConfig({ architectures: ['LlamaForCausalLM'] }, { architecture: 'llama' });
  expectConfig({ model_type: 'llama', rope_scaling: { rope_type: 'default' }, pad_token_id: -1 }, { ropeScaling: undefined, padTokenId: undefined });
});

test('text input is parsed and the raw object kept', () => {
  const c = parseConfig('{"model_type":"llama","hidden_size":64,"num_attention_heads":4,"custom":7}');
  assert.equal(c.headDim, 16);
  assert.equal(c.raw.custom, 7);
});

test('bad or unsupported configs are errors naming the field', () => {
  expectError('{"model_type": ', 'invalid-config', 'not valid JSON');
  expectError([1], 'invalid-config', 'not a JSON object');
  expectError({ model_type: 'falcon' }, 'unsupported-architecture', '"falcon"', 'llama, mistral, qwen2, gemma2, gpt2');
  expectError({ architectures: ['PhiForCausalLM'] }, 'unsupported-architecture', 'PhiForCausalLM', 'gpt2');
  expectError({}, 'unsupported-architecture', 'no model_type');
  expectError({ model_type: 'llama', hidden_size: '4096' }, 'invalid-config', '"hidden_size"');
  expectError({ model_type: 'llama', num_hidden_layers: 0 }, 'invalid-config', '"num_hidden_layers"');
  expectError({ model_type: 'llama', rms_norm_eps: 'x' }, 'invalid-config', '"rms_norm_eps"');
  expectError({ model_type: 'llama', tie_word_embeddings: 'yes' }, 'invalid-config', '"tie_word_embeddings"');
  expectError({ model_type: 'llama', hidden_size: 100, num_attention_heads: 3 }, 'invalid-config', 'not divisible');
  expectError({ model_type: 'llama', num_attention_heads: 32, num_key_value_heads: 5 }, 'invalid-config', 'key/value heads');
  expectError({ model_type: 'llama', bos_token_id: 40000 }, 'invalid-config', 'bos_token_id 40000');
  expectError({ model_type: 'llama', eos_token_id: 'x' }, 'invalid-config', '"eos_token_id"');
  expectError({ model_type: 'llama', hidden_act: 'relu' }, 'unsupported-config', 'hidden_act "relu"', 'silu');
  expectError({ model_type: 'llama', rope_scaling: { type: 'linear', factor: 2 } }, 'unsupported-config', '"linear"', 'llama3');
  expectError({ model_type: 'llama', rope_scaling: { rope_type: 'llama3', factor: 8 } }, 'invalid-config', 'original_max_position_embeddings');
  expectError({ model_type: 'llama', rope_scaling: 3 }, 'invalid-config', 'rope_scaling');
  expectError({ model_type: 'llama', attention_bias: true }, 'unsupported-config', 'attention_bias');
  expectError({ model_type: 'llama', mlp_bias: true }, 'unsupported-config', 'mlp_bias');
  expectError({ model_type: 'qwen2', use_sliding_window: true }, 'unsupported-config', 'use_sliding_window');
  expectError({ model_type: 'gemma2', final_logit_softcapping: -1 }, 'invalid-config', 'final_logit_softcapping');
  expectError({ model_type: 'gemma2', rope_scaling: { rope_type: 'llama3' } }, 'unsupported-config', 'rope_scaling');
  expectError({ model_type: 'gpt2', activation_function: 'relu' }, 'unsupported-config', 'activation_function "relu"');
  expectError({ model_type: 'gpt2', scale_attn_by_inverse_layer_idx: true }, 'unsupported-config', 'scale_attn_by_inverse_layer_idx');
});
