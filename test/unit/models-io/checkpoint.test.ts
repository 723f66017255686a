import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync, utimesSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checkPair, expectedWeights, loadCheckpoint, type Checkpoint } from '../../../src/core/models/checkpoint.js';
import { parseConfig } from '../../../src/core/models/config.js';
import { CheckpointError, type CheckpointErrorCode } from '../../../src/core/models/errors.js';
import { sha256File } from '../../../src/core/models/hash.js';
import { writeSafetensors } from '../../../src/core/models/safetensors.js';
import { SUPPORTED_ARCHITECTURES } from '../../../src/core/models/types.js';
import { byteLevelBpeTokenizer, writeTestCheckpoint } from '../../support/checkpoints.js';
import { checkpointError } from '../../support/errors.js';

const root = mkdtempSync(join(tmpdir(), 'knobe-ckpt-'));
let n = 0;
const fresh = (): string => join(root, `c${n++}`);

async function expectError(p: Promise<unknown> | (() => unknown), code: CheckpointErrorCode, ...mentions: string[]): Promise<void> {
  const run = typeof p === 'function' ? async () => p() : () => p;
  await assert.rejects(run, checkpointError(code, ...mentions));
}

test('expected weights: names and shapes per architecture', () => {
  const names = (json: Record<string, unknown>) => expectedWeights(parseConfig(json)).map((w) => `${w.name} [${w.shape}]${w.optional ? '?' : ''}`);
  const llama = { model_type: 'llama', vocab_size: 10, hidden_size: 8, num_hidden_layers: 1, num_attention_heads: 4, num_key_value_heads: 2, intermediate_size: 12, bos_token_id: 1, eos_token_id: 2 };
  assert.deepEqual(names(llama), [
    'model.embed_tokens.weight [10,8]',
    'model.layers.0.input_layernorm.weight [8]',
    'model.layers.0.self_attn.q_proj.weight [8,8]',
    'model.layers.0.self_attn.k_proj.weight [4,8]',
    'model.layers.0.self_attn.v_proj.weight [4,8]',
    'model.layers.0.self_attn.o_proj.weight [8,8]',
    'model.layers.0.post_attention_layernorm.weight [8]',
    'model.layers.0.mlp.gate_proj.weight [12,8]',
    'model.layers.0.mlp.up_proj.weight [12,8]',
    'model.layers.0.mlp.down_proj.weight [8,12]',
    'model.norm.weight [8]',
    'lm_head.weight [10,8]',
  ]);
  const qwen = names({ ...llama, model_type: 'qwen2', tie_word_embeddings: true });
  assert.ok(qwen.includes('model.layers.0.self_attn.k_proj.bias [4]'));
  assert.ok(qwen.includes('lm_head.weight [10,8]?'));
  const gemma = names({ ...llama, model_type: 'gemma2', head_dim: 6 });
  assert.ok(gemma.includes('model.layers.0.self_attn.q_proj.weight [24,8]'));
  assert.ok(gemma.includes('model.layers.0.self_attn.o_proj.weight [8,24]'));
  assert.ok(gemma.includes('model.layers.0.pre_feedforward_layernorm.weight [8]'));
  assert.ok(gemma.includes('model.layers.0.post_feedforward_layernorm.weight [8]'));
  const gpt2 = names({ model_type: 'gpt2', vocab_size: 10, n_embd: 8, n_layer: 1, n_head: 2, n_positions: 5, bos_token_id: 1, eos_token_id: 1 });
  assert.deepEqual(gpt2.slice(0, 2), ['wte.weight [10,8]', 'wpe.weight [5,8]']);
  assert.ok(gpt2.includes('h.0.attn.c_attn.weight [8,24]'));
  assert.ok(gpt2.includes('h.0.mlp.c_fc.weight [8,32]'));
  assert.ok(gpt2.includes('h.0.mlp.c_proj.weight [32,8]'));
  assert.equal(gpt2.at(-1), 'lm_head.weight [10,8]?');
});

