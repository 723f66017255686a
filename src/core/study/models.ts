// Model pairs for a study: resolves each source (demo, local folder, Hub id) to a checkpoint
// folder, loads and checks the pair, picks its precision against the memory budget, and builds the
// inference sessions once per checkpoint and precision so every cell of every run shares them.
// Models stay loaded while they fit the budget together; loading one that does not fit first
// releases the least recently used, so a pair whose two models do not fit runs one at a time.
import { isAbsolute, join, resolve } from 'node:path';
import type { ModelProvenance, ModelRole } from '../../common/results.js';
import type { PairSpec } from '../format/specs.js';
import type { ModelSource } from '../format/values.js';
import { checkPair, loadCheckpoint, type Checkpoint } from '../models/checkpoint.js';
import { DEFAULT_DEMO, ensureDemoPair, type DemoOptions, type DemoPair } from '../models/demo/index.js';
import { downloadModel, type DownloadProgress } from '../models/hub.js';
import type { LoadedModel } from '../models/model.js';
import { chooseProvider, describeDevice, type DeviceChoice } from '../models/device.js';
import { precisionsFor, weightBytes, type DeviceRequest } from '../models/precision.js';
import { providerSupport } from '../models/runtime.js';
import { prepareModel } from '../models/prepare.js';
import type { RuntimeOptions } from '../models/runtime.js';
import { sha256File } from '../models/hash.js';
import { ModelTokenizer } from '../models/tokenizer.js';
import { StudyError } from './errors.js';
import { defaultMemoryBudget, formatBytes, planPrecision, type Precision } from './memory.js';

export interface ModelHost {
  /** Demo pair and Hub downloads live here. */
  cacheDir: string;
  /** Folder that relative model paths are resolved against (the notebook's folder). */
  baseDir: string;
  runtime?: RuntimeOptions;
  hubEndpoint?: string;
  /** Never written anywhere: passed to the download client only. */
  hubToken?: string;
  /** False in an untrusted workspace: Hub sources are refused and nothing is downloaded. */
  allowDownloads?: boolean;
  onDownload?: (p: DownloadProgress) => void;
  /** Execution provider asked for (default cpu). */
  device?: string;
  /** Bytes the models' weights may take at once (default: 80% of the machine's memory). */
  memoryBudget?: number;
}

/** What the pool held over its life: for progress displays and for tests of the memory plan. */
export interface PoolStats {
  loads: number;
  releases: number;
  /** Most models and most weight bytes held at once. */
  peakModels: number;
  peakBytes: number;
}

export interface PairSide {
  role: ModelRole;
  checkpoint: Checkpoint;
  tokenizer: ModelTokenizer;
  provenance: ModelProvenance;
}

export interface ResolvedPair {
  spec: PairSpec;
  pretrained: PairSide;
  finetuned: PairSide;
  /** The demo manifest when the pair is the built-in demo pair. */
  demo?: DemoPair;
  /** Precision both models run at, with bytes per model and the reason it was chosen. */
  precision: Precision;
  weightBytes: number;
  precisionReason: string;
}

interface Held {
  sha256: string;
  bytes: number;
  model: Promise<LoadedModel>;
  lastUse: number;
}

/** A local model source's folder: `~/` is the home folder; relative paths start at the notebook's folder. */
export function localFolder(path: string, baseDir: string): string {
  const p = path.startsWith('~/') ? resolve(process.env.HOME ?? '/', path.slice(2)) : path;
  return isAbsolute(p) ? p : resolve(baseDir, p);
}

export class ModelPool {
  /** Sessions by checkpoint folder and precision, with the content hash they were built from. */
  private readonly models = new Map<string, Held>();
  private readonly tokenizers = new Map<string, ModelTokenizer>();
  private useCounter = 0;
  readonly budget: number;
  readonly stats: PoolStats = { loads: 0, releases: 0, peakModels: 0, peakBytes: 0 };

  constructor(private readonly host: ModelHost) {
    this.budget = host.memoryBudget ?? defaultMemoryBudget();
  }

  /** Weight bytes of the models held now. */
  get heldBytes(): number {
    let sum = 0;
    for (const h of this.models.values()) sum += h.bytes;
    return sum;
  }

  private choice?: DeviceChoice;

  /** The provider models are planned for: the request resolved against this installation. A provider
   *  that then fails to open a model falls back to the CPU, which the model reports. */
  get deviceChoice(): DeviceChoice {
    return (this.choice ??= chooseProvider((this.host.device ?? 'auto') as DeviceRequest, providerSupport()));
  }

  get device(): string {
    return this.deviceChoice.used;
  }

  /** The device of each model of the pair held now, in words ("cpu (asked for cuda; …)"); the plan when none is held. */
  async deviceOf(pair: ResolvedPair): Promise<string> {
    const seen = new Set<string>();
    for (const side of [pair.pretrained, pair.finetuned]) {
      const held = this.models.get(this.keyOf(side, pair.precision));
      const m = held && (await held.model.catch(() => undefined));
      if (m) seen.add(describeDevice(m.device));
    }
    return seen.size ? [...seen].join('; ') : describeDevice(this.deviceChoice);
  }

