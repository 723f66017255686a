// Loads the tiny golden checkpoints written by scripts/golden/models.py.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/core/models/config.js';
import { readSafetensors } from '../../../src/core/models/safetensors.js';
import { LoadedModel, type Act } from '../../../src/core/models/model.js';
import type { RuntimeOptions } from '../../../src/core/models/runtime.js';
import type { Architecture } from '../../../src/core/models/types.js';

export const ARCHITECTURES: Architecture[] = ['llama', 'mistral', 'qwen2', 'gemma2', 'gpt2'];
const root = join(import.meta.dirname, 'fixtures');

export interface Expected {
  prompts: number[][];
  /** Per prompt: [position][token] */
  logits: number[][][];
}

export function fixture(arch: Architecture) {
  const dir = join(root, arch);
  const config = parseConfig(readFileSync(join(dir, 'config.json'), 'utf8'), `${arch}/config.json`);
  const weights = readSafetensors(join(dir, 'model.safetensors'));
  const expected = JSON.parse(readFileSync(join(dir, 'expected.json'), 'utf8')) as Expected;
  return { config, weights, expected };
}

export async function loadFixture(arch: Architecture, opts: RuntimeOptions = { threads: 1 }) {
  const f = fixture(arch);
  return { ...f, model: await LoadedModel.fromWeights(f.config, f.weights, opts) };
}

/** Largest |a − b| over two equally long arrays. */
export function maxAbsDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  if (a.length !== b.length) throw new Error(`lengths differ: ${a.length} vs ${b.length}`);
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i] - b[i]));
  return m;
}

/** Rows [batch row b, columns from..to) of a [B, S, X] activation, flattened. */
export function rows(act: Act, b: number, from: number, to: number): Float32Array {
  const [, S] = act.dims;
  const inner = act.dims.slice(2).reduce((x, y) => x * y, 1);
  return act.data.slice((b * S + from) * inner, (b * S + to) * inner);
}
