// The run API: a model as sessions over its sliced graphs, stepped layer by layer so that callers
// (the patching scheduler, the scorers) can read or replace the residual stream at every hook
// point and resume a forward pass from any layer or from cached keys/values.
import { chooseProvider, type DeviceChoice } from './device.js';
import { attentionMask, type Batch } from './graph/batch.js';
import { blockHook, hookNames } from './graph/hooks.js';
import { layerWindow, sliceGraphs, usesRotary } from './graph/index.js';
import { IO } from './graph/io.js';
import { inverseFrequencies, rotaryTables } from './graph/rope.js';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPrecision, precisionFormat, type DeviceRequest, type Precision, type QuantizedFormat } from './precision.js';
import { floatTensor, GraphSession, int64Tensor, providerSupport, type RuntimeOptions, type TensorValue } from './runtime.js';
import { buildSlice, openSlices, type SliceSessions } from './sessions.js';
import type { ModelConfig, WeightSource } from './types.js';

export type { Batch } from './graph/batch.js';
export { makeBatch, sliceBatch } from './graph/batch.js';
export type { RuntimeOptions, GraphOptimization } from './runtime.js';
export type { Precision, DeviceRequest } from './precision.js';
export type { DeviceChoice } from './device.js';
export { hookNames } from './graph/hooks.js';

/** An activation, row-major; residual-stream hooks are [batch, seq, hidden]. */
export interface Act {
  data: Float32Array;
  dims: number[];
}

/** One layer's keys and values, each [batch, kvHeads, positions, headDim]. */
export interface KV {
  key: Act;
  value: Act;
}

/** Sequence columns: every one, the last (each prompt's last token under left padding) or explicit
 *  column indexes (negative ones count from the end). */
export type Positions = 'all' | 'last' | number[];

export interface ModelOptions extends RuntimeOptions {
  /** A graph whose weights pass this many bytes keeps its large initializers in a temporary file
   *  (protobuf messages cannot exceed 2 GB). Default 1 GiB. */
  externalDataLimit?: number;
  /** Smallest initializer moved out when a graph spills. Default 1 MiB. */
  externalDataMinSize?: number;
  /** How the weights are stored and computed (default fp32). */
  precision?: Precision;
  /** Where the sessions run (default cpu). */
  device?: DeviceRequest;
  /** Overrides the precision's block quantization (for measurements; default the chosen one). */
  quantization?: Partial<QuantizedFormat>;
  /** Called after each session is created. */
  onProgress?: (p: LoadProgress) => void;
  signal?: AbortSignal;
}

export interface LoadProgress {
  stage: 'convert' | 'load';
  done: number;
  total: number;
  message?: string;
}

/** What a model was loaded as, and from where. */
export interface ModelLoadInfo {
  precision: Precision;
  device: DeviceChoice;
  weightBytes: number;
  /** The converted-graph cache entry the sessions were created from, when there is one. */
  graphCache?: { dir: string; hit: boolean };
}

export interface RunOptions {
  /** Hook names whose activations to return. */
  collect?: string[];
  /** Columns of the collected activations (default all). */
  at?: Positions;
  /** Called at every hook in forward order with the full activation; a returned Act (same dims)
   *  replaces it downstream. */
  replace?: (hook: string, act: Act) => Act | undefined;
  /** Columns to compute logits for (default last). */
  logitsAt?: Positions;
  /** Per-layer keys/values of the batch's `past` columns (required when batch.past > 0). */
  past?: KV[];
  /** Return each layer's keys/values over past + new columns. */
  keepCache?: boolean;
}

export interface RunResult {
  /** [batch, positions of logitsAt, vocab] */
  logits: Act;
  /** Collected activations by hook name, at the `at` columns ('logits' at the logitsAt columns). */
  hooks: Map<string, Act>;
  /** Per-layer keys/values when keepCache was set. */
  present?: KV[];
}

export class ModelRunError extends Error {
  override readonly name = 'ModelRunError';
}

export function addActs(a: Act, b: Act): Act {
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] + b.data[i];
  return { data: out, dims: [...a.dims] };
}

/** Resolves `positions` against a sequence of `seq` columns. */
export function positionIndexes(positions: Positions, seq: number): number[] {
  if (positions === 'all') return Array.from({ length: seq }, (_, i) => i);
  if (positions === 'last') return [seq - 1];
  return positions.map((p) => {
    const i = p < 0 ? seq + p : p;
    if (!Number.isInteger(i) || i < 0 || i >= seq) throw new ModelRunError(`position ${p} is outside a sequence of ${seq} columns`);
    return i;
  });
}

