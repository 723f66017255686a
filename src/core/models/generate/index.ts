// Random checkpoints in the Hugging Face layout for any config.json: the stand-ins that let the
// tool be measured and tested at the shape of the models the study compares (an 8B model in bf16
// is 16 GB) without downloading them. Weights follow transformers' own initialisation (matrices
// and embeddings N(0, initializer_range²), norm scales at their neutral value, biases 0), so a
// forward pass has ordinary activations. Writing streams: one chunk of one tensor is in memory at
// a time. Same options, same bytes.
//
// A "fine-tuned" variant differs from its base in named layers only (noise added to every tensor
// of those layers); written beside a base folder, it hard-links the base's untouched shards.
import { copyFileSync, closeSync, existsSync, linkSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { expectedWeights } from '../checkpoint.js';
import { parseConfig } from '../config.js';
import { readSafetensorsHeader, safetensorsHeader, encodeFloats, toFloat32, dtypeBytes, writeAll, type SafetensorsDtype, type WritableDtype } from '../safetensors.js';
import type { ModelConfig } from '../types.js';
import { NormalStream, streamSeed } from './random.js';
import { generatedTokenizer, tokenizerIdCount } from './tokenizer.js';

export { PRESETS, PRESET_NAMES, presetConfig, applyOverrides, type ShapeOverrides } from './presets.js';

/** Bumped whenever the same options would give different bytes. */
export const GENERATOR_VERSION = 1;
export const GENERATOR_MANIFEST = 'knobe-checkpoint.json';
/** transformers' save_pretrained default (max_shard_size="5GB"), which the Hub's checkpoints follow. */
export const DEFAULT_SHARD_BYTES = 5_000_000_000;
/** Values per chunk: 16 MB of fp32 in memory at a time. */
const CHUNK = 1 << 22;

const INDEX = 'model.safetensors.index.json';
const WEIGHT_FILE = /^model(-\d{5}-of-\d{5})?\.safetensors$/;
/** The tokenizer files a tokenizer folder may hold; those present are copied. */
const TOKENIZER_FILES = ['tokenizer.json', 'tokenizer_config.json', 'special_tokens_map.json', 'chat_template.jinja'];

export interface Perturbation {
  seed: number;
  /** Layers whose every tensor gets noise. */
  layers: number[];
  /** Noise standard deviation as a multiple of the initialisation's (default 0.1). */
  scale?: number;
}

export interface GenerateOptions {
  /** The config.json to write (a preset with overrides, or a file's content). */
  config: Record<string, unknown>;
  seed: number;
  dtype: WritableDtype;
  /** Largest shard in bytes; one shard needs no index. Default DEFAULT_SHARD_BYTES. */
  shardBytes?: number;
  /** A folder with tokenizer.json (and tokenizer_config.json…) to copy; else a small one is generated. */
  tokenizerDir?: string;
  perturb?: Perturbation;
  onProgress?: (p: GenerateProgress) => void;
}

export interface PerturbOptions {
  /** The checkpoint folder the variant is derived from. */
  base: string;
  perturb: Perturbation;
  onProgress?: (p: GenerateProgress) => void;
}

export interface GenerateProgress {
  /** Bytes of weights written (or linked) so far and in all. */
  done: number;
  total: number;
  file: string;
}

export interface GeneratedCheckpoint {
  dir: string;
  config: ModelConfig;
  /** The weight files, in order, and which of them were hard-linked from a base folder. */
  shards: string[];
  linked: string[];
  bytes: number;
}

export interface GeneratorManifest {
  generator: 'knobe-lab checkpoint';
  version: number;
  /** What was asked, enough to tell whether a folder holds what a caller wants. */
  recipe: Record<string, unknown>;
}

/** Thrown for options that cannot give a checkpoint (the CLI turns it into a usage error). */
export class GenerateError extends Error {
  override readonly name = 'GenerateError';
}

interface PlannedTensor {
  name: string;
  shape: number[];
  dtype: WritableDtype;
  bytes: number;
}

interface Shard {
  file: string;
  tensors: PlannedTensor[];
}

/** Tensors in module order, packed into shards the way transformers packs them. */
export function planShards(tensors: PlannedTensor[], maxBytes: number): Shard[] {
  const groups: PlannedTensor[][] = [[]];
  let size = 0;
  for (const t of tensors) {
    if (size + t.bytes > maxBytes && groups[groups.length - 1].length > 0) {
      groups.push([]);
      size = 0;
    }
    groups[groups.length - 1].push(t);
    size += t.bytes;
  }
  const n = groups.length;
  const pad = (i: number) => String(i).padStart(5, '0');
  return groups.map((g, i) => ({ file: n === 1 ? 'model.safetensors' : `model-${pad(i + 1)}-of-${pad(n)}.safetensors`, tensors: g }));
}

/** The block a tensor belongs to, from its Hugging Face name; undefined outside the blocks. */
export function layerOf(name: string): number | undefined {
  const m = /^(?:model\.|transformer\.)?(?:layers|h)\.(\d+)\./.exec(name);
  return m ? Number(m[1]) : undefined;
}

function checkConfig(config: Record<string, unknown>): ModelConfig {
  try {
    return parseConfig(JSON.stringify(config), 'config.json');
  } catch (e) {
    throw new GenerateError((e as Error).message);
  }
}

function checkPerturbation(p: Perturbation | undefined, numLayers: number): void {
  if (!p) return;
  if (!Number.isInteger(p.seed)) throw new GenerateError(`the perturbation seed ${p.seed} is not a whole number`);
  if (p.layers.length === 0) throw new GenerateError('a perturbation names at least one layer');
  for (const l of p.layers) {
    if (!Number.isInteger(l) || l < 0 || l >= numLayers) throw new GenerateError(`perturbed layer ${l} is outside the model's layers 0..${numLayers - 1}`);
  }
  if (p.scale !== undefined && !(p.scale > 0)) throw new GenerateError(`the perturbation scale must be positive, not ${p.scale}`);
}

const initStd = (config: Record<string, unknown>) => (typeof config.initializer_range === 'number' ? config.initializer_range : 0.02);

/** How transformers initialises a tensor: its constant, or the normal's standard deviation. */
function initOf(name: string, c: ModelConfig, std: number): { constant: number } | { std: number } {
  if (name.endsWith('.bias')) return { constant: 0 };
  // Gemma-2 scales by (1 + w), so its neutral norm weight is 0.
  if (/(norm|ln_\d|ln_f)\.weight$/.test(name)) return { constant: c.architecture === 'gemma2' ? 0 : 1 };
  return { std };
}

/** Adds N(0, std²) noise from the tensor's perturbation stream to a chunk, in place. */
function addNoise(values: Float32Array, noise: NormalStream, std: number, scratch: Float32Array): void {
  const n = scratch.subarray(0, values.length);
  noise.fill(n, std);
  for (let i = 0; i < values.length; i++) values[i] += n[i];
}

/** Writes a file through a temporary name, so a crash never leaves a half-written shard behind. */
function writeFileAtomic(file: string, write: (fd: number) => void): void {
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    write(fd);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, JSON.stringify(value, null, 2) + '\n');
}