  private keyOf(side: PairSide, precision: Precision): string {
    return `${side.checkpoint.dir}\u0000${precision}`;
  }

  /** Resolves and checks both checkpoints (no inference sessions yet: cheap, and enough to hash). */
  async resolvePair(spec: PairSpec, signal?: AbortSignal): Promise<ResolvedPair> {
    let demo: DemoPair | undefined;
    const side = async (role: ModelRole): Promise<PairSide> => {
      const { text, source } = spec[role];
      let dir: string;
      try {
        if (source.kind === 'demo') {
          demo ??= ensureDemoPair(this.host.cacheDir, demoOptions(spec));
          dir = source.role === 'pretrained' ? demo.pretrained : demo.finetuned;
        } else {
          dir = await this.folderOf(source, text, signal);
        }
      } catch (e) {
        if (e instanceof StudyError) throw e;
        throw new StudyError('model-load', `the ${role} model \`${text}\` could not be fetched: ${(e as Error).message}`, 'check the source in the pair cell', spec.name, { cause: e });
      }
      const checkpoint = await this.checkpoint(dir, role, text, spec.name);
      let tokenizer: ModelTokenizer;
      try {
        tokenizer = await this.tokenizerOf(checkpoint);
      } catch (e) {
        throw new StudyError('model-load', `the ${role} model's tokenizer could not be loaded: ${(e as Error).message}`, 'the folder needs a readable tokenizer.json', spec.name, { cause: e });
      }
      return {
        role,
        checkpoint,
        tokenizer,
        provenance: {
          role,
          source: text,
          sha256: checkpoint.sha256,
          architecture: checkpoint.config.architecture,
          synthetic: source.kind === 'demo',
        },
      };
    };
    const pretrained = await side('pretrained');
    const finetuned = await side('finetuned');
    try {
      checkPair(pretrained.checkpoint, finetuned.checkpoint);
    } catch (e) {
      throw new StudyError('pair-mismatch', `the two models of pair \`${spec.name}\` do not match: ${(e as Error).message}`, 'a pair must be one model before and after fine-tuning: same architecture, sizes and vocabulary', spec.name, { cause: e });
    }
    // Planned before any weights are read: a pair that cannot fit says so now, with what would.
    const plan = planPrecision(finetuned.checkpoint.config, spec.precision, this.budget, this.device, this.computes());
    if ('error' in plan) throw new StudyError('memory', `pair \`${spec.name}\`: ${plan.error}`, plan.hint, spec.name);
    return { spec, pretrained, finetuned, demo, precision: plan.precision, weightBytes: plan.bytes, precisionReason: plan.reason };
  }

  /** Precisions the device computes (the runtime's own list: the CPU has no fp16 matmuls or bf16 kernels). */
  private computes(): Precision[] {
    return precisionsFor(this.device);
  }

  /**
   * The inference sessions of one side at a precision, built on first use. Loading a model that
   * does not fit beside those held releases the least recently used first.
   */
  async model(side: PairSide, precision: Precision = 'fp32'): Promise<LoadedModel> {
    const key = this.keyOf(side, precision);
    const held = this.models.get(key);
    if (held?.sha256 === side.checkpoint.sha256) {
      held.lastUse = ++this.useCounter;
      return held.model;
    }
    // The folder's content changed since its sessions were built: they are stale.
    if (held) await this.releaseKey(key);
    const bytes = weightBytes(side.checkpoint.config, precision);
    await this.makeRoom(bytes);
    const model = this.load(side, precision).catch((e) => {
      if (this.models.get(key)?.model === model) this.models.delete(key);
      throw new StudyError('model-load', `the ${side.role} model \`${side.provenance.source}\` could not be prepared for inference: ${(e as Error).message}`, undefined, undefined, { cause: e });
    });
    this.models.set(key, { sha256: side.checkpoint.sha256, bytes, model, lastUse: ++this.useCounter });
    this.stats.loads++;
    this.stats.peakModels = Math.max(this.stats.peakModels, this.models.size);
    this.stats.peakBytes = Math.max(this.stats.peakBytes, this.heldBytes);
    return model;
  }

  /** Converted graphs are kept in the host's cache folder. */
  private load(side: PairSide, precision: Precision): Promise<LoadedModel> {
    const device = (this.host.device ?? 'auto') as DeviceRequest;
    return prepareModel(side.checkpoint, { ...this.host.runtime, precision, device, cacheDir: this.host.cacheDir });
  }

  /** Releases least recently used models until `bytes` more fit the budget. */
  private async makeRoom(bytes: number): Promise<void> {
    const byAge = [...this.models.entries()].sort((a, b) => a[1].lastUse - b[1].lastUse);
    for (const [key] of byAge) {
      if (this.heldBytes + bytes <= this.budget) break;
      await this.releaseKey(key);
    }
    if (this.heldBytes + bytes > this.budget) {
      throw new StudyError('memory', `a model needs ${formatBytes(bytes)} of weights, more than the memory budget of ${formatBytes(this.budget)}`, 'use a smaller precision in the pair cell, or raise the budget (--memory, knobe.memoryBudget)');
    }
  }