test('a tiny checkpoint of every architecture loads with its weights intact', async () => {
  for (const arch of SUPPORTED_ARCHITECTURES) {
    const written = writeTestCheckpoint(fresh(), arch, { seed: 3 });
    const ck = await loadCheckpoint(written.dir);
    assert.equal(ck.config.architecture, arch);
    assert.equal(ck.dir, written.dir);
    assert.match(ck.sha256, /^[0-9a-f]{64}$/);
    assert.deepEqual(ck.files, ['config.json', 'model.safetensors', 'tokenizer.json', 'tokenizer_config.json']);
    assert.deepEqual(ck.weights.names().sort(), Object.keys(written.weights).sort());
    for (const name of ck.weights.names()) assert.deepEqual(ck.weights.get(name), written.weights[name], `${arch} ${name}`);
    assert.equal(ck.tokenizerConfig.eos_token, '<|eos|>');
    assert.equal((ck.tokenizerJson.model as { type: string }).type, 'BPE');
  }
});

test('the content hash depends on content only', async () => {
  const a = await loadCheckpoint(writeTestCheckpoint(fresh(), 'llama', { seed: 5 }).dir);
  const b = await loadCheckpoint(writeTestCheckpoint(fresh(), 'llama', { seed: 5 }).dir);
  const c = await loadCheckpoint(writeTestCheckpoint(fresh(), 'llama', { seed: 6 }).dir);
  assert.equal(a.sha256, b.sha256);
  assert.notEqual(a.sha256, c.sha256);
  // An edit of one file changes the hash even though the cached digest was remembered.
  const tc = join(b.dir, 'tokenizer_config.json');
  writeFileSync(tc, readFileSync(tc, 'utf8').replace('"model_max_length": 64', '"model_max_length": 65'));
  const later = new Date(statSync(tc).mtimeMs + 5000);
  utimesSync(tc, later, later);
  assert.notEqual((await loadCheckpoint(b.dir)).sha256, a.sha256);
  assert.equal((await loadCheckpoint(b.dir, { hash: false })).sha256, '');
});

