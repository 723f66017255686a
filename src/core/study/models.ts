// Model pairs for a study: resolves each source (demo, local folder, Hub id) to a checkpoint
// folder, loads and checks the pair, and builds the inference sessions once per checkpoint so
// every cell of every run shares them.
import { isAbsolute, resolve } from 'node:path';
import type { ModelProvenance, ModelRole } from '../../common/results.js';
import type { PairSpec } from '../format/specs.js';
import type { ModelSource } from '../format/values.js';
import { checkPair, loadCheckpoint, type Checkpoint } from '../models/checkpoint.js';
import { ensureDemoPair, type DemoPair } from '../models/demo/index.js';
import { downloadModel, type DownloadProgress } from '../models/hub.js';
import { LoadedModel } from '../models/model.js';
import type { RuntimeOptions } from '../models/runtime.js';
import { loadTokenizer, type ModelTokenizer } from '../models/tokenizer.js';
import { StudyError } from './errors.js';

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
}

export class ModelPool {
  /** Sessions by checkpoint folder, with the content hash they were built from. */
  private readonly models = new Map<string, { sha256: string; model: Promise<LoadedModel> }>();

  constructor(private readonly host: ModelHost) {}

  /** Resolves and checks both checkpoints (no inference sessions yet: cheap, and enough to hash). */
  async resolvePair(spec: PairSpec, signal?: AbortSignal): Promise<ResolvedPair> {
    let demo: DemoPair | undefined;
    const side = async (role: ModelRole): Promise<PairSide> => {
      const { text, source } = spec[role];
      let dir: string;
      try {
        if (source.kind === 'demo') {
          demo ??= ensureDemoPair(this.host.cacheDir);
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
        tokenizer = loadTokenizer(dir);
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
    return { spec, pretrained, finetuned, demo };
  }

  /** The inference sessions of one side, built on first use. */
  model(side: PairSide): Promise<LoadedModel> {
    const key = side.checkpoint.dir;
    const held = this.models.get(key);
    if (held?.sha256 === side.checkpoint.sha256) return held.model;
    // The folder's content changed since its sessions were built: they are stale.
    if (held) void held.model.then((m) => m.dispose(), () => undefined);
    const model = LoadedModel.fromWeights(side.checkpoint.config, side.checkpoint.weights, this.host.runtime).catch((e) => {
      this.models.delete(key);
      throw new StudyError('model-load', `the ${side.role} model \`${side.provenance.source}\` could not be prepared for inference: ${(e as Error).message}`, undefined, undefined, { cause: e });
    });
    this.models.set(key, { sha256: side.checkpoint.sha256, model });
    return model;
  }

  async dispose(): Promise<void> {
    const all = [...this.models.values()];
    this.models.clear();
    await Promise.all(all.map(async (h) => (await h.model.catch(() => undefined))?.dispose()));
  }

  private async folderOf(source: Exclude<ModelSource, { kind: 'demo' }>, text: string, signal?: AbortSignal): Promise<string> {
    if (source.kind === 'local') {
      const p = source.path.startsWith('~/') ? resolve(process.env.HOME ?? '/', source.path.slice(2)) : source.path;
      return isAbsolute(p) ? p : resolve(this.host.baseDir, p);
    }
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
