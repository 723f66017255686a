// A Hugging Face checkpoint folder: config.json, one model.safetensors or an index plus shards,
// tokenizer.json and (optionally) tokenizer_config.json. Loading validates every tensor the
// architecture needs against config.json before any graph is built, so a wrong or damaged
// checkpoint fails here with the file and tensor named.
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseConfig } from './config.js';
import { CheckpointError } from './errors.js';
import { combineDigests, sha256File } from './hash.js';
import { DEFAULT_HUB_ENDPOINT, downloadModel, verifiedDigests, type HubDownloadOptions } from './hub.js';
import { READABLE_DTYPES, readSafetensors, type SafetensorsFile, type TensorCatalog, type TensorInfo } from './safetensors.js';
import type { ModelConfig, WeightTensor } from './types.js';

export interface Checkpoint {
  /** Absolute path of the folder. */
  dir: string;
  config: ModelConfig;
  weights: TensorCatalog;
  /** tokenizer.json, parsed. */
  tokenizerJson: Record<string, unknown>;
  /** tokenizer_config.json, parsed; `{}` when the folder has none. */
  tokenizerConfig: Record<string, unknown>;
  /** chat_template.jinja, when the folder has one (newer checkpoints keep the template there). */
  chatTemplate?: string;
  /** sha256 over config, weights and tokenizer files (see checkpointFiles). */
  sha256: string;
  /** The files the hash covers, relative to dir. */
  files: string[];
  /** Where the folder came from, for provenance (set by loadModel). */
  origin?: CheckpointOrigin;
  /** Tensors of the weights that config.json does not use (extra layers, stray tensors), sorted. */
  unusedTensors: string[];
  /** What a person should know before trusting the checkpoint (unused tensors among them). */
  warnings: string[];
}

export type CheckpointOrigin =
  | { kind: 'local'; path: string }
  | { kind: 'hub'; repo: string; revision: string; commit: string; endpoint: string };

export interface ExpectedWeight {
  name: string;
  shape: number[];
  /** Present in some checkpoints only (e.g. an lm_head that is tied to the embeddings). */
  optional?: boolean;
}

/**
 * Every tensor an architecture reads, with the shape config.json implies (Hugging Face names;
 * linear weights are [out, in], GPT-2's Conv1D weights are [in, out]). GPT-2 names are given
 * without the "transformer." prefix that GPT2LMHeadModel checkpoints may add.
 */
export function expectedWeights(c: ModelConfig): ExpectedWeight[] {
  return c.architecture === 'gpt2' ? gpt2Weights(c) : llamaFamilyWeights(c);
}

function llamaFamilyWeights(c: ModelConfig): ExpectedWeight[] {
  const H = c.hiddenSize;
  const q = c.numHeads * c.headDim;
  const kv = c.numKvHeads * c.headDim;
  const I = c.intermediateSize;
  const out: ExpectedWeight[] = [{ name: 'model.embed_tokens.weight', shape: [c.vocabSize, H] }];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `model.layers.${i}.`;
    out.push(
      { name: `${p}input_layernorm.weight`, shape: [H] },
      { name: `${p}self_attn.q_proj.weight`, shape: [q, H] },
      { name: `${p}self_attn.k_proj.weight`, shape: [kv, H] },
      { name: `${p}self_attn.v_proj.weight`, shape: [kv, H] },
    );
    if (c.attentionBias) {
      out.push(
        { name: `${p}self_attn.q_proj.bias`, shape: [q] },
        { name: `${p}self_attn.k_proj.bias`, shape: [kv] },
        { name: `${p}self_attn.v_proj.bias`, shape: [kv] },
      );
    }
    out.push(
      { name: `${p}self_attn.o_proj.weight`, shape: [H, q] },
      { name: `${p}post_attention_layernorm.weight`, shape: [H] },
    );
    if (c.architecture === 'gemma2') {
      out.push(
        { name: `${p}pre_feedforward_layernorm.weight`, shape: [H] },
        { name: `${p}post_feedforward_layernorm.weight`, shape: [H] },
      );
    }
    out.push(
      { name: `${p}mlp.gate_proj.weight`, shape: [I, H] },
      { name: `${p}mlp.up_proj.weight`, shape: [I, H] },
      { name: `${p}mlp.down_proj.weight`, shape: [H, I] },
    );
  }
  out.push({ name: 'model.norm.weight', shape: [H] });
  out.push({ name: 'lm_head.weight', shape: [c.vocabSize, H], optional: c.tieWordEmbeddings });
  return out;
}