test('sha256File is the digest of the bytes', async () => {
  const f = join(root, 'abc.txt');
  writeFileSync(f, 'abc');
  assert.equal(await sha256File(f), 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
});

test('sharded and reduced-precision checkpoints load the same tensors', async () => {
  const single = writeTestCheckpoint(fresh(), 'qwen2', { seed: 9 });
  const sharded = await loadCheckpoint(writeTestCheckpoint(fresh(), 'qwen2', { seed: 9, shards: 3 }).dir);
  assert.deepEqual(sharded.files.slice(0, 5), ['config.json', 'model.safetensors.index.json',
    'model-00001-of-00003.safetensors', 'model-00002-of-00003.safetensors', 'model-00003-of-00003.safetensors']);
  for (const name of sharded.weights.names()) assert.deepEqual(sharded.weights.get(name), single.weights[name]);

  for (const [dtype, tol] of [['BF16', 2 ** -8], ['F16', 2 ** -11]] as const) {
    const ck = await loadCheckpoint(writeTestCheckpoint(fresh(), 'gemma2', { seed: 9, dtype }).dir);
    const want = writeTestCheckpoint(fresh(), 'gemma2', { seed: 9 }).weights['model.layers.1.mlp.up_proj.weight'].data;
    const got = ck.weights.get('model.layers.1.mlp.up_proj.weight').data;
    assert.equal(ck.weights.info('model.layers.1.mlp.up_proj.weight').dtype, dtype);
    let worst = 0;
    for (let i = 0; i < want.length; i++) worst = Math.max(worst, Math.abs(got[i] - want[i]) / Math.max(Math.abs(want[i]), 2 ** -14));
    assert.ok(worst <= tol && worst > 0, `${dtype} relative error ${worst}`);
  }
});

test('GPT-2 checkpoints saved with the transformer. prefix load', async () => {
  const dir = fresh();
  writeTestCheckpoint(dir, 'gpt2', {
    editWeights: (w) => {
      for (const k of Object.keys(w)) {
        w[`transformer.${k}`] = w[k];
        delete w[k];
      }
    },
  });
  const ck = await loadCheckpoint(dir);
  assert.ok(ck.weights.has('transformer.h.1.attn.c_attn.weight'));
});

test('tensors the config does not use are listed, not silently ignored', async () => {
  // A checkpoint of three layers whose config asks for two, plus a stray tensor.
  const dir = fresh();
  const deep = writeTestCheckpoint(dir, 'llama', { seed: 4, configOverrides: { num_hidden_layers: 3 }, editWeights: (w) => (w['model.extra.scale'] = w['model.norm.weight']) });
  writeFileSync(join(dir, 'config.json'), readFileSync(join(dir, 'config.json'), 'utf8').replace('"num_hidden_layers": 3', '"num_hidden_layers": 2'));
  const ck = await loadCheckpoint(dir);
  assert.equal(ck.config.numLayers, 2);
  const layer2 = Object.keys(deep.weights).filter((n) => n.startsWith('model.layers.2.')).sort();
  assert.ok(layer2.length > 0);
  assert.deepEqual(ck.unusedTensors, [...layer2, 'model.extra.scale'].sort());
  assert.match(ck.warnings.join('\n'), new RegExp(`${layer2.length + 1} tensors.*config\\.json does not use.*layer 2.*num_hidden_layers is 2.*model\\.extra\\.scale`));
  // Every architecture's own test checkpoint uses all its tensors.
  for (const arch of SUPPORTED_ARCHITECTURES) {
    const clean = await loadCheckpoint(writeTestCheckpoint(fresh(), arch, { seed: 3 }).dir);
    assert.deepEqual([clean.unusedTensors, clean.warnings], [[], []], arch);
  }
});

test('a damaged or inconsistent checkpoint is an error naming the culprit', async () => {
  const dirOf = (edit: (dir: string) => void, arch: 'llama' | 'gpt2' = 'llama', shards = 1): string => {
    const dir = fresh();
    writeTestCheckpoint(dir, arch, { shards });
    edit(dir);
    return dir;
  };
  await expectError(loadCheckpoint(join(root, 'absent')), 'missing-file', 'absent', 'not found');
  await expectError(loadCheckpoint(dirOf((d) => rmSync(join(d, 'config.json')))), 'missing-file', 'config.json');
  await expectError(loadCheckpoint(dirOf((d) => rmSync(join(d, 'tokenizer.json')))), 'missing-file', 'tokenizer.json');
  await expectError(loadCheckpoint(dirOf((d) => {
    rmSync(join(d, 'model.safetensors'));
    writeFileSync(join(d, 'pytorch_model.bin'), 'x');
  })), 'missing-file', 'model.safetensors', 'pytorch_model.bin');
  await expectError(loadCheckpoint(dirOf((d) => writeFileSync(join(d, 'config.json'), '{"model_type": "mamba"}'))),
    'unsupported-architecture', 'mamba', 'config.json');
  await expectError(loadCheckpoint(dirOf((d) => writeFileSync(join(d, 'tokenizer.json'), '{"model": '))), 'tokenizer-error', 'tokenizer.json');
  await expectError(loadCheckpoint(dirOf((d) => writeFileSync(join(d, 'tokenizer_config.json'), '[]'))), 'tokenizer-error', 'tokenizer_config.json');
  await expectError(loadCheckpoint(dirOf((d) => {
    const f = join(d, 'model.safetensors');
    truncateSync(f, statSync(f).size - 10);
  })), 'corrupt-safetensors', 'model.safetensors', 'truncated', '"lm_head.weight"');
  await expectError(loadCheckpoint(dirOf((d) => {
    const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    writeFileSync(join(d, 'config.json'), JSON.stringify({ ...cfg, intermediate_size: 20 }));
  })), 'shape-mismatch', '"model.layers.0.mlp.gate_proj.weight"', '[24, 16]', '[20, 16]');
  await expectError(loadCheckpoint(dirOf((d) => {
    const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    writeFileSync(join(d, 'config.json'), JSON.stringify({ ...cfg, num_hidden_layers: 4 }));
  })), 'missing-tensor', '"model.layers.3.input_layernorm.weight"');
  await expectError(loadCheckpoint(dirOf((d) => {
    const cfg = JSON.parse(readFileSync(join(d, 'config.json'), 'utf8'));
    writeFileSync(join(d, 'config.json'), JSON.stringify({ ...cfg, n_positions: 32 }));
  }, 'gpt2')), 'shape-mismatch', '"wpe.weight"');
  // An untied Llama needs its lm_head.
  const noHead = fresh();
  writeTestCheckpoint(noHead, 'llama', { editWeights: (w) => delete w['lm_head.weight'] });
  await expectError(loadCheckpoint(noHead), 'missing-tensor', '"lm_head.weight"');
  // An integer tensor where a weight belongs.
  const intDir = fresh();
  writeTestCheckpoint(intDir, 'llama');
  const header = { 'model.norm.weight': { dtype: 'I32', shape: [16], data_offsets: [0, 64] } };
  const h = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(h.length));
  const ck = await loadCheckpoint(intDir, { hash: false });
  const others = Object.fromEntries(ck.weights.names().filter((x) => x !== 'model.norm.weight').map((x) => [x, ck.weights.get(x)]));
  writeSafetensors(join(intDir, 'others.safetensors'), others);
  writeFileSync(join(intDir, 'norm.safetensors'), Buffer.concat([len, h, Buffer.alloc(64)]));
  rmSync(join(intDir, 'model.safetensors'));
  const weightMap = Object.fromEntries([...Object.keys(others).map((x) => [x, 'others.safetensors']), ['model.norm.weight', 'norm.safetensors']]);
  writeFileSync(join(intDir, 'model.safetensors.index.json'), JSON.stringify({ weight_map: weightMap }));
  await expectError(loadCheckpoint(intDir), 'unsupported-dtype', '"model.norm.weight"', 'I32');
  // Shard problems.
  await expectError(loadCheckpoint(dirOf((d) => rmSync(join(d, 'model-00002-of-00002.safetensors')), 'llama', 2)),
    'missing-file', 'model-00002-of-00002.safetensors');
  await expectError(loadCheckpoint(dirOf((d) => {
    const f = join(d, 'model.safetensors.index.json');
    const idx = JSON.parse(readFileSync(f, 'utf8'));
    idx.weight_map['model.norm.weight'] = 'model-00001-of-00002.safetensors';
    writeFileSync(f, JSON.stringify(idx));
  }, 'llama', 2)), 'corrupt-safetensors', 'model-00001-of-00002.safetensors', '"model.norm.weight"');
  await expectError(loadCheckpoint(dirOf((d) => writeFileSync(join(d, 'model.safetensors.index.json'), '{"weight_map": 3}'), 'llama', 2)),
    'corrupt-safetensors', 'weight_map');
  await expectError(loadCheckpoint(dirOf((d) => writeFileSync(join(d, 'model.safetensors.index.json'), '{"weight_map": {"x": "../y"}}'), 'llama', 2)),
    'corrupt-safetensors', '"x"');
});

