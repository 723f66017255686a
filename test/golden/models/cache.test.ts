// The on-disk cache of converted graphs: a second open converts nothing (counted by the loader's
// own progress events) and gives identical results; a damaged entry is rebuilt; the key follows
// the checkpoint's content and the precision; a cancelled conversion leaves nothing behind; the
// weights sit page-aligned beside each model file so onnxruntime can map them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { loadCheckpoint, type Checkpoint } from '../../../src/core/models/checkpoint.js';
import { makeBatch, type LoadProgress, type Precision } from '../../../src/core/models/model.js';
import { GRAPH_FORMAT_VERSION, graphCacheKey } from '../../../src/core/models/graph-cache.js';
import { prepareModel } from '../../../src/core/models/prepare.js';
import { writeTestCheckpoint } from '../../support/checkpoints.js';

const root = mkdtempSync(join(tmpdir(), 'knobe-graph-cache-'));
after(() => rmSync(root, { recursive: true, force: true }));

const batch = makeBatch([[3, 14, 15, 92, 65], [35, 89]]);
let folders = 0;

async function checkpoint(seed = 1, arch: 'llama' | 'gpt2' = 'llama'): Promise<Checkpoint> {
  const dir = join(root, `ckpt-${folders++}`);
  writeTestCheckpoint(dir, arch, { seed, dtype: 'BF16' });
  return loadCheckpoint(dir);
}

/** Prepares, runs the batch and disposes; returns the logits, the cache entry and the events. */
async function open(ck: Checkpoint, cacheDir: string | undefined, precision: Precision = 'int8') {
  const events: LoadProgress[] = [];
  const model = await prepareModel(ck, { precision, cacheDir, threads: 1, onProgress: (p) => events.push(p) });
  try {
    const { logits } = await model.run(batch, { logitsAt: 'all' });
    return { logits: logits.data, cache: model.graphCache, weightBytes: model.weightBytes, conversions: events.filter((e) => e.stage === 'convert').length, events };
  } finally {
    await model.dispose();
  }
}

test('the second prepare converts nothing and gives the same logits as the first and as in memory', async () => {
  const ck = await checkpoint();
  const cacheDir = join(root, 'second');
  const first = await open(ck, cacheDir);
  const second = await open(ck, cacheDir);
  const inMemory = await open(ck, undefined);
  assert.equal(first.cache?.hit, false);
  assert.ok(first.conversions > ck.config.numLayers, `first open converts every slice (${first.conversions} events)`);
  assert.equal(second.cache?.hit, true);
  assert.equal(second.conversions, 0);
  assert.equal(second.cache?.dir, first.cache?.dir);
  assert.deepEqual(second.logits, first.logits);
  assert.deepEqual(inMemory.logits, first.logits);
  assert.equal(inMemory.cache, undefined);
  assert.equal(second.weightBytes, first.weightBytes);
  assert.equal(inMemory.weightBytes, first.weightBytes);
  assert.ok(second.events.some((e) => e.stage === 'load' && e.done === e.total));
});

const damages: [string, (dir: string) => void, RegExp][] = [
  ['a missing model file', (dir) => rmSync(join(dir, 'mlp_1.onnx')), /mlp_1\.onnx is missing/],
  ['a truncated weights file', (dir) => truncateSync(join(dir, 'attention_0.weights'), 100), /attention_0\.weights holds 100 bytes/],
  ['a changed model file', (dir) => writeFileSync(join(dir, 'head.onnx'), 'not a model'), /head\.onnx (holds|has changed)/],
  ['an unreadable manifest', (dir) => writeFileSync(join(dir, 'manifest.json'), '{'), /manifest\.json cannot be read/],
  ['no manifest (an interrupted copy)', (dir) => rmSync(join(dir, 'manifest.json')), /manifest\.json cannot be read/],
];

for (const [what, damage, reason] of damages) {
  test(`an entry with ${what} is rebuilt, not crashed on`, async () => {
    const ck = await checkpoint();
    const cacheDir = join(root, `damage-${folders}`);
    const good = await open(ck, cacheDir);
    damage(good.cache!.dir);
    const rebuilt = await open(ck, cacheDir);
    assert.equal(rebuilt.cache?.hit, false);
    assert.ok(rebuilt.events.some((e) => e.stage === 'convert' && reason.test(e.message ?? '')), rebuilt.events.map((e) => e.message).join(' | '));
    assert.deepEqual(rebuilt.logits, good.logits);
    const again = await open(ck, cacheDir);
    assert.equal(again.cache?.hit, true, 'the rebuilt entry is intact');
  });
}

