// `knobe checkpoint <folder>`: writes a random Hugging Face-layout checkpoint of any shape (a named
// preset or a config.json, with overrides), or a "fine-tuned" variant of one that differs in named
// layers only — stand-ins for measuring the tool at the size of real models.
import { existsSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import {
  applyOverrides, DEFAULT_SHARD_BYTES, GenerateError, generateCheckpoint, perturbCheckpoint, PRESET_NAMES, presetConfig,
  type GenerateProgress, type GeneratedCheckpoint, type ShapeOverrides,
} from '../core/models/generate/index.js';
import type { WritableDtype } from '../core/models/safetensors.js';
import { UsageError, type CheckpointArgs } from './args.js';
import { ProgressBar } from './progress.js';

const DTYPES: Record<string, WritableDtype> = { fp32: 'F32', fp16: 'F16', bf16: 'BF16' };

export type CheckpointCommand =
  | { kind: 'generate'; dir: string; options: Parameters<typeof generateCheckpoint>[1] }
  | { kind: 'perturb'; dir: string; options: Parameters<typeof perturbCheckpoint>[1] };

/** "5GB", "500MB", "2GiB" or a byte count → bytes (decimal units as transformers' max_shard_size). */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)\s*(B|KB|MB|GB|KiB|MiB|GiB)?$/i.exec(text.trim());
  if (!m) throw new UsageError(`--shard-size takes a size such as 5GB or 500MB, not "${text}"`, 'checkpoint');
  const units: Record<string, number> = { b: 1, kb: 1e3, mb: 1e6, gb: 1e9, kib: 2 ** 10, mib: 2 ** 20, gib: 2 ** 30 };
  const bytes = Math.floor(Number(m[1]) * units[(m[2] ?? 'B').toLowerCase()]);
  if (!(bytes > 0)) throw new UsageError(`--shard-size must be positive, not "${text}"`, 'checkpoint');
  return bytes;
}