function gpt2Weights(c: ModelConfig): ExpectedWeight[] {
  const H = c.hiddenSize;
  const I = c.intermediateSize;
  const out: ExpectedWeight[] = [
    { name: 'wte.weight', shape: [c.vocabSize, H] },
    { name: 'wpe.weight', shape: [c.maxPositions, H] },
  ];
  for (let i = 0; i < c.numLayers; i++) {
    const p = `h.${i}.`;
    out.push(
      { name: `${p}ln_1.weight`, shape: [H] },
      { name: `${p}ln_1.bias`, shape: [H] },
      { name: `${p}attn.c_attn.weight`, shape: [H, 3 * H] },
      { name: `${p}attn.c_attn.bias`, shape: [3 * H] },
      { name: `${p}attn.c_proj.weight`, shape: [H, H] },
      { name: `${p}attn.c_proj.bias`, shape: [H] },
      { name: `${p}ln_2.weight`, shape: [H] },
      { name: `${p}ln_2.bias`, shape: [H] },
      { name: `${p}mlp.c_fc.weight`, shape: [H, I] },
      { name: `${p}mlp.c_fc.bias`, shape: [I] },
      { name: `${p}mlp.c_proj.weight`, shape: [I, H] },
      { name: `${p}mlp.c_proj.bias`, shape: [H] },
    );
  }
  out.push({ name: 'ln_f.weight', shape: [H] }, { name: 'ln_f.bias', shape: [H] });
  // GPT2LMHeadModel ties lm_head to wte and most checkpoints omit it.
  out.push({ name: 'lm_head.weight', shape: [c.vocabSize, H], optional: true });
  return out;
}

/** Tensors from several safetensors shards behind one name → tensor map. */
class ShardedWeights implements TensorCatalog {
  constructor(private readonly byName: Map<string, SafetensorsFile>) {}

