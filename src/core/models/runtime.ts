// The one module that talks to onnxruntime-node: creates sessions from serialised graphs on an
// execution provider, says which providers this installation has, checks every run's inputs
// against the session's own metadata and reports what was given and expected when a run cannot
// proceed, and releases sessions on dispose.
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';
import * as ort from 'onnxruntime-node';

export type GraphOptimization = 'disabled' | 'basic' | 'extended' | 'all';

export interface RuntimeOptions {
  /** Intra-op threads; 0 or absent lets onnxruntime choose. */
  threads?: number;
  graphOptimization?: GraphOptimization;
}

/** onnxruntime-node's names of the execution providers we use. */
export type Provider = 'cpu' | 'cuda' | 'webgpu' | 'dml' | 'coreml';

/** What this installation of onnxruntime-node offers. */
export interface ProviderSupport {
  platform: NodeJS.Platform;
  arch: string;
  /** Providers compiled into the binding; `bundled: false` ones need libraries installed beside it. */
  backends: { name: string; bundled: boolean }[];
  /** Whether the CUDA provider's libraries are installed beside the binding. */
  cudaInstalled: boolean;
}

/** The CUDA provider's library: onnxruntime-node's install script fetches it only when asked to. */
const CUDA_LIBRARY: Partial<Record<NodeJS.Platform, string>> = {
  linux: 'libonnxruntime_providers_cuda.so',
  win32: 'onnxruntime_providers_cuda.dll',
};

export function providerSupport(): ProviderSupport {
  const backends = ort.listSupportedBackends().map((b) => ({ name: b.name, bundled: b.bundled }));
  const lib = CUDA_LIBRARY[process.platform];
  const folder = bindingFolder();
  return {
    platform: process.platform,
    arch: process.arch,
    backends,
    cudaInstalled: !!lib && !!folder && existsSync(join(folder, lib)),
  };
}

/**
 * The folder of onnxruntime-node's native binding, where optional provider libraries go. Found
 * through the CommonJS module cache (onnxruntime-node is CommonJS and has loaded its binding by
 * the time this runs), which works from ES modules and from the bundled extension alike, where
 * `import.meta` is empty.
 */
function bindingFolder(): string | undefined {
  const cache = createRequire(join(process.cwd(), 'noop.js')).cache;
  const binding = Object.keys(cache).find((k) => basename(k) === 'onnxruntime_binding.node');
  return binding && dirname(binding);
}

export type TensorType = 'float32' | 'int64';

/** A tensor passed into or out of a session (row-major). */
export interface TensorValue {
  type: TensorType;
  data: Float32Array | BigInt64Array;
  dims: number[];
}

export const floatTensor = (data: Float32Array, dims: number[]): TensorValue => ({ type: 'float32', data, dims });
export const int64Tensor = (data: BigInt64Array, dims: number[]): TensorValue => ({ type: 'int64', data, dims });

export class RuntimeError extends Error {
  override readonly name = 'RuntimeError';
}

interface Expected {
  name: string;
  type: string;
  shape: (number | string)[];
}

function describeFeed(name: string, t: TensorValue): string {
  return `${name}: ${t.type}[${t.dims.join(', ')}]`;
}

function describeExpected(e: Expected): string {
  return `${e.name}: ${e.type}[${e.shape.join(', ')}]`;
}

export class GraphSession {
  private constructor(
    readonly name: string,
    private session: ort.InferenceSession | undefined,
    private readonly expected: Expected[],
    readonly outputNames: readonly string[],
  ) {}