/** The columns `positions` of a [batch, seq, ...] activation. */
export function selectPositions(act: Act, positions: Positions): Act {
  if (positions === 'all') return act;
  const [B, S] = act.dims;
  const inner = act.dims.slice(2).reduce((a, b) => a * b, 1);
  const cols = positionIndexes(positions, S);
  const out = new Float32Array(B * cols.length * inner);
  for (let b = 0; b < B; b++) {
    cols.forEach((s, k) => out.set(act.data.subarray((b * S + s) * inner, (b * S + s + 1) * inner), (b * cols.length + k) * inner));
  }
  return { data: out, dims: [B, cols.length, ...act.dims.slice(2)] };
}

const sameDims = (a: number[], b: number[]) => a.length === b.length && a.every((d, i) => d === b[i]);

export class LoadedModel {
  readonly numLayers: number;
  readonly precision: Precision;
  readonly device: DeviceChoice;
  /** Bytes of the weights the sessions were given: precision.ts weightBytes, or less at int8/int4
   *  by the outlier columns the checkpoint did not need. */
  readonly weightBytes: number;
  readonly graphCache?: { dir: string; hit: boolean };
  private readonly embedSession: GraphSession;
  private readonly attentionSessions: GraphSession[];
  private readonly mlpSessions: GraphSession[];
  private readonly normSession: GraphSession;
  private readonly headSession: GraphSession;
  private readonly invFreq?: Float64Array;
  private readonly masks = new WeakMap<Batch, Map<number | undefined, TensorValue>>();
  private readonly rotary = new WeakMap<Batch, { cos: TensorValue; sin: TensorValue }>();
  private disposed = false;

  /** Sessions already opened (see prepare.ts and fromWeights). */
  constructor(
    readonly config: ModelConfig,
    sessions: SliceSessions,
    info: ModelLoadInfo,
  ) {
    this.numLayers = config.numLayers;
    this.embedSession = sessions.embed;
    this.attentionSessions = sessions.attention;
    this.mlpSessions = sessions.mlp;
    this.normSession = sessions.norm;
    this.headSession = sessions.head;
    this.precision = info.precision;
    this.device = info.device;
    this.weightBytes = info.weightBytes;
    this.graphCache = info.graphCache;
    if (usesRotary(config)) this.invFreq = inverseFrequencies(config);
  }

  /**
   * Builds the graphs from `weights` in memory at `opts.precision` and opens one session per
   * slice (one at a time, so only one serialised graph is alive at once). prepareModel adds the
   * on-disk cache of converted graphs.
   */
  static async fromWeights(config: ModelConfig, weights: WeightSource, opts: ModelOptions = {}): Promise<LoadedModel> {
    const format = precisionFormat(opts.precision ?? 'fp32', opts.quantization);
    const choice = chooseProvider(opts.device ?? 'cpu', providerSupport());
    checkPrecision(format.precision, choice.used, choice.fallback);
    const graphs = sliceGraphs(config, weights, format);
    let spillDir: string | undefined;
    const external = {
      get dir() {
        return (spillDir ??= mkdtempSync(join(tmpdir(), 'knobe-graph-')));
      },
      limit: opts.externalDataLimit,
      minSize: opts.externalDataMinSize,
    };
    const held = new Map<string, number>();
    const graph = (name: string) => {
      const built = buildSlice(graphs, name);
      held.set(name, built.weightBytes);
      const g = built.serialize(external);
      return 'bytes' in g ? g.bytes : g.file;
    };
    try {
      const { sessions, device } = await openSlices(config.numLayers, graph, choice, {
        ...opts,
        precision: format.precision,
        onSession: (p) => opts.onProgress?.({ stage: 'load', ...p }),
      });
      const bytes = [...held.values()].reduce((a, b) => a + b, 0);
      return new LoadedModel(config, sessions, { precision: format.precision, device, weightBytes: bytes });
    } finally {
      // Sessions hold (or have mapped) their weights by now; an unlinked mapped file stays valid.
      if (spillDir) {
        try {
          rmSync(spillDir, { recursive: true, force: true });
        } catch {
          // Windows refuses to delete mapped files; the temporary folder is left to the OS.
        }
      }
    }
  }

  hookNames(): string[] {
    return hookNames(this.numLayers);
  }

