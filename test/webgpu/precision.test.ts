// The WebGPU provider against the CPU's fp32 path, on every architecture's golden checkpoint, at
// every hook point and the logits (root mean square of the difference over the hook's):
// - fp32: within 1e-4. WebGPU sums in another order and has its own exp and tanh; fp32 rounding
//   (6e-8 per operation) over sums of ≤ 128 terms through a dozen layers of operations stays
//   orders of magnitude below. Measured: under 1e-5.
// - fp16: within 2%. WebGPU's fp16 kernels also accumulate in fp16, so one matmul's error grows
//   like √K·u (u = 2⁻¹¹; K ≤ 128 here: ≈ 0.55%), and the deepest hook sits behind four of them in
//   a row (≈ 1.1% in quadrature). Measured worst: 0.51% (llama blocks.1.hook_mlp_out).
// - int4: the same quantized graphs as on the CPU (with the activations unrounded there, as
//   WebGPU leaves them), to within 1e-4.
// Needs a WebGPU adapter (scripts/ensure-vulkan.sh installs Mesa's software one). Under CI=true
// a missing adapter fails the suite; elsewhere the tests skip and say why.
import { after, before, test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { ARCHITECTURES, fixture } from '../golden/models/fixtures.js';
import { LoadedModel, makeBatch, type Precision } from '../../src/core/models/model.js';

const opened: LoadedModel[] = [];
after(() => Promise.all(opened.map((m) => m.dispose())));
const load = async (...args: Parameters<typeof LoadedModel.fromWeights>) => {
  const m = await LoadedModel.fromWeights(...args);
  opened.push(m);
  return m;
};

let missing: string | undefined;
before(async () => {
  const f = fixture('llama');
  const probe = await LoadedModel.fromWeights(f.config, f.weights, { device: 'webgpu' });
  await probe.dispose();
  if (probe.device.used !== 'webgpu') missing = probe.device.fallback ?? 'the model did not run on WebGPU';
});

/** True when the test can go on; fails under CI, skips elsewhere, when there is no adapter. */
function needAdapter(t: TestContext): boolean {
  if (!missing) return true;
  if (process.env.CI === 'true') assert.fail(`no WebGPU adapter (${missing}); run scripts/ensure-vulkan.sh`);
  t.skip(`no WebGPU adapter: ${missing}`);
  return false;
}

function relativeRms(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let d = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    d += (a[i] - b[i]) ** 2;
    n += a[i] ** 2;
  }
  return Math.sqrt(d / n);
}

const CASES: { precision: Precision; tolerance: number; reference: 'fp32' | 'same' }[] = [
  { precision: 'fp32', tolerance: 1e-4, reference: 'fp32' },
  { precision: 'fp16', tolerance: 0.02, reference: 'fp32' },
  { precision: 'int4', tolerance: 1e-4, reference: 'same' },
];

for (const arch of ARCHITECTURES) {
  for (const { precision, tolerance, reference } of CASES) {
    const against = reference === 'same' ? `${precision} on the CPU` : 'fp32 on the CPU';
    test(`${arch}: ${precision} on WebGPU is within ${tolerance} of ${against} at every hook`, async (t) => {
      if (!needAdapter(t)) return;
      const f = fixture(arch);
      const quantization = precision.startsWith('int') ? { accuracyLevel: 1 as const } : undefined;
      const cpu = await load(f.config, f.weights, { threads: 1, precision: reference === 'same' ? precision : 'fp32', quantization });
      const gpu = await load(f.config, f.weights, { device: 'webgpu', precision, quantization });
      assert.deepEqual(gpu.device, { requested: 'webgpu', used: 'webgpu' });
      const batch = makeBatch(f.expected.prompts);
      const hooks = cpu.hookNames();
      const want = await cpu.run(batch, { collect: hooks, logitsAt: 'all', keepCache: true });
      const got = await gpu.run(batch, { collect: hooks, logitsAt: 'all', keepCache: true });
      let worst = { hook: '', error: 0 };
      for (const hook of hooks) {
        const error = relativeRms(want.hooks.get(hook)!.data, got.hooks.get(hook)!.data);
        assert.ok(error <= tolerance, `${hook}: ${error}`);
        if (error > worst.error) worst = { hook, error };
      }
      for (let l = 0; l < cpu.numLayers; l++) assert.ok(relativeRms(want.present![l].key.data, got.present![l].key.data) <= tolerance, `layer ${l} keys`);
      t.diagnostic(`worst ${worst.hook}: ${worst.error.toExponential(2)}`);
    });
  }
}
