// Loading a checkpoint for inference at a precision on a device, through the on-disk cache of
// converted graphs when the host has a cache folder. The first open converts the checkpoint one
// slice at a time (build, write, drop), so JavaScript holds at most one slice's converted weights;
// the sessions are then created from the files, whose weights onnxruntime maps rather than
// copies where it can. Later opens create the sessions from the files and convert nothing.
import { chooseProvider } from './device.js';
import { GraphCache, GRAPH_FORMAT_VERSION, graphCacheKey, type CachedSlice, type GraphCacheKeyParts } from './graph-cache.js';
import { sliceGraphs } from './graph/index.js';
import { LoadedModel, type LoadProgress, type ModelOptions } from './model.js';
import type { Checkpoint } from './checkpoint.js';
import { checkPrecision, precisionFormat, type DeviceRequest, type Precision } from './precision.js';
import { providerSupport, RuntimeError } from './runtime.js';
import { buildSlice, checkAborted, openSlices, sliceNames } from './sessions.js';
import { join } from 'node:path';
import { TOOL_VERSION } from '../study/version.js';

export interface PrepareOptions extends ModelOptions {
  precision: Precision;
  device?: DeviceRequest;
  /** The host's cache folder; converted graphs go to its `graphs` subfolder. Without it the
   *  graphs are built in memory on every open. */
  cacheDir?: string;
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
}

/** An error of a file system call (it has a syscall), as opposed to one of the conversion. */
const isSystemError = (e: unknown): e is NodeJS.ErrnoException => e instanceof Error && typeof (e as NodeJS.ErrnoException).syscall === 'string';

/** External data: every initializer of at least this size leaves the model file. */
const EXTERNAL_MIN_BYTES = 1024;

export async function prepareModel(checkpoint: Checkpoint, opts: PrepareOptions): Promise<LoadedModel> {
  if (!opts.cacheDir) return LoadedModel.fromWeights(checkpoint.config, checkpoint.weights, opts);
  const { config } = checkpoint;
  const format = precisionFormat(opts.precision, opts.quantization);
  const choice = chooseProvider(opts.device ?? 'cpu', providerSupport());
  checkPrecision(format.precision, choice.used, choice.fallback);
  if (!checkpoint.sha256) throw new Error(`${checkpoint.dir}: the checkpoint was loaded without its content hash, which the graph cache is keyed by`);

  const parts: GraphCacheKeyParts = { checkpoint: checkpoint.sha256, precision: format.precision, quantization: format.quant, tool: TOOL_VERSION, format: GRAPH_FORMAT_VERSION };
  const key = graphCacheKey(parts);
  const cache = new GraphCache(opts.cacheDir);
  const names = sliceNames(config.numLayers);

  const convert = () =>
    cache.create(key, parts, async (dir) => {
      const graphs = sliceGraphs(config, checkpoint.weights, format);
      const written: Omit<CachedSlice, 'modelBytes' | 'weightsBytes' | 'modelSha256'>[] = [];
      for (const [i, name] of names.entries()) {
        checkAborted(opts.signal, 'converting the model');
        opts.onProgress?.({ stage: 'convert', done: i, total: names.length, message: `converting ${name} to ${format.precision}` });
        // One slice at a time: its converted weights are dropped once written.
        const built = buildSlice(graphs, name);
        const files = built.writeFiles(dir, EXTERNAL_MIN_BYTES);
        written.push({ name, model: `${name}.onnx`, weights: files.externalFile.slice(dir.length + 1), weightBytes: built.weightBytes });
        // Let an abort or progress handler run between slices.
        await new Promise((r) => setImmediate(r));
      }
      opts.onProgress?.({ stage: 'convert', done: names.length, total: names.length, message: `converted to ${format.precision}` });
      return written;
    });

  let found = cache.lookup(key);
  let manifest = found.state === 'hit' ? found.manifest : undefined;
  let hit = found.state === 'hit';
  for (let attempt = 0; ; attempt++) {
    if (found.state === 'broken') {
      opts.onProgress?.({ stage: 'convert', done: 0, total: names.length, message: `rebuilding the converted graphs: ${found.problem}` });
      cache.remove(key);
    }
    const dir = cache.entryDir(key);
    if (found.state !== 'hit') {
      try {
        manifest = await convert();
      } catch (e) {
        // A cache folder that cannot be written (read-only, full, not a folder) only costs
        // converting in memory, as without a cache.
        if (!isSystemError(e)) throw e;
        opts.onProgress?.({ stage: 'convert', done: 0, total: names.length, message: `the converted graphs cannot be cached (${e.message}); converting in memory` });
        return LoadedModel.fromWeights(config, checkpoint.weights, opts);
      }
    }
    try {
      const { sessions, device } = await openSlices(config.numLayers, (name) => join(dir, `${name}.onnx`), choice, {
        ...opts,
        precision: format.precision,
        onSession: (p) => opts.onProgress?.({ stage: 'load', ...p }),
      });
      return new LoadedModel(config, sessions, {
        precision: format.precision,
        device,
        weightBytes: manifest!.slices.reduce((a, s) => a + s.weightBytes, 0),
        graphCache: { dir, hit },
      });
    } catch (e) {
      // A cached entry that the CPU cannot open is damaged in a way its manifest cannot see
      // (bytes changed inside a weights file): rebuild it once.
      if (!(e instanceof RuntimeError) || !hit || attempt > 0) throw e;
      found = { state: 'broken', dir, problem: (e as Error).message.split('\n')[0] };
      hit = false;
    }
  }
}
