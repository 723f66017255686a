// Generated checkpoints: sharded Hugging Face layout that loads and runs, transformers-style
// initialisation, the same bytes for the same seed, and "fine-tuned" variants that differ in the
// named layers only and share the base's other shards on disk.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { loadCheckpoint } from '../../../src/core/models/checkpoint.js';
import { applyOverrides, generateCheckpoint, GenerateError, layerOf, perturbCheckpoint, presetConfig, readGeneratorManifest } from '../../../src/core/models/generate/index.js';
import { NormalStream } from '../../../src/core/models/generate/random.js';
import { LoadedModel, makeBatch } from '../../../src/core/models/model.js';
import { loadTokenizer } from '../../../src/core/models/tokenizer.js';
import { createRng, fromState } from '../../../src/core/stats/rng.js';
import { tmp } from '../study/support.js';

const dir = tmp('generate');
after(() => rmSync(dir, { recursive: true, force: true }));

// Four layers of 64: a few hundred kilobytes, spread over several 200 kB shards.
const tiny = presetConfig('tiny-llama')!;
const files = (d: string) => readdirSync(d).filter((f) => f.endsWith('.safetensors')).sort();
const bytesOf = (d: string) => Object.fromEntries(files(d).map((f) => [f, readFileSync(join(d, f))]));

test('a sharded checkpoint loads, runs, and starts from transformers\' initialisation', async () => {
  const out = join(dir, 'sharded');
  const made = generateCheckpoint(out, { config: tiny, seed: 1, dtype: 'BF16', shardBytes: 200_000 });
  assert.ok(made.shards.length >= 3, `${made.shards.length} shards`);
  const ck = await loadCheckpoint(out);
  assert.deepEqual(ck.files.filter((f) => f.endsWith('.safetensors')), made.shards);
  const index = JSON.parse(readFileSync(join(out, 'model.safetensors.index.json'), 'utf8')) as { metadata: { total_size: number }; weight_map: Record<string, string> };
  assert.equal(index.metadata.total_size, made.bytes);
  // Every tensor of one layer sits in one shard, layers in order.
  const shardOf = (l: number) => new Set(Object.entries(index.weight_map).filter(([n]) => layerOf(n) === l).map(([, f]) => f));
  for (let l = 0; l < 4; l++) assert.ok(shardOf(l).size <= 2);

  const q = ck.weights.get('model.layers.0.self_attn.q_proj.weight').data;
  const std = Math.sqrt(q.reduce((a, x) => a + x * x, 0) / q.length);
  assert.ok(Math.abs(std - 0.02) < 0.001, `q_proj std ${std}`);
  assert.ok(ck.weights.get('model.layers.3.input_layernorm.weight').data.every((x) => x === 1));

  const tokenizer = loadTokenizer(out);
  const ids = tokenizer.encode('The chairman said: Answer: 10');
  assert.equal(ids[0], 1, 'BOS at the id config.json names');
  const model = await LoadedModel.fromWeights(ck.config, ck.weights);
  try {
    const r = await model.run(makeBatch([ids]), { collect: ['blocks.3.hook_resid_post'] });
    const logits = r.logits.data;
    assert.equal(logits.length, 512);
    assert.ok(logits.every(Number.isFinite));
    const spread = Math.max(...logits) - Math.min(...logits);
    assert.ok(spread > 0.1 && spread < 10, `logit spread ${spread}`);
  } finally {
    await model.dispose();
  }
});

test('the same seed gives the same bytes whatever the sharding; another seed does not', () => {
  const a = generateCheckpoint(join(dir, 'a'), { config: tiny, seed: 7, dtype: 'F16', shardBytes: 200_000 });
  generateCheckpoint(join(dir, 'b'), { config: tiny, seed: 7, dtype: 'F16', shardBytes: 200_000 });
  generateCheckpoint(join(dir, 'c'), { config: tiny, seed: 8, dtype: 'F16', shardBytes: 200_000 });
  generateCheckpoint(join(dir, 'one'), { config: tiny, seed: 7, dtype: 'F16' });
  assert.deepEqual(bytesOf(join(dir, 'a')), bytesOf(join(dir, 'b')));
  assert.notDeepEqual(bytesOf(join(dir, 'a')), bytesOf(join(dir, 'c')));
  for (const f of ['config.json', 'tokenizer.json', 'tokenizer_config.json', 'model.safetensors.index.json']) {
    assert.equal(readFileSync(join(dir, 'a', f), 'utf8'), readFileSync(join(dir, 'b', f), 'utf8'), f);
  }
  // A tensor's values depend on the seed and its name, not on the shard it lands in.
  const sharded = loadCheckpoint(join(dir, 'a'), { hash: false });
  const single = loadCheckpoint(join(dir, 'one'), { hash: false });
  return Promise.all([sharded, single]).then(([s, o]) => {
    assert.equal(files(join(dir, 'one')).length, 1);
    for (const name of s.weights.names()) assert.deepEqual(s.weights.get(name).data, o.weights.get(name).data, name);
    assert.equal(a.shards.length, files(join(dir, 'a')).length);
    // Generating again into a folder replaces its weights: no shard of the earlier layout is left.
    generateCheckpoint(join(dir, 'b'), { config: tiny, seed: 7, dtype: 'F16' });
    assert.deepEqual(readdirSync(join(dir, 'b')).filter((f) => f.startsWith('model')), ['model.safetensors']);
  });
});