  private async releaseKey(key: string): Promise<void> {
    const h = this.models.get(key);
    if (!h) return;
    this.models.delete(key);
    this.stats.releases++;
    await (await h.model.catch(() => undefined))?.dispose();
  }

  /**
   * The checkpoint's tokenizer, built from the files it already read. Tokenizers are kept by the
   * digests of their files: a pair's two models usually ship the same ones, and building a real
   * vocabulary of 128k–262k tokens takes seconds.
   */
  private async tokenizerOf(checkpoint: Checkpoint): Promise<ModelTokenizer> {
    const files = checkpoint.files.filter((f) => f === 'tokenizer.json' || f === 'tokenizer_config.json');
    const key = (await Promise.all(files.map(async (f) => `${f}:${await sha256File(join(checkpoint.dir, f))}`))).join('\n');
    let tokenizer = this.tokenizers.get(key);
    if (!tokenizer) {
      tokenizer = new ModelTokenizer(checkpoint.tokenizerJson, checkpoint.tokenizerConfig, checkpoint.dir);
      this.tokenizers.set(key, tokenizer);
    }
    return tokenizer;
  }

  /** Releases every model (they are loaded again when next needed). */
  async release(): Promise<void> {
    await Promise.all([...this.models.keys()].map((k) => this.releaseKey(k)));
  }

  async dispose(): Promise<void> {
    await this.release();
    this.tokenizers.clear();
  }

  private async folderOf(source: Exclude<ModelSource, { kind: 'demo' }>, text: string, signal?: AbortSignal): Promise<string> {
    if (source.kind === 'local') return localFolder(source.path, this.host.baseDir);
    if (this.host.allowDownloads === false) {
      throw new StudyError('untrusted', `\`${text}\` would be downloaded, and downloads are off in an untrusted workspace`, 'trust the workspace to download models from the Hub');
    }
    const got = await downloadModel(text, {
      cacheDir: this.host.cacheDir,
      endpoint: this.host.hubEndpoint,
      token: this.host.hubToken,
      onProgress: this.host.onDownload,
      signal,
    });
    return got.dir;
  }

  /** Read anew on every run (file hashes are cached by size and mtime), so a rewritten folder is noticed. */
  private checkpoint(dir: string, role: ModelRole, text: string, cell: string): Promise<Checkpoint> {
    return loadCheckpoint(dir).catch((e) => {
      throw new StudyError('model-load', `the ${role} model \`${text}\` (${dir}) could not be loaded: ${(e as Error).message}`, 'point the pair cell at a folder with config.json, *.safetensors and tokenizer.json', cell, { cause: e });
    });
  }
}

/**
 * The demo pair a pair cell names: the default, changed by the settings of its demo sources
 * (`demo:finetuned?edit=2:attn,6:mlp&seed=11`). Both sources describe one pair, so a setting
 * given on both sides must agree.
 */
export function demoOptions(spec: PairSpec): DemoOptions {
  const given: { seed?: number; strength?: number; edits?: DemoOptions['edits'] } = {};
  for (const role of ['pretrained', 'finetuned'] as const) {
    const s = spec[role].source;
    if (s.kind !== 'demo' || !s.plant) continue;
    for (const key of ['seed', 'strength', 'edits'] as const) {
      const v = s.plant[key];
      if (v === undefined) continue;
      if (given[key] !== undefined && JSON.stringify(given[key]) !== JSON.stringify(v)) {
        throw new StudyError('bad-cell', `pair \`${spec.name}\`: the two demo sources give different ${key === 'edits' ? 'edits' : key}s (\`${spec.pretrained.text}\`, \`${spec.finetuned.text}\`)`, 'both sources describe one demo pair: give each setting once, or the same on both', spec.name);
      }
      (given as Record<string, unknown>)[key] = v;
    }
  }
  const options: DemoOptions = { ...DEFAULT_DEMO, seed: given.seed ?? DEFAULT_DEMO.seed, strength: given.strength ?? DEFAULT_DEMO.strength, edits: given.edits ?? DEFAULT_DEMO.edits };
  const last = options.shape.layers - 1;
  for (const e of options.edits) {
    if (e.layer > last) throw new StudyError('bad-cell', `pair \`${spec.name}\`: the demo edit ${e.layer}:${e.site} is outside the demo pair's layers 0..${last}`, `plant edits at layers 0..${last}`, spec.name);
    if (e.site === 'attn' && e.layer === 0) throw new StudyError('bad-cell', `pair \`${spec.name}\`: an attention edit at layer 0 would overwrite the demo pair's mover head`, 'plant attention edits at layer 1 or later', spec.name);
  }
  return options;
}