test('a pair must share architecture, dimensions and vocabulary', async () => {
  const load = async (arch: 'llama' | 'mistral', opts: Parameters<typeof writeTestCheckpoint>[2] = {}): Promise<Checkpoint> =>
    loadCheckpoint(writeTestCheckpoint(fresh(), arch, opts).dir, { hash: false });
  const pre = await load('llama', { seed: 1 });
  const fine = await load('llama', { seed: 2 });
  checkPair(pre, fine);
  await expectError(async () => checkPair(pre, await load('mistral')), 'pair-mismatch', 'architecture llama vs mistral', pre.dir);
  await expectError(async () => checkPair(pre, await load('llama', { configOverrides: { intermediate_size: 32 } })), 'pair-mismatch', 'intermediateSize 24 vs 32');
  const other = byteLevelBpeTokenizer({ bos: '<|bos|>', words: [' the', ' chairman', ' said', ' harm', ' help', ' environment', ' intentionally', ' program', ' profit', ' How', ' did', ' on', ' a', ' scale', ' from', ' to', ' Answer', ':', ' The', ' he', ' will', ' nut'] });
  await expectError(async () => checkPair(pre, await load('llama', { tokenizerJson: other })), 'pair-mismatch', '"Ġnot" is', '"Ġnut" is absent');
});
