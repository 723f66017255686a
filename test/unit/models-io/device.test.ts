// Choosing the execution provider: the same request resolves differently by platform and by
// what the onnxruntime-node installation holds, and every fallback says why. The tables stand for
// installations this machine is not (Windows, macOS, Linux with the CUDA binaries); the last
// tests ask this machine's own installation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chooseProvider, describeDevice, fellBack } from '../../../src/core/models/device.js';
import { checkPrecision, precisionsFor, PrecisionError, type DeviceRequest } from '../../../src/core/models/precision.js';
import { providerSupport, type ProviderSupport } from '../../../src/core/models/runtime.js';

const backends = (...names: string[]) => names.map((name) => ({ name, bundled: !['cuda', 'tensorrt'].includes(name) }));
const LINUX: ProviderSupport = { platform: 'linux', arch: 'x64', backends: backends('cpu', 'webgpu', 'cuda', 'tensorrt'), cudaInstalled: false };
const LINUX_CUDA: ProviderSupport = { ...LINUX, cudaInstalled: true };
const WINDOWS: ProviderSupport = { platform: 'win32', arch: 'x64', backends: backends('cpu', 'dml', 'webgpu'), cudaInstalled: false };
const MAC: ProviderSupport = { platform: 'darwin', arch: 'arm64', backends: backends('cpu', 'webgpu', 'coreml'), cudaInstalled: false };

const cases: [ProviderSupport, DeviceRequest, string, RegExp | undefined][] = [
  [LINUX, 'auto', 'cpu', undefined],
  [LINUX, 'cpu', 'cpu', undefined],
  [LINUX, 'webgpu', 'webgpu', undefined],
  [LINUX, 'cuda', 'cpu', /^cuda: onnxruntime-node was installed without its CUDA binaries; reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci/],
  [LINUX, 'dml', 'cpu', /^dml: DirectML runs on Windows only, not on linux\/x64/],
  [LINUX, 'coreml', 'cpu', /^coreml: CoreML runs on macOS only, not on linux\/x64/],
  [LINUX_CUDA, 'auto', 'cuda', undefined],
  [LINUX_CUDA, 'cuda', 'cuda', undefined],
  [WINDOWS, 'auto', 'dml', undefined],
  [WINDOWS, 'dml', 'dml', undefined],
  [WINDOWS, 'cuda', 'cpu', /^cuda: onnxruntime-node has no CUDA provider on win32\/x64/],
  [MAC, 'auto', 'cpu', undefined],
  [MAC, 'coreml', 'coreml', undefined],
  [MAC, 'dml', 'cpu', /DirectML runs on Windows only, not on darwin\/arm64/],
];

for (const [support, request, used, fallback] of cases) {
  test(`${support.platform}${support.cudaInstalled ? ' with CUDA binaries' : ''}: ${request} → ${used}`, () => {
    const choice = chooseProvider(request, support);
    assert.equal(choice.requested, request);
    assert.equal(choice.used, used);
    if (fallback) assert.match(choice.fallback ?? '', fallback);
    else assert.equal(choice.fallback, undefined);
  });
}

test('auto never picks WebGPU, even where it is the only provider besides the CPU', () => {
  assert.equal(chooseProvider('auto', LINUX).used, 'cpu');
  assert.equal(chooseProvider('auto', MAC).used, 'cpu');
});

test('a provider that fails to create a session gives way to the CPU with its error as the reason', () => {
  const choice = fellBack({ requested: 'webgpu', used: 'webgpu' }, new Error('no adapter found\nat …'));
  assert.deepEqual(choice, { requested: 'webgpu', used: 'cpu', fallback: 'webgpu: could not create a session (no adapter found)' });
  assert.equal(describeDevice(choice), 'cpu (asked for webgpu; webgpu: could not create a session (no adapter found))');
  // onnxruntime's own messages lead with a source path and the check that failed.
  const ort = new Error('cannot create the embed session on webgpu: /onnxruntime_src/onnxruntime/core/providers/webgpu/webgpu_context.cc:136 onnxruntime::webgpu::WebGpuContext::Initialize(...)::<lambda()> adapter_result.status == wgpu::RequestAdapterStatus::Success was false. Failed to get a WebGPU adapter: No supported adapters');
  assert.equal(fellBack({ requested: 'webgpu', used: 'webgpu' }, ort).fallback, 'webgpu: could not create a session (Failed to get a WebGPU adapter: No supported adapters)');
});

test('precisions per device: bf16 only on CUDA, fp16 not on the CPU, and a refusal names the device and what it offers', () => {
  assert.deepEqual(precisionsFor('cpu'), ['fp32', 'int8', 'int4']);
  assert.deepEqual(precisionsFor('webgpu'), ['fp32', 'fp16', 'int8', 'int4']);
  assert.deepEqual(precisionsFor('cuda'), ['fp32', 'fp16', 'bf16', 'int8', 'int4']);
  assert.ok(!precisionsFor('webgpu').includes('bf16') && !precisionsFor('dml').includes('bf16') && !precisionsFor('coreml').includes('bf16'));
  checkPrecision('bf16', 'cuda');
  assert.throws(() => checkPrecision('bf16', 'cpu'), (e: unknown) => {
    assert.ok(e instanceof PrecisionError);
    assert.equal(e.message, 'precision bf16 is not computed on cpu; cpu offers fp32, int8, int4; bf16 needs the CUDA provider');
    return true;
  });
  assert.throws(() => checkPrecision('bf16', 'cpu', 'cuda: not installed'), /not computed on cpu \(cuda: not installed\)/);
  assert.throws(() => checkPrecision('int8', 'coreml'), /coreml offers fp32, fp16/);
  assert.throws(() => checkPrecision('fp16', 'cpu'), /fp16 needs a GPU provider/);
});

test("this machine's installation: the CPU provider, and a reason for every provider it lacks", () => {
  const here = providerSupport();
  assert.ok(here.backends.some((b) => b.name === 'cpu'));
  assert.equal(chooseProvider('cpu', here).used, 'cpu');
  for (const request of ['cuda', 'dml', 'coreml', 'webgpu'] as const) {
    const choice = chooseProvider(request, here);
    assert.ok(choice.used === request || (choice.used === 'cpu' && choice.fallback?.startsWith(`${request}: `)), JSON.stringify(choice));
  }
});