test("the key changes with the precision and the checkpoint's content, not with its folder", async () => {
  const ck = await checkpoint(1);
  const cacheDir = join(root, 'keys');
  const dirs = new Map<string, string>();
  for (const precision of ['fp32', 'int8', 'int4'] as const) dirs.set(precision, (await open(ck, cacheDir, precision)).cache!.dir);
  assert.equal(new Set(dirs.values()).size, 3);

  const moved = join(root, 'moved');
  cpSync(ck.dir, moved, { recursive: true });
  const same = await open(await loadCheckpoint(moved), cacheDir);
  assert.equal(same.cache?.dir, dirs.get('int8'));
  assert.equal(same.cache?.hit, true);

  const other = await open(await checkpoint(2), cacheDir);
  assert.notEqual(other.cache?.dir, dirs.get('int8'));
  assert.equal(other.cache?.hit, false);
});

test('a cancelled conversion leaves neither an entry nor a temporary folder', async () => {
  const ck = await checkpoint(3);
  const cacheDir = join(root, 'cancel');
  const stop = new AbortController();
  await assert.rejects(
    prepareModel(ck, { precision: 'int4', cacheDir, signal: stop.signal, onProgress: (p) => p.stage === 'convert' && p.done === 2 && stop.abort() }),
    (e: Error) => e.name === 'AbortError' && /converting the model was cancelled/.test(e.message),
  );
  assert.deepEqual(readdirSync(join(cacheDir, 'graphs')), []);
  const done = await open(ck, cacheDir, 'int4');
  assert.equal(done.cache?.hit, false);
});

test('each slice is a model file with its weights beside it at page-aligned offsets', async () => {
  const ck = await checkpoint(4, 'gpt2');
  const { cache } = await open(ck, join(root, 'layout'), 'int4');
  const manifest = JSON.parse(readFileSync(join(cache!.dir, 'manifest.json'), 'utf8')) as { slices: { name: string; model: string; weights: string }[] };
  assert.deepEqual(manifest.slices.map((s) => s.name), ['embed', 'attention_0', 'mlp_0', 'attention_1', 'mlp_1', 'norm', 'head']);
  let external = 0;
  for (const s of manifest.slices) {
    const model = onnxProto.onnx.ModelProto.decode(readFileSync(join(cache!.dir, s.model)));
    for (const t of model.graph!.initializer!) {
      if (t.dataLocation !== onnxProto.onnx.TensorProto.DataLocation.EXTERNAL) continue;
      const field = (k: string) => t.externalData!.find((e) => e.key === k)?.value;
      assert.equal(field('location'), s.weights);
      assert.equal(Number(field('offset')) % 4096, 0, `${s.name}: ${t.name} at ${field('offset')}`);
      assert.ok(Number(field('offset')) + Number(field('length')) <= statSync(join(cache!.dir, s.weights)).size);
      external++;
    }
  }
  assert.ok(external >= 2 * ck.config.numLayers, `${external} external tensors`);
});

test('a cache folder that cannot be written costs only converting in memory', async () => {
  const ck = await checkpoint(5);
  const blocked = join(root, 'a-file');
  writeFileSync(blocked, 'a file where the cache folder would be');
  const got = await open(ck, blocked);
  assert.equal(got.cache, undefined);
  assert.ok(got.events.some((e) => /the converted graphs cannot be cached \(.*ENOTDIR/.test(e.message ?? '')));
  assert.deepEqual(got.logits, (await open(ck, undefined)).logits);
});

test('every part of the key changes it: content, precision, quantization, tool and format versions', () => {
  const base = { checkpoint: 'a'.repeat(64), precision: 'int8' as Precision, tool: '0.1.0', format: GRAPH_FORMAT_VERSION };
  const keys = [
    base,
    { ...base, checkpoint: 'b'.repeat(64) },
    { ...base, precision: 'fp16' as Precision },
    { ...base, quantization: { bits: 8 as const, blockSize: 64, symmetric: true, accuracyLevel: 4 as const, outlierColumns: 8 } },
    { ...base, tool: '0.2.0' },
    { ...base, format: GRAPH_FORMAT_VERSION + 1 },
  ].map(graphCacheKey);
  assert.equal(new Set(keys).size, keys.length);
  assert.equal(graphCacheKey({ ...base }), keys[0]);
});