  /** hook_embed (= blocks.0.hook_resid_pre), [B, S, hidden]: what enters block 0 in every
   *  architecture, so it includes Gemma-2's sqrt(hidden) scaling and GPT-2's learned position
   *  embedding (which TransformerLens would show apart as hook_pos_embed). */
  async embed(batch: Batch): Promise<Act> {
    this.alive();
    const V = this.config.vocabSize;
    batch.inputIds.forEach((t, n) => {
      if (t < 0n || t >= BigInt(V)) {
        throw new ModelRunError(`token id ${t} at prompt ${Math.floor(n / batch.length)}, column ${n % batch.length} is outside the vocabulary of ${V}`);
      }
    });
    const dims = [batch.size, batch.length];
    const feeds: Record<string, TensorValue> = { [IO.inputIds]: int64Tensor(batch.inputIds, dims) };
    if (!usesRotary(this.config)) feeds[IO.positionIds] = int64Tensor(batch.positionIds, dims);
    const out = await this.embedSession.run(feeds);
    return this.act(out[IO.embed]);
  }

  /** One attention block: resid_pre [B, S, hidden] → attn_out, and the keys/values over past + new
   *  columns. `past` holds the batch's `past` columns (omit when batch.past is 0). */
  async attention(layer: number, residPre: Act, batch: Batch, past?: KV): Promise<{ attnOut: Act; present: KV }> {
    this.alive();
    this.checkLayer(layer);
    this.checkResid(`blocks.${layer}.hook_resid_pre`, residPre, batch);
    const c = this.config;
    const kvDims = [batch.size, c.numKvHeads, batch.past, c.headDim];
    if (past) {
      for (const [what, a] of [['key', past.key], ['value', past.value]] as const) {
        if (!sameDims(a.dims, kvDims)) throw new ModelRunError(`layer ${layer} past ${what} has dims [${a.dims}], expected [${kvDims}]`);
      }
    } else if (batch.past > 0) {
      throw new ModelRunError(`layer ${layer}: the batch continues after ${batch.past} cached columns but no past keys/values were given`);
    }
    const empty = new Float32Array(0);
    const feeds: Record<string, TensorValue> = {
      [IO.residPre]: floatTensor(residPre.data, residPre.dims),
      [IO.attnMask]: this.maskFor(batch, layerWindow(c, layer)),
      [IO.pastKey]: floatTensor(past?.key.data ?? empty, kvDims),
      [IO.pastValue]: floatTensor(past?.value.data ?? empty, kvDims),
    };
    if (this.invFreq) Object.assign(feeds, this.rotaryFor(batch));
    const out = await this.attentionSessions[layer].run(feeds);
    return {
      attnOut: this.act(out[IO.attnOut]),
      present: { key: this.act(out[IO.presentKey]), value: this.act(out[IO.presentValue]) },
    };
  }

  /** One MLP block: resid_mid [B, S, hidden] → mlp_out. */
  async mlp(layer: number, residMid: Act): Promise<Act> {
    this.alive();
    this.checkLayer(layer);
    this.checkHidden(`blocks.${layer}.hook_resid_mid`, residMid);
    const out = await this.mlpSessions[layer].run({ [IO.residMid]: floatTensor(residMid.data, residMid.dims) });
    return this.act(out[IO.mlpOut]);
  }

  /** ln_final.hook_normalized of a [B, S, hidden] residual stream. */
  async finalNorm(residPost: Act): Promise<Act> {
    this.alive();
    this.checkHidden('final residual', residPost);
    const out = await this.normSession.run({ [IO.residPost]: floatTensor(residPost.data, residPost.dims) });
    return this.act(out[IO.normalized]);
  }

  /** Logits [B, S, vocab] of normalized activations [B, S, hidden]. */
  async logits(normalized: Act): Promise<Act> {
    this.alive();
    this.checkHidden('ln_final.hook_normalized', normalized);
    const out = await this.headSession.run({ [IO.normalized]: floatTensor(normalized.data, normalized.dims) });
    return this.act(out[IO.logits]);
  }

  /** Final norm and logits at `positions` of the last residual stream. */
  async unembed(residPost: Act, positions: Positions = 'last'): Promise<{ normalized: Act; logits: Act }> {
    const normalized = await this.finalNorm(selectPositions(residPost, positions));
    return { normalized, logits: await this.logits(normalized) };
  }