/** Copies or generates the tokenizer files; checks that every token id fits the vocabulary. */
function writeTokenizer(dir: string, configJson: Record<string, unknown>, config: ModelConfig, tokenizerDir: string | undefined): string {
  if (tokenizerDir === undefined) {
    let generated;
    try {
      generated = generatedTokenizer(configJson, config.vocabSize);
    } catch (e) {
      throw new GenerateError((e as Error).message);
    }
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(generated.tokenizerJson));
    writeJson(join(dir, 'tokenizer_config.json'), generated.tokenizerConfig);
    return 'generated';
  }
  const from = resolve(tokenizerDir);
  if (!existsSync(join(from, 'tokenizer.json'))) throw new GenerateError(`${from} has no tokenizer.json`);
  let ids: number;
  try {
    ids = tokenizerIdCount(JSON.parse(readFileSync(join(from, 'tokenizer.json'), 'utf8')) as Record<string, unknown>);
  } catch (e) {
    throw new GenerateError(`${join(from, 'tokenizer.json')}: not valid JSON (${(e as Error).message})`);
  }
  if (ids > config.vocabSize) {
    throw new GenerateError(`the tokenizer in ${from} has ids up to ${ids - 1}, outside the model's vocab_size ${config.vocabSize}; set vocab_size to at least ${ids}`);
  }
  for (const f of TOKENIZER_FILES) if (existsSync(join(from, f))) copyFileSync(join(from, f), join(dir, f));
  return from;
}