export function checkpointOptions(args: CheckpointArgs): CheckpointCommand {
  const usage = (message: string) => new UsageError(message, 'checkpoint');
  const v = args.values as Record<string, string | undefined> & { set?: string[] };
  const dir = resolve(args.folder);
  const int = (name: string, text: string | undefined, min = 0): number | undefined => {
    if (text === undefined) return undefined;
    const n = Number(text);
    if (!Number.isInteger(n) || n < min) throw usage(`--${name} takes a whole number${min > 0 ? ` ≥ ${min}` : ''}, not "${text}"`);
    return n;
  };

  const perturb = v.perturb === undefined && v['perturb-layers'] === undefined ? undefined : (() => {
    if (v.perturb === undefined || v['perturb-layers'] === undefined) throw usage('--perturb SEED and --perturb-layers a,b go together');
    const layers = v['perturb-layers'].split(',').map((s) => int('perturb-layers', s.trim())!);
    const scale = v['perturb-scale'] === undefined ? undefined : Number(v['perturb-scale']);
    if (scale !== undefined && !(scale > 0)) throw usage(`--perturb-scale takes a positive number, not "${v['perturb-scale']}"`);
    return { seed: int('perturb', v.perturb)!, layers, scale };
  })();
  if (v['perturb-scale'] !== undefined && !perturb) throw usage('--perturb-scale needs --perturb and --perturb-layers');

  if (v.base !== undefined) {
    const shaping = ['preset', 'config', 'layers', 'hidden', 'intermediate', 'heads', 'kv-heads', 'vocab', 'set', 'dtype', 'seed', 'shard-size', 'tokenizer'] as const;
    const given = shaping.filter((k) => v[k] !== undefined);
    if (given.length) throw usage(`--base takes the configuration, weights and tokenizer of the base folder; drop ${given.map((k) => `--${k}`).join(', ')}`);
    if (!perturb) throw usage('--base needs --perturb SEED --perturb-layers a,b');
    if (!existsSync(resolve(v.base))) throw usage(`--base: no such folder: ${v.base}`);
    return { kind: 'perturb', dir, options: { base: resolve(v.base), perturb } };
  }

  if ((v.preset === undefined) === (v.config === undefined)) throw usage(`give either --preset (${PRESET_NAMES.join(', ')}) or --config <config.json>`);
  let config: Record<string, unknown>;
  if (v.preset !== undefined) {
    const p = presetConfig(v.preset);
    if (!p) throw usage(`unknown preset "${v.preset}"; presets: ${PRESET_NAMES.join(', ')}`);
    config = p;
  } else {
    const file = resolve(v.config!);
    if (!existsSync(file)) throw usage(`--config: no such file: ${v.config}`);
    try {
      config = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    } catch (e) {
      throw usage(`--config: ${v.config} is not valid JSON (${(e as Error).message})`);
    }
    if (config === null || typeof config !== 'object' || Array.isArray(config)) throw usage(`--config: ${v.config} is not a JSON object`);
  }
  const shape: ShapeOverrides = {
    layers: int('layers', v.layers, 1), hidden: int('hidden', v.hidden, 1), intermediate: int('intermediate', v.intermediate, 1),
    heads: int('heads', v.heads, 1), kvHeads: int('kv-heads', v['kv-heads'], 1), vocab: int('vocab', v.vocab, 1),
  };
  const fields: Record<string, unknown> = {};
  for (const s of v.set ?? []) {
    const eq = s.indexOf('=');
    if (eq <= 0) throw usage(`--set takes key=value, not "${s}"`);
    const raw = s.slice(eq + 1);
    // JSON where it parses (numbers, booleans, objects), else the text as a string.
    try {
      fields[s.slice(0, eq)] = JSON.parse(raw);
    } catch {
      fields[s.slice(0, eq)] = raw;
    }
  }
  try {
    config = applyOverrides(config, shape, fields);
  } catch (e) {
    throw usage((e as Error).message);
  }
  const dtype = DTYPES[v.dtype ?? 'bf16'];
  if (!dtype) throw usage(`--dtype takes ${Object.keys(DTYPES).join(', ')}, not "${v.dtype}"`);
  config.torch_dtype = { F32: 'float32', F16: 'float16', BF16: 'bfloat16' }[dtype];
  if (v.tokenizer !== undefined && !existsSync(resolve(v.tokenizer, 'tokenizer.json'))) throw usage(`--tokenizer: ${v.tokenizer} has no tokenizer.json`);
  return {
    kind: 'generate',
    dir,
    options: {
      config,
      seed: int('seed', v.seed) ?? 0,
      dtype,
      shardBytes: v['shard-size'] === undefined ? DEFAULT_SHARD_BYTES : parseSize(v['shard-size']),
      tokenizerDir: v.tokenizer === undefined ? undefined : resolve(v.tokenizer),
      perturb,
    },
  };
}

const gb = (bytes: number) => `${(bytes / 1e9).toFixed(bytes < 1e8 ? 3 : 1)} GB`;

/** Runs the command; returns the line to print. Bad options are usage errors (exit 2). */
export function checkpointCommand(args: CheckpointArgs, bar = new ProgressBar()): string {
  const cmd = checkpointOptions(args);
  let last = 0;
  const onProgress = (p: GenerateProgress) => {
    // A handful of updates per second at most: a chunk is written every few milliseconds.
    const now = Date.now();
    if (now - last < 250 && p.done < p.total) return;
    last = now;
    bar.update({ cell: 'checkpoint', done: Math.round(p.done / 1e6), total: Math.round(p.total / 1e6), message: `MB ${p.file}` });
  };
  let made: GeneratedCheckpoint;
  try {
    made = cmd.kind === 'generate' ? generateCheckpoint(cmd.dir, { ...cmd.options, onProgress }) : perturbCheckpoint(cmd.dir, { ...cmd.options, onProgress });
  } catch (e) {
    if (e instanceof GenerateError) throw new UsageError(e.message, 'checkpoint');
    throw e;
  } finally {
    bar.finish();
  }
  const c = made.config;
  const what = `${c.architecture}, ${c.numLayers} layer${c.numLayers === 1 ? '' : 's'}, hidden ${c.hiddenSize}, vocabulary ${c.vocabSize}`;
  const files = made.shards.length === 1 ? made.shards[0] : `${made.shards.length} shards`;
  const linked = made.linked.length ? `; ${made.linked.length} of them hard-linked to the base folder` : '';
  return `wrote a random checkpoint to ${made.dir} (${what}; ${gb(made.bytes)} in ${files}${linked})`;
}
