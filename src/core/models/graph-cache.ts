// Converted graphs on disk: `<cacheDir>/graphs/<key>/` holds one `.onnx` file per slice with its
// weights beside it as ONNX external data (page-aligned, so onnxruntime can map them), and a
// manifest written last. The key hashes what the graphs are made from (the checkpoint's content,
// the precision and its quantization) and how (the tool and graph-format versions), so a second
// open converts nothing, and anything that would change the graphs changes the folder.
//
// An entry is written into a temporary folder and renamed into place when complete: a crash
// leaves a stray temporary folder, never a half entry. An entry whose files are missing or
// truncated is found out by its manifest (sizes, and the model files' digests) and rebuilt.
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Precision, QuantizedFormat } from './precision.js';

/** Bumped whenever the graphs built for the same checkpoint and precision change. */
export const GRAPH_FORMAT_VERSION = 1;
const MANIFEST = 'manifest.json';
/** Temporary folders older than this are left over from a crash and removed. */
const STALE_MS = 24 * 3600 * 1000;

export interface GraphCacheKeyParts {
  /** sha256 of the checkpoint's files (Checkpoint.sha256). */
  checkpoint: string;
  precision: Precision;
  quantization?: QuantizedFormat;
  tool: string;
  format: number;
}

/** The entry's folder name: a digest of the parts, in a fixed field order. */
export function graphCacheKey(parts: GraphCacheKeyParts): string {
  const canonical = JSON.stringify([parts.format, parts.tool, parts.checkpoint, parts.precision, parts.quantization ?? null]);
  return createHash('sha256').update(canonical).digest('hex').slice(0, 40);
}

/** One slice's files in an entry. */
export interface CachedSlice {
  name: string;
  /** File names relative to the entry. */
  model: string;
  weights: string;
  modelBytes: number;
  weightsBytes: number;
  modelSha256: string;
  /** Bytes of the checkpoint's weights among the slice's initializers (GraphBuilder.weightBytes). */
  weightBytes: number;
}

export interface GraphCacheManifest {
  format: number;
  key: string;
  parts: GraphCacheKeyParts;
  slices: CachedSlice[];
}

export type CacheLookup = { state: 'hit'; dir: string; manifest: GraphCacheManifest } | { state: 'absent' } | { state: 'broken'; dir: string; problem: string };

export class GraphCache {
  readonly root: string;

  /** `cacheDir`: the host's cache folder; entries live in its `graphs` subfolder. */
  constructor(cacheDir: string) {
    this.root = join(cacheDir, 'graphs');
  }

  entryDir(key: string): string {
    return join(this.root, key);
  }

  /** The entry of `key` when it is complete and intact. */
  lookup(key: string): CacheLookup {
    const dir = this.entryDir(key);
    if (!existsSync(dir)) return { state: 'absent' };
    const broken = (problem: string): CacheLookup => ({ state: 'broken', dir, problem });
    let manifest: GraphCacheManifest;
    try {
      manifest = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8')) as GraphCacheManifest;
    } catch (e) {
      return broken(`its ${MANIFEST} cannot be read (${(e as Error).message})`);
    }
    if (manifest.format !== GRAPH_FORMAT_VERSION || manifest.key !== key || !Array.isArray(manifest.slices)) {
      return broken(`its ${MANIFEST} does not describe entry ${key}`);
    }
    for (const s of manifest.slices) {
      if (typeof s.model !== 'string' || typeof s.weights !== 'string' || typeof s.weightBytes !== 'number') return broken(`its ${MANIFEST} lists a slice without its files`);
      for (const [file, bytes] of [[s.model, s.modelBytes], [s.weights, s.weightsBytes]] as const) {
        const path = join(dir, file);
        if (!existsSync(path)) return broken(`${file} is missing`);
        const size = statSync(path).size;
        if (size !== bytes) return broken(`${file} holds ${size} bytes, ${bytes} were written`);
      }
      // Model files are small (weights live beside them), so their digest is cheap to check.
      if (sha256(readFileSync(join(dir, s.model))) !== s.modelSha256) return broken(`${s.model} has changed since it was written`);
    }
    return { state: 'hit', dir, manifest };
  }

  /** Deletes an entry (a broken one, before it is rebuilt). */
  remove(key: string): void {
    const dir = this.entryDir(key);
    // Renamed away first so that a half-deleted folder never sits under the key.
    const doomed = join(this.root, `.trash-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
    try {
      renameSync(dir, doomed);
    } catch {
      return;
    }
    rmSync(doomed, { recursive: true, force: true });
  }

  /**
   * Writes the entry of `key`: `fill(dir)` writes the slices' files into a temporary folder and
   * lists them; the manifest is added and the folder renamed into place. If another process
   * completed the same entry meanwhile, theirs is kept.
   */
  async create(key: string, parts: GraphCacheKeyParts, fill: (dir: string) => Promise<Omit<CachedSlice, 'modelBytes' | 'weightsBytes' | 'modelSha256'>[]>): Promise<GraphCacheManifest> {
    mkdirSync(this.root, { recursive: true });
    this.sweep();
    const tmp = join(this.root, `.tmp-${key}-${process.pid}-${randomBytes(4).toString('hex')}`);
    mkdirSync(tmp);
    try {
      const files = await fill(tmp);
      const slices = files.map((f) => ({
        ...f,
        modelBytes: statSync(join(tmp, f.model)).size,
        weightsBytes: statSync(join(tmp, f.weights)).size,
        modelSha256: sha256(readFileSync(join(tmp, f.model))),
      }));
      const manifest: GraphCacheManifest = { format: GRAPH_FORMAT_VERSION, key, parts, slices };
      writeFileSync(join(tmp, MANIFEST), JSON.stringify(manifest, null, 1));
      for (const f of readdirSync(tmp)) syncFile(join(tmp, f));
      try {
        renameSync(tmp, this.entryDir(key));
      } catch (e) {
        const theirs = this.lookup(key);
        if (theirs.state !== 'hit') throw e;
        rmSync(tmp, { recursive: true, force: true });
        return theirs.manifest;
      }
      return manifest;
    } catch (e) {
      rmSync(tmp, { recursive: true, force: true });
      throw e;
    }
  }

  /** Removes temporary and trash folders that crashed runs left behind. */
  private sweep(): void {
    for (const name of readdirSync(this.root)) {
      if (!name.startsWith('.tmp-') && !name.startsWith('.trash-')) continue;
      const path = join(this.root, name);
      try {
        if (Date.now() - statSync(path).mtimeMs > STALE_MS) rmSync(path, { recursive: true, force: true });
      } catch {
        // Another process is sweeping too.
      }
    }
  }
}

function sha256(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** Flushes a file to disk so that the rename publishes complete contents. */
function syncFile(path: string): void {
  const fd = openSync(path, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