/** Writes a random checkpoint of `opts.config` into `dir` (created if needed). */
export function generateCheckpoint(dir: string, opts: GenerateOptions): GeneratedCheckpoint {
  const out = resolve(dir);
  const config = checkConfig(opts.config);
  checkPerturbation(opts.perturb, config.numLayers);
  const shardBytes = opts.shardBytes ?? DEFAULT_SHARD_BYTES;
  if (!(shardBytes > 0)) throw new GenerateError(`the shard size must be positive, not ${shardBytes}`);
  if (!Number.isInteger(opts.seed)) throw new GenerateError(`the seed ${opts.seed} is not a whole number`);
  mkdirSync(out, { recursive: true });
  rmSync(join(out, GENERATOR_MANIFEST), { force: true });

  const width = dtypeBytes(opts.dtype);
  const tensors: PlannedTensor[] = expectedWeights(config)
    .filter((w) => !w.optional)
    .map((w) => ({ name: w.name, shape: w.shape, dtype: opts.dtype, bytes: w.shape.reduce((a, b) => a * b, 1) * width }));
  const shards = planShards(tensors, shardBytes);
  const total = tensors.reduce((n, t) => n + t.bytes, 0);
  const std = initStd(opts.config);
  const perturbed = new Set(opts.perturb?.layers ?? []);
  const noiseStd = (opts.perturb?.scale ?? 0.1) * std;
  const values = new Float32Array(CHUNK);
  const noise = new Float32Array(CHUNK);
  let done = 0;

  // Shards of an earlier generation into this folder that the new plan does not rewrite.
  const planned = new Set(shards.map((s) => s.file));
  for (const f of readdirSync(out)) if (WEIGHT_FILE.test(f) && !planned.has(f)) rmSync(join(out, f));
  writeJson(join(out, 'config.json'), opts.config);
  const tokenizer = writeTokenizer(out, opts.config, config, opts.tokenizerDir);
  for (const shard of shards) {
    const { bytes: header } = safetensorsHeader(shard.tensors, { format: 'pt' });
    writeFileAtomic(join(out, shard.file), (fd) => {
      writeAll(fd, header);
      for (const t of shard.tensors) {
        const count = t.bytes / width;
        const init = initOf(t.name, config, std);
        const draw = 'std' in init ? new NormalStream(streamSeed(opts.seed, t.name)) : undefined;
        const layer = layerOf(t.name);
        const extra = layer !== undefined && perturbed.has(layer) ? new NormalStream(streamSeed(opts.perturb!.seed, t.name)) : undefined;
        for (let at = 0; at < count; at += CHUNK) {
          const chunk = values.subarray(0, Math.min(CHUNK, count - at));
          if (draw) draw.fill(chunk, (init as { std: number }).std);
          else chunk.fill((init as { constant: number }).constant);
          let bytes = encodeFloats(chunk, t.dtype);
          if (extra) {
            // Noise goes onto the stored (rounded) values, exactly as when perturbing a base folder.
            const stored = toFloat32(bytes, t.dtype);
            addNoise(stored, extra, noiseStd, noise);
            bytes = encodeFloats(stored, t.dtype);
          }
          writeAll(fd, bytes);
          done += bytes.byteLength;
          opts.onProgress?.({ done, total, file: shard.file });
        }
      }
    });
  }
  if (shards.length > 1) writeIndex(out, shards, total);
  else rmSync(join(out, INDEX), { force: true });
  const recipe: Record<string, unknown> = {
    config: opts.config, seed: opts.seed, dtype: opts.dtype, shardBytes, tokenizer,
    ...(opts.perturb ? { perturb: { ...opts.perturb, scale: opts.perturb.scale ?? 0.1 } } : {}),
  };
  writeManifest(out, recipe);
  return { dir: out, config, shards: shards.map((s) => s.file), linked: [], bytes: total };
}