  /** A whole forward pass with collection and replacement at any hook point. */
  async run(batch: Batch, opts: RunOptions = {}): Promise<RunResult> {
    this.alive();
    const known = new Set(this.hookNames());
    for (const h of opts.collect ?? []) if (!known.has(h)) throw new ModelRunError(`unknown hook ${h}; hooks are ${[...known].join(', ')}`);
    if (opts.past && opts.past.length !== this.numLayers) throw new ModelRunError(`past holds ${opts.past.length} layers, the model has ${this.numLayers}`);
    const collect = new Set(opts.collect ?? []);
    const at = opts.at ?? 'all';
    const hooks = new Map<string, Act>();
    const visit = (hook: string, act: Act, where: Positions = at): Act => {
      let a = act;
      const r = opts.replace?.(hook, a);
      if (r) {
        if (!sameDims(r.dims, a.dims) || r.data.length !== a.data.length) {
          throw new ModelRunError(`replacement for ${hook} has dims [${r.dims}] (${r.data.length} values), expected [${a.dims}]`);
        }
        a = r;
      }
      if (collect.has(hook)) hooks.set(hook, selectPositions(a, where));
      return a;
    };

    const present: KV[] = [];
    let x = visit('hook_embed', await this.embed(batch));
    for (let l = 0; l < this.numLayers; l++) {
      x = visit(blockHook(l, 'hook_resid_pre'), x);
      const att = await this.attention(l, x, batch, opts.past?.[l]);
      if (opts.keepCache) present.push(att.present);
      const mid = visit(blockHook(l, 'hook_resid_mid'), addActs(x, visit(blockHook(l, 'hook_attn_out'), att.attnOut)));
      const mlpOut = visit(blockHook(l, 'hook_mlp_out'), await this.mlp(l, mid));
      x = visit(blockHook(l, 'hook_resid_post'), addActs(mid, mlpOut));
    }
    const normalized = visit('ln_final.hook_normalized', await this.finalNorm(x));
    const logitsAt = opts.logitsAt ?? 'last';
    const logits = visit('logits', await this.logits(selectPositions(normalized, logitsAt)), 'all');
    return { logits, hooks, present: opts.keepCache ? present : undefined };
  }

  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const all = [this.embedSession, ...this.attentionSessions, ...this.mlpSessions, this.normSession, this.headSession];
    await Promise.all(all.map((s) => s.dispose()));
  }

  private act(t: TensorValue): Act {
    return { data: t.data as Float32Array, dims: t.dims };
  }

  private alive(): void {
    if (this.disposed) throw new ModelRunError('the model has been disposed');
  }

  private checkLayer(layer: number): void {
    if (!Number.isInteger(layer) || layer < 0 || layer >= this.numLayers) {
      throw new ModelRunError(`layer ${layer} does not exist; the model has layers 0..${this.numLayers - 1}`);
    }
  }

  private checkHidden(what: string, a: Act): void {
    const H = this.config.hiddenSize;
    if (a.dims.length !== 3 || a.dims[2] !== H || a.data.length !== a.dims[0] * a.dims[1] * H) {
      throw new ModelRunError(`${what} has dims [${a.dims}] (${a.data.length} values), expected [batch, seq, ${H}]`);
    }
  }

  private checkResid(what: string, a: Act, batch: Batch): void {
    this.checkHidden(what, a);
    if (a.dims[0] !== batch.size || a.dims[1] !== batch.length) {
      throw new ModelRunError(`${what} has dims [${a.dims}] but the batch is ${batch.size} × ${batch.length}`);
    }
  }

  private maskFor(batch: Batch, window: number | undefined): TensorValue {
    let byWindow = this.masks.get(batch);
    if (!byWindow) this.masks.set(batch, (byWindow = new Map()));
    let m = byWindow.get(window);
    if (!m) byWindow.set(window, (m = floatTensor(attentionMask(batch, window), [batch.size, batch.length, batch.past + batch.length])));
    return m;
  }

  private rotaryFor(batch: Batch): Record<string, TensorValue> {
    let r = this.rotary.get(batch);
    if (!r) {
      const { cos, sin } = rotaryTables(this.invFreq!, batch.positionIds);
      const dims = [batch.size, batch.length, this.config.headDim / 2];
      this.rotary.set(batch, (r = { cos: floatTensor(cos, dims), sin: floatTensor(sin, dims) }));
    }
    return { [IO.cos]: r.cos, [IO.sin]: r.sin };
  }
}