  /**
   * `model`: serialised ONNX bytes, or the path of a model file (whose external data sits beside
   * it). Nodes the provider has no kernel for run on the CPU provider within the same session.
   */
  static async create(name: string, model: Uint8Array | string, opts: RuntimeOptions = {}, provider: Provider = 'cpu'): Promise<GraphSession> {
    const options: ort.InferenceSession.SessionOptions = {
      executionProviders: [provider],
      graphOptimizationLevel: opts.graphOptimization ?? 'all',
      executionMode: 'sequential',
      // A model holds dozens of sessions that run one after another; spinning worker threads of
      // idle sessions would steal the cores from the one that is running.
      extra: { session: { intra_op: { allow_spinning: '0' }, inter_op: { allow_spinning: '0' } } },
    };
    if (opts.threads && opts.threads > 0) {
      options.intraOpNumThreads = opts.threads;
      options.interOpNumThreads = 1;
    }
    let session: ort.InferenceSession;
    try {
      // Two calls because the overloads take a path or bytes, not their union.
      session = typeof model === 'string' ? await ort.InferenceSession.create(model, options) : await ort.InferenceSession.create(model, options);
    } catch (e) {
      throw new RuntimeError(`cannot create the ${name} session${provider === 'cpu' ? '' : ` on ${provider}`}: ${(e as Error).message}`, { cause: e });
    }
    const expected = session.inputMetadata.map((m) => ({
      name: m.name,
      type: m.isTensor ? m.type : 'non-tensor',
      shape: m.isTensor ? [...m.shape] : [],
    }));
    return new GraphSession(name, session, expected, session.outputNames);
  }

  get inputNames(): string[] {
    return this.expected.map((e) => e.name);
  }

  /** Runs the graph; every declared input must be fed, with its type and rank. */
  async run(feeds: Record<string, TensorValue>): Promise<Record<string, TensorValue>> {
    if (!this.session) throw new RuntimeError(`the ${this.name} session has been disposed`);
    const problems = this.check(feeds);
    if (problems.length) throw new RuntimeError(this.report(`cannot run ${this.name}: ${problems.join('; ')}`, feeds));
    const ortFeeds: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(feeds)) ortFeeds[k] = new ort.Tensor(t.type, t.data, t.dims);
    let out: ort.InferenceSession.OnnxValueMapType;
    try {
      out = await this.session.run(ortFeeds);
    } catch (e) {
      throw new RuntimeError(this.report(`running ${this.name} failed: ${(e as Error).message}`, feeds), { cause: e });
    }
    const result: Record<string, TensorValue> = {};
    for (const name of this.outputNames) {
      const t = out[name] as ort.Tensor;
      result[name] = { type: t.type as TensorType, data: t.data as Float32Array | BigInt64Array, dims: [...t.dims] };
    }
    return result;
  }

  private check(feeds: Record<string, TensorValue>): string[] {
    const problems: string[] = [];
    for (const e of this.expected) {
      const t = feeds[e.name];
      if (!t) {
        problems.push(`missing input ${e.name}`);
        continue;
      }
      if (t.type !== e.type) problems.push(`input ${e.name} is ${t.type}, expected ${e.type}`);
      if (t.dims.length !== e.shape.length) problems.push(`input ${e.name} has rank ${t.dims.length}, expected ${e.shape.length}`);
      else e.shape.forEach((d, i) => typeof d === 'number' && d !== t.dims[i] && problems.push(`input ${e.name} has dim ${i} = ${t.dims[i]}, expected ${d}`));
      const size = t.dims.reduce((a, b) => a * b, 1);
      if (size !== t.data.length) problems.push(`input ${e.name} holds ${t.data.length} values for dims [${t.dims}]`);
    }
    for (const k of Object.keys(feeds)) if (!this.expected.some((e) => e.name === k)) problems.push(`unexpected input ${k}`);
    return problems;
  }

  private report(head: string, feeds: Record<string, TensorValue>): string {
    const given = Object.entries(feeds).map(([k, t]) => describeFeed(k, t)).join(', ');
    return `${head}\n  given: ${given || '(nothing)'}\n  expected: ${this.expected.map(describeExpected).join(', ')}`;
  }

  async dispose(): Promise<void> {
    const s = this.session;
    this.session = undefined;
    await s?.release();
  }
}