function writeIndex(dir: string, shards: Shard[], total: number): void {
  const weightMap: Record<string, string> = {};
  for (const s of shards) for (const t of s.tensors) weightMap[t.name] = s.file;
  const sorted = Object.fromEntries(Object.keys(weightMap).sort().map((k) => [k, weightMap[k]]));
  writeJson(join(dir, INDEX), { metadata: { total_size: total }, weight_map: sorted });
}

function writeManifest(dir: string, recipe: Record<string, unknown>): void {
  const manifest: GeneratorManifest = { generator: 'knobe-lab checkpoint', version: GENERATOR_VERSION, recipe };
  writeJson(join(dir, GENERATOR_MANIFEST), manifest);
}

/** The manifest of a folder this generator completed (of this version), else undefined. */
export function readGeneratorManifest(dir: string): GeneratorManifest | undefined {
  try {
    const m = JSON.parse(readFileSync(join(dir, GENERATOR_MANIFEST), 'utf8')) as GeneratorManifest;
    return m.generator === 'knobe-lab checkpoint' && m.version === GENERATOR_VERSION ? m : undefined;
  } catch {
    return undefined;
  }
}

/** The base folder's weight files and the tensors each holds. */
function baseShards(base: string): { files: string[]; byFile: Map<string, string[]>; indexed: boolean } {
  if (existsSync(join(base, INDEX))) {
    let map: Record<string, string>;
    try {
      map = (JSON.parse(readFileSync(join(base, INDEX), 'utf8')) as { weight_map: Record<string, string> }).weight_map;
    } catch (e) {
      throw new GenerateError(`${join(base, INDEX)}: cannot be read (${(e as Error).message})`);
    }
    const byFile = new Map<string, string[]>();
    for (const [name, file] of Object.entries(map)) (byFile.get(file) ?? byFile.set(file, []).get(file)!).push(name);
    return { files: [...byFile.keys()].sort(), byFile, indexed: true };
  }
  if (existsSync(join(base, 'model.safetensors'))) {
    return { files: ['model.safetensors'], byFile: new Map([['model.safetensors', [...readSafetensorsHeader(join(base, 'model.safetensors')).tensors.keys()]]]), indexed: false };
  }
  throw new GenerateError(`${base} holds no model.safetensors or ${INDEX}`);
}

/** Hard link, or a copy where the two folders are on different file systems. */
function linkOrCopy(from: string, to: string): boolean {
  rmSync(to, { force: true });
  try {
    linkSync(from, to);
    return true;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EXDEV' && (e as NodeJS.ErrnoException).code !== 'EPERM') throw e;
    copyFileSync(from, to);
    return false;
  }
}

/**
 * Writes into `dir` a variant of the checkpoint in `opts.base` that differs only in the perturbed
 * layers: shards holding none of their tensors are hard-linked to the base's, the others are
 * rewritten with the same layout (untouched tensors copied byte for byte).
 */
