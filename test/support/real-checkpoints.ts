// Random-weight checkpoints with the exact configuration of the models the study compares (at a
// small depth and width) and their real tokenizers: the vocabulary, BOS, chat template and answer
// splits a study meets on the real models, at a cost the unit tests can afford.
import { join } from 'node:path';
import { applyOverrides, generateCheckpoint, perturbCheckpoint, presetConfig } from '../../src/core/models/generate/index.js';
import { REAL_TOKENIZERS, type RealTokenizer } from './real-tokenizers.js';

export type Family = 'llama' | 'gemma' | 'qwen';

interface FamilyRecipe {
  config: Record<string, unknown>;
  tokenizer: RealTokenizer;
}

// Width: 4096-wide layers with a real vocabulary of 128k–262k tokens make even a 2-layer model
// gigabytes in fp32, so hidden_size (and intermediate_size, in proportion) is narrowed to 32 and
// the depth cut to 2 layers. Every other field is the real model's: attention and key/value heads
// (so the GQA ratio), head_dim (written out, as the narrower hidden size would change the
// derived one), RoPE theta and scaling, norm epsilon, vocabulary size, BOS/EOS ids, tied or
// untied embeddings, soft-capping and sliding windows.
const RECIPES: Record<Family, FamilyRecipe> = {
  // Llama-3.1-8B with the Llama 3.1 tokenizer.
  llama: {
    config: applyOverrides(presetConfig('llama-3.1-8b')!, { layers: 2, hidden: 32, intermediate: 112 }, { head_dim: 128 }),
    tokenizer: 'llama3',
  },
  // Gemma-2-9B (gemma2 is the supported Gemma architecture) with the Gemma 3 tokenizer, whose ids
  // run to 262,144: the vocabulary is Gemma 3's 262,208 instead of Gemma 2's 256,000.
  gemma: {
    config: applyOverrides(presetConfig('gemma-2-9b')!, { layers: 2, hidden: 32, intermediate: 128, vocab: 262208 }),
    tokenizer: 'gemma3',
  },
  // Qwen2.5-7B (qwen2 architecture: q/k/v biases) with the Qwen 3 tokenizer, whose ids fit its
  // 152,064-token vocabulary.
  qwen: {
    config: applyOverrides(presetConfig('qwen2.5-7b')!, { layers: 2, hidden: 32, intermediate: 169 }, { head_dim: 128 }),
    tokenizer: 'qwen3',
  },
};

export interface RealisticPair {
  pretrained: string;
  finetuned: string;
  config: Record<string, unknown>;
  tokenizerDir: string;
}

/**
 * Writes `dir/pretrained` (bf16, sharded like the Hub's checkpoints, at a small shard size) and
 * `dir/finetuned`, the same weights with noise in the last layer (sharing the other shards).
 */
export function writeRealisticPair(dir: string, family: Family, seed = 1): RealisticPair {
  const { config, tokenizer } = RECIPES[family];
  const pretrained = join(dir, 'pretrained');
  const finetuned = join(dir, 'finetuned');
  const tokenizerDir = REAL_TOKENIZERS[tokenizer];
  generateCheckpoint(pretrained, { config, seed, dtype: 'BF16', shardBytes: 8_000_000, tokenizerDir });
  perturbCheckpoint(finetuned, { base: pretrained, perturb: { seed: seed + 1, layers: [1], scale: 0.5 } });
  return { pretrained, finetuned, config, tokenizerDir };
}
