// Which execution provider a model runs on. A request is resolved once per model: a provider
// this platform or installation lacks, or one that cannot create the model's sessions, falls
// back to the CPU, and the model says so with the reason.
import type { DeviceRequest } from './precision.js';
import type { Provider, ProviderSupport } from './runtime.js';

/** The device a model runs on, as reported with its results. */
export interface DeviceChoice {
  requested: DeviceRequest;
  /** The provider every session of the model uses. */
  used: Provider;
  /** Why the request was not honoured, when `used` is not what was asked for. */
  fallback?: string;
}

/** How a user gets the CUDA provider: onnxruntime-node's install script fetches it on request. */
export const CUDA_INSTALL_HINT = 'reinstall with ONNXRUNTIME_NODE_INSTALL=cuda12 npm ci (needs CUDA 12 and cuDNN 9)';

const where = (s: ProviderSupport) => `${s.platform}/${s.arch}`;
const listed = (s: ProviderSupport, name: string) => s.backends.some((b) => b.name === name);

/** Why `provider` cannot be tried here, or undefined when it can. */
export function unavailable(provider: Exclude<Provider, 'cpu'>, s: ProviderSupport): string | undefined {
  switch (provider) {
    case 'cuda':
      if (!listed(s, 'cuda')) return `cuda: onnxruntime-node has no CUDA provider on ${where(s)}`;
      if (!s.cudaInstalled) return `cuda: onnxruntime-node was installed without its CUDA binaries; ${CUDA_INSTALL_HINT}`;
      return undefined;
    case 'dml':
      return listed(s, 'dml') ? undefined : `dml: DirectML runs on Windows only, not on ${where(s)}`;
    case 'coreml':
      return listed(s, 'coreml') ? undefined : `coreml: CoreML runs on macOS only, not on ${where(s)}`;
    case 'webgpu':
      return listed(s, 'webgpu') ? undefined : `webgpu: onnxruntime-node has no WebGPU provider on ${where(s)}`;
  }
}

/**
 * The provider to try for a request. `auto` takes CUDA when its binaries are installed, DirectML
 * on Windows, and otherwise the CPU; never WebGPU, whose adapter may be a software renderer
 * (Mesa's lavapipe) slower than the CPU provider, so it is used only when asked for by name.
 */
export function chooseProvider(request: DeviceRequest, s: ProviderSupport): DeviceChoice {
  if (request === 'cpu') return { requested: request, used: 'cpu' };
  if (request === 'auto') {
    if (!unavailable('cuda', s)) return { requested: request, used: 'cuda' };
    if (s.platform === 'win32' && !unavailable('dml', s)) return { requested: request, used: 'dml' };
    return { requested: request, used: 'cpu' };
  }
  const why = unavailable(request, s);
  return why ? { requested: request, used: 'cpu', fallback: why } : { requested: request, used: request };
}

/** The choice after `provider` failed to create a session: the CPU, with the provider's error. */
export function fellBack(choice: DeviceChoice, error: unknown): DeviceChoice {
  const message = (error instanceof Error ? error.message : String(error)).split('\n')[0];
  // onnxruntime's messages lead with its source file and the failed check; the reason follows.
  const reason = message.replace(/\/onnxruntime_src\/\S+:\d+ /g, '').replace(/^.* was false\. /, '');
  return { requested: choice.requested, used: 'cpu', fallback: `${choice.used}: could not create a session (${reason})` };
}

/** A one-line account of the device, e.g. "cpu (asked for cuda: …)". */
export function describeDevice(d: DeviceChoice): string {
  return d.fallback ? `${d.used} (asked for ${d.requested}; ${d.fallback})` : d.used;
}