export function perturbCheckpoint(dir: string, opts: PerturbOptions): GeneratedCheckpoint {
  const out = resolve(dir);
  const base = resolve(opts.base);
  if (out === base) throw new GenerateError('the variant needs a folder of its own, not the base folder');
  if (!existsSync(join(base, 'config.json'))) throw new GenerateError(`${base} has no config.json`);
  const configJson = JSON.parse(readFileSync(join(base, 'config.json'), 'utf8')) as Record<string, unknown>;
  const config = checkConfig(configJson);
  checkPerturbation(opts.perturb, config.numLayers);
  const { files, byFile, indexed } = baseShards(base);
  mkdirSync(out, { recursive: true });
  rmSync(join(out, GENERATOR_MANIFEST), { force: true });

  const perturbed = new Set(opts.perturb.layers);
  const noiseStd = (opts.perturb.scale ?? 0.1) * initStd(configJson);
  const headers = files.map((f) => readSafetensorsHeader(join(base, f)));
  const total = headers.reduce((n, h) => n + h.fileSize, 0);
  const buf = new Uint8Array(CHUNK * 4);
  // As many values as a read of 2-byte values holds.
  const noise = new Float32Array(buf.length / 2);
  const linked: string[] = [];
  let done = 0;

  for (const [i, file] of files.entries()) {
    const from = join(base, file);
    const to = join(out, file);
    const touched = byFile.get(file)!.some((n) => perturbed.has(layerOf(n) ?? -1));
    if (!touched) {
      if (linkOrCopy(from, to)) linked.push(file);
      done += headers[i].fileSize;
      opts.onProgress?.({ done, total, file });
      continue;
    }
    const header = headers[i];
    const inFd = openSync(from, 'r');
    try {
      writeFileAtomic(to, (fd) => {
        const copy = (start: number, end: number, transform?: (bytes: Uint8Array) => Uint8Array) => {
          for (let at = start; at < end; ) {
            const want = Math.min(buf.length, end - at);
            for (let got = 0; got < want; ) {
              const n = readSync(inFd, buf, got, want - got, at + got);
              if (n === 0) throw new GenerateError(`${from}: unexpected end of file at byte ${at + got}`);
              got += n;
            }
            const bytes = buf.subarray(0, want);
            writeAll(fd, transform ? transform(bytes) : bytes);
            at += want;
            done += want;
            opts.onProgress?.({ done, total, file });
          }
        };
        const ordered = [...header.tensors.values()].sort((a, b) => a.start - b.start);
        let at = 0;
        for (const t of ordered) {
          copy(at, t.start);
          const layer = layerOf(t.name);
          if (layer === undefined || !perturbed.has(layer)) {
            copy(t.start, t.end);
          } else {
            const dtype = writableDtype(t.dtype, from, t.name);
            // Reads start at the tensor's first byte and take a multiple of 4 bytes: whole values.
            const stream = new NormalStream(streamSeed(opts.perturb.seed, t.name));
            copy(t.start, t.end, (bytes) => {
              const values = toFloat32(bytes, dtype);
              addNoise(values, stream, noiseStd, noise);
              return encodeFloats(values, dtype);
            });
          }
          at = t.end;
        }
        copy(at, header.fileSize);
      });
    } finally {
      closeSync(inFd);
    }
  }
  writeJson(join(out, 'config.json'), configJson);
  if (indexed) copyFileSync(join(base, INDEX), join(out, INDEX));
  for (const f of TOKENIZER_FILES) if (existsSync(join(base, f))) copyFileSync(join(base, f), join(out, f));
  const baseRecipe = readGeneratorManifest(base)?.recipe;
  writeManifest(out, { base, ...(baseRecipe ? { baseRecipe } : {}), perturb: { ...opts.perturb, scale: opts.perturb.scale ?? 0.1 } });
  return { dir: out, config, shards: files, linked, bytes: total };
}

function writableDtype(dtype: SafetensorsDtype, file: string, name: string): WritableDtype {
  if (dtype === 'F32' || dtype === 'F16' || dtype === 'BF16') return dtype;
  throw new GenerateError(`${file} (tensor "${name}"): ${dtype} weights cannot be perturbed; supported: F32, F16, BF16`);
}
