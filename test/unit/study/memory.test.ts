// Memory planned, not hoped for: weight bytes per precision, the precision `auto` picks, the
// error a pair that cannot fit gets before anything loads, and a sweep under a budget that holds
// one model at a time with the same numbers as the unconstrained run.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parseConfig } from '../../../src/core/models/config.js';
import { parse } from '../../../src/core/format/parser.js';
import { precisionsFor, weightBytes as estimateWeightBytes } from '../../../src/core/models/precision.js';
import { parseMemory, planPrecision } from '../../../src/core/study/memory.js';
import { Study } from '../../../src/core/study/study.js';
import { byName, cell, notebook, pairCell, scenarios, smallPair, statuses, sweepOf, tmp } from './support.js';

const GiB = 1024 ** 3;
// Llama-3.1-8B's shape (config.json fields as published).
const llama8b = parseConfig({
  architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: 128256, hidden_size: 4096, intermediate_size: 14336,
  num_hidden_layers: 32, num_attention_heads: 32, num_key_value_heads: 8, max_position_embeddings: 131072, rms_norm_eps: 1e-5,
  rope_theta: 500000, tie_word_embeddings: false,
  rope_scaling: { rope_type: 'llama3', factor: 8, low_freq_factor: 1, high_freq_factor: 4, original_max_position_embeddings: 8192 },
});

test('weight bytes per precision of an 8B model', () => {
  // 8.03 billion parameters.
  const fp32 = estimateWeightBytes(llama8b, 'fp32');
  assert.ok(Math.abs(fp32 / 4 - 8.03e9) < 0.01e9, `${fp32 / 4}`);
  assert.equal(estimateWeightBytes(llama8b, 'bf16'), estimateWeightBytes(llama8b, 'fp16'));
  assert.ok(estimateWeightBytes(llama8b, 'fp16') < fp32 / 1.99);
  const int8 = estimateWeightBytes(llama8b, 'int8');
  const int4 = estimateWeightBytes(llama8b, 'int4');
  // Blocks of 32 weights with an fp32 scale each (and int4's zero points), plus the outlier columns allowed.
  assert.ok(int8 > 8 * GiB && int8 < 9 * GiB, `${int8 / GiB}`);
  assert.ok(int4 > 4.5 * GiB && int4 < int8 * 0.6, `${int4 / GiB}`);
});

test('memory budgets are read with their units', () => {
  const cases: [string, number | undefined][] = [['12G', 12 * GiB], ['12GiB', 12 * GiB], ['800M', 800 * 1024 ** 2], ['1.5g', 1.5 * GiB], ['4096', 4096], ['twelve', undefined], ['0', undefined], ['-3G', undefined]];
  for (const [text, want] of cases) assert.equal(parseMemory(text), want, text);
});

test('auto takes fp32 when one model fits, on a GPU fp16, else the widest quantized precision that fits', () => {
  const cpu = precisionsFor('cpu');
  const pick = (budget: number, device = 'cpu', computes: readonly ('fp32' | 'fp16' | 'bf16' | 'int8' | 'int4')[] = cpu) => {
    const p = planPrecision(llama8b, 'auto', budget, device, computes);
    return 'error' in p ? p.error : p.precision;
  };
  assert.equal(pick(64 * GiB), 'fp32');
  assert.equal(pick(64 * GiB, 'cuda', ['fp32', 'fp16', 'bf16', 'int8', 'int4']), 'fp16');
  assert.equal(pick(20 * GiB), 'int8');
  assert.equal(pick(6 * GiB), 'int4');
  assert.match(pick(2 * GiB), /even at int4/);
});

test('a precision that does not fit, or that the device does not compute, is refused with what would work', () => {
  const tooBig = planPrecision(llama8b, 'fp32', 12 * GiB, 'cpu', precisionsFor('cpu'));
  assert.ok('error' in tooBig);
  assert.match(tooBig.error, /fp32 one model needs 29\.9 GiB.*budget of 12\.0 GiB/);
  assert.match(tooBig.hint, /int8 needs 8\.\d GiB and fits: write `precision: int8`/);
  const noBf16 = planPrecision(llama8b, 'bf16', 64 * GiB, 'cpu', precisionsFor('cpu'));
  assert.ok('error' in noBf16);
  assert.match(noBf16.error, /cpu does not compute in bf16/);
  assert.match(noBf16.hint, /CUDA/);
});

const dir = tmp('memory');
after(() => rmSync(dir, { recursive: true, force: true }));
const pair = smallPair(join(dir, 'pair'), [{ layer: 2, site: 'attn' }, { layer: 3, site: 'mlp' }]);
const text = notebook(
  pairCell('p', pair.pretrained, pair.finetuned),
  scenarios('s'),
  cell('ratings', 'r', 'scenarios: s', 'pair: p'),
  cell('sweep', 'w', 'ratings: r', 'site: attn_out, mlp_out', 'positions: last'),
);

test('under a budget of one model a sweep never holds both models, and its numbers equal the unconstrained run', async () => {
  const free = new Study({ cacheDir: join(dir, 'c1'), baseDir: dir });
  const freeRuns = byName(await free.run(parse(text)));
  const oneModel = free.pool.stats.peakBytes / 2;
  assert.equal(free.pool.stats.peakModels, 2);
  await free.dispose();

  const tight = new Study({ cacheDir: join(dir, 'c2'), baseDir: dir, memoryBudget: Math.floor(oneModel * 1.5) });
  const tightRuns = await tight.run(parse(text));
  assert.deepEqual(statuses(tightRuns), { p: 'ok', s: 'ok', r: 'ok', w: 'ok' });
  assert.equal(tight.pool.stats.peakModels, 1);
  assert.ok(tight.pool.stats.peakBytes <= oneModel, `${tight.pool.stats.peakBytes} ≤ ${oneModel}`);
  // Ratings load each model once; the sweep's donor pass, then its recipient pass: four loads.
  assert.equal(tight.pool.stats.loads, 4);
  assert.match(byName(tightRuns).get('p')!.note!, /loaded one at a time/);
  const a = sweepOf(freeRuns.get('w'));
  const b = sweepOf(byName(tightRuns).get('w'));
  assert.deepEqual(b.rows, a.rows);
  assert.deepEqual(b.baseline, a.baseline);
  await tight.dispose();
});

test('a pair that cannot fit fails before any model loads, naming what it needs', async () => {
  const study = new Study({ cacheDir: join(dir, 'c3'), baseDir: dir, memoryBudget: 1024 });
  const runs = byName(await study.run(parse(text)));
  const p = runs.get('p')!;
  assert.equal(p.status, 'error');
  assert.equal(p.error?.code, 'memory');
  assert.match(p.error!.message, /even at int4/);
  assert.equal(runs.get('w')!.status, 'error');
  assert.equal(study.pool.stats.loads, 0);
  await study.dispose();
});