  names(): string[] {
    return [...this.byName.keys()];
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  private shard(name: string): SafetensorsFile {
    const s = this.byName.get(name);
    if (!s) throw new CheckpointError('missing-tensor', `no tensor named "${name}" in any shard`, { name });
    return s;
  }

  info(name: string): TensorInfo {
    return this.shard(name).info(name);
  }

  get(name: string): WeightTensor {
    return this.shard(name).get(name);
  }

  rows(name: string, start: number, count: number): Float32Array {
    return this.shard(name).rows(name, start, count);
  }
}

const INDEX = 'model.safetensors.index.json';
const SINGLE = 'model.safetensors';

function readJson(file: string, code: 'invalid-config' | 'corrupt-safetensors' | 'tokenizer-error'): Record<string, unknown> {
  let v: unknown;
  try {
    v = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new CheckpointError(code, `${file}: not valid JSON (${(e as Error).message})`, { path: file, cause: e });
  }
  if (v === null || typeof v !== 'object' || Array.isArray(v)) {
    throw new CheckpointError(code, `${file}: not a JSON object`, { path: file });
  }
  return v as Record<string, unknown>;
}

function requireFile(dir: string, name: string, what: string): string {
  const file = join(dir, name);
  if (!existsSync(file)) {
    throw new CheckpointError('missing-file', `${dir}: ${what} ${name} is missing`, { path: file, name });
  }
  return file;
}

/** Opens the weights: an index with shards, or a single file. Returns the weight files too. */
function openWeights(dir: string): { weights: TensorCatalog; files: string[] } {
  const indexFile = join(dir, INDEX);
  if (existsSync(indexFile)) {
    const index = readJson(indexFile, 'corrupt-safetensors');
    const map = index.weight_map;
    if (map === null || typeof map !== 'object' || Array.isArray(map)) {
      throw new CheckpointError('corrupt-safetensors', `${indexFile}: has no weight_map object`, { path: indexFile });
    }
    const shards = new Map<string, SafetensorsFile>();
    const byName = new Map<string, SafetensorsFile>();
    for (const [name, shardName] of Object.entries(map as Record<string, unknown>)) {
      if (typeof shardName !== 'string' || shardName.includes('/') || shardName.includes('\\')) {
        throw new CheckpointError('corrupt-safetensors', `${indexFile}: weight_map entry for "${name}" is not a file name`, { path: indexFile, name });
      }
      let shard = shards.get(shardName);
      if (!shard) {
        requireFile(dir, shardName, `shard listed in ${INDEX}:`);
        shard = readSafetensors(join(dir, shardName));
        shards.set(shardName, shard);
      }
      if (!shard.has(name)) {
        throw new CheckpointError('corrupt-safetensors', `${join(dir, shardName)}: ${INDEX} places tensor "${name}" in this shard but it is not there`, { path: join(dir, shardName), name });
      }
      byName.set(name, shard);
    }
    return { weights: new ShardedWeights(byName), files: [INDEX, ...[...shards.keys()].sort()] };
  }
  if (existsSync(join(dir, SINGLE))) {
    return { weights: readSafetensors(join(dir, SINGLE)), files: [SINGLE] };
  }
  const present = existsSync(dir) ? readdirSync(dir) : [];
  const legacy = present.filter((f) => f.endsWith('.bin') || f.endsWith('.pt') || f.endsWith('.gguf'));
  const hint = legacy.length ? ` (found ${legacy.join(', ')}, which cannot be read: convert the weights to safetensors)` : '';
  throw new CheckpointError('missing-file', `${dir}: no ${SINGLE} or ${INDEX}${hint}`, { path: join(dir, SINGLE), name: SINGLE });
}

/** Buffers some checkpoints carry that are no parameters (RoPE frequencies, GPT-2's causal masks). */
const BUFFERS = [/\.rotary_emb\.inv_freq$/, /\.attn\.(?:masked_)?bias$/];

/**
 * Tensors the config does not read: layers past `num_hidden_layers`, or names no architecture
 * has. The model runs without them, so a config that does not belong to its weights would
 * otherwise pass unnoticed.
 */
export function unusedTensors(config: ModelConfig, weights: TensorCatalog): string[] {
  const prefix = config.architecture === 'gpt2' && weights.has('transformer.wte.weight') ? 'transformer.' : '';
  const used = new Set(expectedWeights(config).map((w) => (w.name === 'lm_head.weight' ? w.name : prefix + w.name)));
  return weights.names().filter((n) => !used.has(n) && !BUFFERS.some((b) => b.test(n))).sort();
}

/** One sentence about unused tensors: the extra layers by number, then the other names. */
export function unusedWarning(config: ModelConfig, unused: readonly string[]): string | undefined {
  if (unused.length === 0) return undefined;
  const layers = new Set<number>();
  const others: string[] = [];
  for (const n of unused) {
    const m = /(?:^|\.)(?:layers|h)\.(\d+)\./.exec(n);
    if (m && Number(m[1]) >= config.numLayers) layers.add(Number(m[1]));
    else others.push(n);
  }
  const sorted = [...layers].sort((a, b) => a - b);
  const parts = [
    ...(sorted.length ? [`${sorted.length === 1 ? 'layer' : 'layers'} ${sorted.join(', ')} (num_hidden_layers is ${config.numLayers})`] : []),
    ...(others.length ? [others.slice(0, 3).join(', ') + (others.length > 3 ? ` and ${others.length - 3} more` : '')] : []),
  ];
  return `${unused.length} tensors that config.json does not use: ${parts.join('; ')}. Check that config.json belongs to these weights.`;
}

/** Checks presence, shape and dtype of every expected tensor, naming the first culprit. */
export function validateWeights(dir: string, config: ModelConfig, weights: TensorCatalog): void {
  // GPT2LMHeadModel checkpoints prefix names with "transformer."; the original gpt2 ones do not.
  const prefix = config.architecture === 'gpt2' && weights.has('transformer.wte.weight') ? 'transformer.' : '';
  for (const want of expectedWeights(config)) {
    const name = want.name === 'lm_head.weight' ? want.name : prefix + want.name;
    if (!weights.has(name)) {
      if (want.optional) continue;
      throw new CheckpointError('missing-tensor', `${dir}: tensor "${name}" [${want.shape.join(', ')}] is missing from the weights`, { path: dir, name });
    }
    const info = weights.info(name);
    if (info.shape.length !== want.shape.length || info.shape.some((d, i) => d !== want.shape[i])) {
      throw new CheckpointError(
        'shape-mismatch',
        `${dir}: tensor "${name}" has shape [${info.shape.join(', ')}] but config.json implies [${want.shape.join(', ')}]`,
        { path: dir, name },
      );
    }
    if (!READABLE_DTYPES.includes(info.dtype)) {
      throw new CheckpointError('unsupported-dtype', `${dir}: tensor "${name}" is ${info.dtype}; supported: ${READABLE_DTYPES.join(', ')}`, { path: dir, name });
    }
  }
}

export interface LoadOptions {
  /** Skip hashing (sha256 is then ''): for callers that only inspect a folder. */
  hash?: boolean;
}

export async function loadCheckpoint(dir: string, options: LoadOptions = {}): Promise<Checkpoint> {
  const root = resolve(dir);
  if (!existsSync(root) || !statSync(root).isDirectory()) {
    throw new CheckpointError('missing-file', `${root}: checkpoint folder not found`, { path: root });
  }
  const configFile = requireFile(root, 'config.json', 'model configuration');
  const config = parseConfig(readFileSync(configFile, 'utf8'), configFile);
  const { weights, files: weightFiles } = openWeights(root);
  validateWeights(root, config, weights);

  const tokenizerFile = requireFile(root, 'tokenizer.json', 'tokenizer');
  const tokenizerJson = readJson(tokenizerFile, 'tokenizer-error');
  const tokenizerConfigFile = join(root, 'tokenizer_config.json');
  const hasTokenizerConfig = existsSync(tokenizerConfigFile);
  const tokenizerConfig = hasTokenizerConfig ? readJson(tokenizerConfigFile, 'tokenizer-error') : {};

  const templateFile = join(root, 'chat_template.jinja');
  const chatTemplate = existsSync(templateFile) ? readFileSync(templateFile, 'utf8') : undefined;

  const files = [
    'config.json', ...weightFiles, 'tokenizer.json',
    ...(hasTokenizerConfig ? ['tokenizer_config.json'] : []),
    ...(chatTemplate !== undefined ? ['chat_template.jinja'] : []),
  ];
  const sha256 = options.hash === false ? '' : await hashFiles(root, files);
  const unused = unusedTensors(config, weights);
  const warning = unusedWarning(config, unused);
  return { dir: root, config, weights, tokenizerJson, tokenizerConfig, chatTemplate, sha256, files, unusedTensors: unused, warnings: warning ? [warning] : [] };
}

/** The checkpoint's content hash: one digest over its files' digests. */
export async function hashFiles(dir: string, files: string[]): Promise<string> {
  const known = verifiedDigests(dir);
  const parts: Record<string, string> = {};
  for (const f of files) parts[f] = known.get(f) ?? (await sha256File(join(dir, f)));
  return combineDigests(parts);
}

export interface ModelSourceOptions extends LoadOptions, Omit<HubDownloadOptions, 'cacheDir'> {
  /** Where hf: sources are cached; required for them. */
  cacheDir?: string;
}

/**
 * Loads a checkpoint named by a model source: `hf:org/name[@revision]` (downloaded into the
 * cache first) or a folder path.
 */
export async function loadModel(source: string, options: ModelSourceOptions = {}): Promise<Checkpoint> {
  if (source.startsWith('hf:')) {
    if (!options.cacheDir) {
      throw new CheckpointError('invalid-source', `${source}: no model cache folder is configured for Hub downloads`, { name: source });
    }
    const got = await downloadModel(source, { ...options, cacheDir: options.cacheDir });
    const ck = await loadCheckpoint(got.dir, options);
    const endpoint = options.endpoint ?? DEFAULT_HUB_ENDPOINT;
    return { ...ck, origin: { kind: 'hub', repo: got.repo, revision: got.revision, commit: got.commit, endpoint } };
  }
  const ck = await loadCheckpoint(source, options);
  return { ...ck, origin: { kind: 'local', path: ck.dir } };
}

// ---- pairs ------------------------------------------------------------------------------------

const PAIR_FIELDS: Array<keyof ModelConfig> = [
  'architecture', 'vocabSize', 'hiddenSize', 'numLayers', 'numHeads', 'numKvHeads', 'headDim', 'intermediateSize',
];

/** token → id of a tokenizer.json: the model's vocabulary plus its added tokens. */
export function tokenizerVocab(tokenizerJson: Record<string, unknown>): Map<string, number> {
  const vocab = new Map<string, number>();
  const model = tokenizerJson.model as { vocab?: unknown } | undefined;
  const v = model?.vocab;
  if (Array.isArray(v)) {
    // Unigram: [piece, score] pairs in id order.
    v.forEach((entry, id) => vocab.set(Array.isArray(entry) ? String(entry[0]) : String(entry), id));
  } else if (v && typeof v === 'object') {
    for (const [tok, id] of Object.entries(v as Record<string, unknown>)) if (typeof id === 'number') vocab.set(tok, id);
  }
  const added = tokenizerJson.added_tokens;
  if (Array.isArray(added)) {
    for (const t of added as Array<{ content?: unknown; id?: unknown }>) {
      if (typeof t.content === 'string' && typeof t.id === 'number') vocab.set(t.content, t.id);
    }
  }
  return vocab;
}

/**
 * A pretrained / fine-tuned pair must agree on architecture, dimensions and vocabulary, or
 * activations cannot be exchanged between them. Throws `pair-mismatch` listing every difference.
 */
export function checkPair(a: Checkpoint, b: Checkpoint): void {
  const diffs: string[] = [];
  for (const f of PAIR_FIELDS) {
    if (a.config[f] !== b.config[f]) diffs.push(`${f} ${String(a.config[f])} vs ${String(b.config[f])}`);
  }
  const va = tokenizerVocab(a.tokenizerJson);
  const vb = tokenizerVocab(b.tokenizerJson);
  if (va.size !== vb.size) diffs.push(`tokenizer vocabulary of ${va.size} vs ${vb.size} tokens`);
  const differing: string[] = [];
  for (const [tok, id] of va) {
    const other = vb.get(tok);
    if (other !== id) differing.push(`${JSON.stringify(tok)} is ${id} vs ${other === undefined ? 'absent' : other}`);
  }
  for (const [tok] of vb) if (!va.has(tok)) differing.push(`${JSON.stringify(tok)} is absent vs ${vb.get(tok)}`);
  if (differing.length) {
    const shown = differing.slice(0, 5).join('; ');
    diffs.push(`${differing.length} token(s) differ: ${shown}${differing.length > 5 ? '; …' : ''}`);
  }
  if (diffs.length) {
    throw new CheckpointError(
      'pair-mismatch',
      `models ${basename(a.dir)} and ${basename(b.dir)} cannot form a pair: ${diffs.join(', ')} (${a.dir} vs ${b.dir})`,
      { path: b.dir, name: diffs[0].split(' ')[0] },
    );
  }
}
