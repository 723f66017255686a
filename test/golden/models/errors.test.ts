// Bad input is refused with a message naming the culprit: architectures, tensors, token ids,
// caches, activations, and session inputs.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { fixture, loadFixture } from './fixtures.js';
import { LoadedModel, makeBatch, sliceBatch } from '../../../src/core/models/model.js';
import { GraphSession, floatTensor } from '../../../src/core/models/runtime.js';
import { GraphBuilder } from '../../../src/core/models/graph/builder.js';
import type { ModelConfig, WeightSource, WeightTensor } from '../../../src/core/models/types.js';

const { model } = await loadFixture('llama');
after(() => model.dispose());

test('an unsupported architecture is named along with the supported list', async () => {
  const { config, weights } = fixture('llama');
  const bad = { ...config, architecture: 'falcon', raw: { architectures: ['FalconForCausalLM'] } } as unknown as ModelConfig;
  await assert.rejects(LoadedModel.fromWeights(bad, weights), /architecture FalconForCausalLM is not supported; supported: llama, mistral, qwen2, gemma2, gpt2/);
});

test('a missing or misshapen tensor is named', async () => {
  const { config, weights } = fixture('qwen2');
  const without = (skip: string): WeightSource => ({
    names: () => weights.names().filter((n) => n !== skip),
    has: (n) => n !== skip && weights.has(n),
    get: (n) => (n === skip ? weights.get('no such tensor') : weights.get(n)),
  });
  await assert.rejects(LoadedModel.fromWeights(config, without('model.layers.1.self_attn.k_proj.bias')), /no tensor named "no such tensor"/);
  const reshaped: WeightSource = {
    names: () => weights.names(),
    has: (n) => weights.has(n),
    get: (n): WeightTensor => (n === 'model.layers.0.mlp.up_proj.weight' ? { shape: [32, 64], data: weights.get(n).data } : weights.get(n)),
  };
  await assert.rejects(LoadedModel.fromWeights(config, reshaped), /model\.layers\.0\.mlp\.up_proj\.weight has shape \[32,64\], expected \[64,32\]/);
});

test('token ids outside the vocabulary are named by prompt and column', async () => {
  await assert.rejects(model.run(makeBatch([[1, 2], [3, 96, 4]])), /token id 96 at prompt 1, column 1 is outside the vocabulary of 96/);
});

test('a continued batch without its cache, or with a wrong one, is refused', async () => {
  const batch = makeBatch([[1, 2, 3, 4]]);
  await assert.rejects(model.run(sliceBatch(batch, 2)), /continues after 2 cached columns but no past keys\/values/);
  const prefix = await model.run(sliceBatch(batch, 0, 1), { keepCache: true });
  await assert.rejects(model.run(sliceBatch(batch, 2), { past: prefix.present }), /layer 0 past key has dims \[1,2,1,8\], expected \[1,2,2,8\]/);
});

test('wrong activations, layers, hooks and positions are named', async () => {
  const batch = makeBatch([[1, 2, 3]]);
  await assert.rejects(model.mlp(0, { data: new Float32Array(3 * 31), dims: [1, 3, 31] }), /blocks\.0\.hook_resid_mid has dims \[1,3,31\].*expected \[batch, seq, 32\]/);
  await assert.rejects(model.mlp(2, { data: new Float32Array(96), dims: [1, 3, 32] }), /layer 2 does not exist; the model has layers 0\.\.1/);
  await assert.rejects(model.run(batch, { collect: ['blocks.0.hook_q'] }), /unknown hook blocks\.0\.hook_q/);
  await assert.rejects(model.run(batch, { logitsAt: [3] }), /position 3 is outside a sequence of 3 columns/);
  await assert.rejects(
    model.run(batch, { replace: (h, a) => (h === 'blocks.1.hook_mlp_out' ? { data: a.data.subarray(1), dims: [1, 3, 32] } : undefined) }),
    /replacement for blocks\.1\.hook_mlp_out has dims \[1,3,32\] \(95 values\), expected \[1,3,32\]/,
  );
});

test('a session run reports the inputs it was given and expected', async () => {
  const g = new GraphBuilder('double');
  const x = g.input('x', 'float32', ['B', 4]);
  g.output(g.op('Add', [x, x]), 'y', 'float32', ['B', 4]);
  const s = await GraphSession.create('double', g.toBytes());
  try {
    assert.deepEqual((await s.run({ x: floatTensor(new Float32Array([1, 2, 3, 4]), [1, 4]) })).y.data, new Float32Array([2, 4, 6, 8]));
    await assert.rejects(s.run({ z: floatTensor(new Float32Array(3), [1, 3]) }), (e: unknown) => {
      const { message } = e as Error;
      assert.match(message, /cannot run double: missing input x; unexpected input z/);
      assert.match(message, /given: z: float32\[1, 3\]/);
      assert.match(message, /expected: x: float32\[B, 4\]/);
      return true;
    });
    await assert.rejects(s.run({ x: floatTensor(new Float32Array(3), [1, 3]) }), /input x has dim 1 = 3, expected 4/);
  } finally {
    await s.dispose();
  }
  await assert.rejects(s.run({ x: floatTensor(new Float32Array(4), [1, 4]) }), /disposed/);
});

test('a disposed model refuses to run', async () => {
  const { model: m } = await loadFixture('gpt2');
  await m.dispose();
  await assert.rejects(m.run(makeBatch([[1]])), /disposed/);
});