test('normal draws: the study generator\'s stream, the same in any chunking', () => {
  const seed = 12345;
  const whole = new Float32Array(1001);
  new NormalStream(seed).fill(whole);
  const pieces = new Float32Array(1001);
  const s = new NormalStream(seed);
  for (let at = 0, k = 1; at < pieces.length; at += k, k = (k * 7) % 13 + 1) s.fill(pieces.subarray(at, Math.min(at + k, pieces.length)));
  assert.deepEqual(pieces, whole);
  // Reference: Marsaglia's polar method over stats/rng's xoshiro128** started from the same state.
  const init = createRng(seed);
  const rng = fromState([init.u32(), init.u32(), init.u32(), init.u32()]);
  const ref: number[] = [];
  while (ref.length < 1001) {
    const x = rng.u32() / 2 ** 31 - 1;
    const y = rng.u32() / 2 ** 31 - 1;
    const r = x * x + y * y;
    if (r >= 1 || r === 0) continue;
    const f = Math.sqrt((-2 * Math.log(r)) / r);
    ref.push(x * f, y * f);
  }
  assert.deepEqual(whole, Float32Array.from(ref.slice(0, 1001)));
});

test('a perturbed variant differs in the named layers only and hard-links the other shards', async () => {
  const base = join(dir, 'base');
  const fine = join(dir, 'fine');
  generateCheckpoint(base, { config: tiny, seed: 3, dtype: 'BF16', shardBytes: 200_000 });
  const made = perturbCheckpoint(fine, { base, perturb: { seed: 9, layers: [2] } });
  const baseIndex = readFileSync(join(base, 'model.safetensors.index.json'), 'utf8');
  assert.equal(readFileSync(join(fine, 'model.safetensors.index.json'), 'utf8'), baseIndex);
  const weightMap = (JSON.parse(baseIndex) as { weight_map: Record<string, string> }).weight_map;
  const touched = new Set(Object.entries(weightMap).filter(([n]) => layerOf(n) === 2).map(([, f]) => f));
  assert.ok(touched.size >= 1 && touched.size < files(base).length);
  for (const f of files(base)) {
    const same = statSync(join(base, f)).ino === statSync(join(fine, f)).ino;
    assert.equal(same, !touched.has(f), `${f}: shared by inode only when it holds no layer-2 tensor`);
  }
  assert.deepEqual(made.linked, files(base).filter((f) => !touched.has(f)));

  const [b, v] = await Promise.all([loadCheckpoint(base), loadCheckpoint(fine)]);
  assert.notEqual(b.sha256, v.sha256);
  for (const name of b.weights.names()) {
    const x = b.weights.get(name).data;
    const y = v.weights.get(name).data;
    if (layerOf(name) !== 2) {
      assert.deepEqual(y, x, name);
      continue;
    }
    let d2 = 0;
    for (let i = 0; i < x.length; i++) d2 += (y[i] - x[i]) ** 2;
    const rms = Math.sqrt(d2 / x.length);
    // Noise of 0.1 × the initialisation's 0.02, rounded to bf16.
    assert.ok(rms > 0.0015 && rms < 0.0025, `${name}: rms change ${rms}`);
  }

  // The same variant written from scratch (no base folder) has the same bytes.
  generateCheckpoint(join(dir, 'fine-direct'), { config: tiny, seed: 3, dtype: 'BF16', shardBytes: 200_000, perturb: { seed: 9, layers: [2] } });
  assert.deepEqual(bytesOf(join(dir, 'fine-direct')), bytesOf(fine));
  assert.equal(readGeneratorManifest(fine)?.recipe.base, base);
});

test('options that cannot give a checkpoint are refused with the reason', () => {
  const refuse = (fn: () => unknown, pattern: RegExp) => assert.throws(fn, (e: unknown) => e instanceof GenerateError && pattern.test(e.message));
  const out = join(dir, 'refused');
  refuse(() => generateCheckpoint(out, { config: applyOverrides(tiny, { heads: 3 }), seed: 1, dtype: 'F32' }), /not divisible by 3 attention heads/);
  refuse(() => generateCheckpoint(out, { config: applyOverrides(tiny, { vocab: 100 }), seed: 1, dtype: 'F32' }), /tokenizer needs \d+ ids but vocab_size is 100/);
  refuse(() => generateCheckpoint(out, { config: tiny, seed: 1, dtype: 'F32', perturb: { seed: 1, layers: [4] } }), /layer 4 is outside the model's layers 0\.\.3/);
  refuse(() => perturbCheckpoint(out, { base: join(dir, 'nowhere'), perturb: { seed: 1, layers: [0] } }), /has no config\.json/);
  assert.throws(() => applyOverrides({ model_type: 'gpt2' }, { kvHeads: 2 }), /--kv-heads does not apply to gpt2/);
});
