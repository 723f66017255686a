// Devices on this machine, for real: providers this installation lacks (CUDA without its
// binaries, DirectML and CoreML off their platforms) fall back to the CPU with the reason and give
// the CPU's logits; WebGPU runs where a Vulkan driver gives it an adapter (Mesa's lavapipe here;
// the WebGPU suite requires it) and otherwise falls back, which a child process without any
// Vulkan driver shows.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fixture, maxAbsDiff } from './fixtures.js';
import { LoadedModel, makeBatch, type DeviceRequest } from '../../../src/core/models/model.js';

const f = fixture('qwen2');
const batch = makeBatch(f.expected.prompts);
const cpu = LoadedModel.fromWeights(f.config, f.weights, { threads: 1 });
after(async () => (await cpu).dispose());

for (const device of ['cuda', 'dml', 'coreml'] as DeviceRequest[]) {
  test(`${device} is absent here: the model runs on the CPU and says why`, async () => {
    const model = await LoadedModel.fromWeights(f.config, f.weights, { threads: 1, device });
    try {
      assert.equal(model.device.requested, device);
      assert.equal(model.device.used, 'cpu');
      assert.match(model.device.fallback ?? '', new RegExp(`^${device}: (onnxruntime-node was installed without its CUDA binaries|DirectML runs on Windows only|CoreML runs on macOS only)`));
      assert.deepEqual((await model.run(batch)).logits.data, (await (await cpu).run(batch)).logits.data);
    } finally {
      await model.dispose();
    }
  });
}

test('auto picks the CPU here (no CUDA binaries, not Windows) without calling it a fallback', async () => {
  const model = await LoadedModel.fromWeights(f.config, f.weights, { threads: 1, device: 'auto' });
  await model.dispose();
  assert.deepEqual(model.device, { requested: 'auto', used: 'cpu' });
});

test('webgpu runs every session on WebGPU where an adapter exists, else falls back with the reason', async (t) => {
  const model = await LoadedModel.fromWeights(f.config, f.weights, { device: 'webgpu' });
  try {
    if (model.device.used === 'cpu') {
      assert.match(model.device.fallback ?? '', /^webgpu: /);
      t.diagnostic(`no WebGPU adapter: ${model.device.fallback}`);
      return;
    }
    assert.deepEqual(model.device, { requested: 'webgpu', used: 'webgpu' });
    const got = await model.run(batch, { logitsAt: 'all' });
    const want = await (await cpu).run(batch, { logitsAt: 'all' });
    assert.ok(maxAbsDiff(got.logits.data, want.logits.data) < 1e-4);
  } finally {
    await model.dispose();
  }
});

test('without any Vulkan driver WebGPU cannot create a session, and the model falls back to the CPU', async () => {
  const script = `
    import { fixture } from './test/golden/models/fixtures.ts';
    import { LoadedModel, makeBatch } from './src/core/models/model.ts';
    const f = fixture('qwen2');
    const m = await LoadedModel.fromWeights(f.config, f.weights, { threads: 1, device: 'webgpu' });
    const { logits } = await m.run(makeBatch(f.expected.prompts));
    console.log(JSON.stringify({ device: m.device, logits: Array.from(logits.data) }));
    await m.dispose();`;
  const child = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
    env: { ...process.env, VK_ICD_FILENAMES: '/nonexistent/icd.json', VK_DRIVER_FILES: '/nonexistent/icd.json' },
    encoding: 'utf8',
  });
  assert.equal(child.status, 0, child.stderr);
  const out = JSON.parse(child.stdout.trim().split('\n').pop()!) as { device: { used: string; fallback: string }; logits: number[] };
  assert.equal(out.device.used, 'cpu');
  assert.match(out.device.fallback, /^webgpu: could not create a session \(.*adapter/i);
  assert.deepEqual(Float32Array.from(out.logits), (await (await cpu).run(batch)).logits.data);
});
