// The tutorial end to end, headless, on the demo pair: the planted ground truth comes back, the
// results written into the notebook decode to what the run returned, unchanged cells are reused
// (from the file alone once the cache is gone), and the Hub token never lands anywhere.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalizationResult, StatsResult } from '../../../src/common/results.js';
import { runCommand } from '../../../src/cli/main.js';
import { parse } from '../../../src/core/format/parser.js';
import { ensureDemoPair, type DemoPair } from '../../../src/core/models/demo/index.js';
import { Study, type CellRun } from '../../../src/core/study/study.js';
import { byName, filesUnder, outputsIn, ratingsOf, read, statuses, sweepOf, tmp, topLayer, withoutOutputs } from './support.js';

const TOKEN = 'hf_secretTOKEN0123456789abcdef';
const dir = tmp('tutorial');
const cache = join(dir, 'cache');
const file = join(dir, 'tutorial.knobe');
const original = readFileSync('examples/tutorial.knobe', 'utf8');
let demo: DemoPair;
let runs: CellRun[];
let code: number;
let written: string;
// What a result is as data: keys holding undefined do not exist once written.

before(async () => {
  copyFileSync('examples/tutorial.knobe', file);
  // The CLI hands HF_TOKEN to the model host; the pair is local (demo), so it must go nowhere.
  const saved = process.env.HF_TOKEN;
  process.env.HF_TOKEN = TOKEN;
  try {
    ({ code, runs } = await runCommand({ command: 'run', file, json: true, force: false, cache }, () => {}));
  } finally {
    if (saved === undefined) delete process.env.HF_TOKEN;
    else process.env.HF_TOKEN = saved;
  }
  written = read(file);
  demo = ensureDemoPair(cache);
});

after(() => rmSync(dir, { recursive: true, force: true }));

test('every tutorial cell runs', () => {
  assert.equal(code, 0, runs.filter((r) => r.error).map((r) => `${r.name}: ${r.error!.message}`).join('\n'));
  assert.deepEqual(statuses(runs), { demo: 'ok', basics: 'ok', baseline: 'ok', sampled: 'ok', care: 'ok', single: 'ok', pairs: 'ok', blend: 'ok', induce: 'ok', smallest: 'ok', summary: 'ok' });
});

test('the fine-tuned model shows the planted bias and the pretrained one does not', () => {
  const [pre, fine] = ratingsOf(byName(runs).get('baseline')).summary;
  assert.equal(pre.model, 'pretrained');
  assert.ok(Math.abs(pre.delta.estimate) < 0.3, `pretrained Δ = ${pre.delta.estimate}`);
  assert.ok(fine.delta.estimate > 1, `fine-tuned Δ = ${fine.delta.estimate}`);
  assert.ok(fine.delta.ci[0] > 0, 'the fine-tuned CI excludes zero');
  for (const s of ratingsOf(byName(runs).get('sampled')).summary) assert.ok(s.parseRate! > 0, `${s.model} parse rate`);
});

test('the single-layer sweep finds the edited layers of the manifest', () => {
  const single = sweepOf(byName(runs).get('single'));
  const edit = (site: string) => demo.manifest.edits.filter((e) => e.site === site).map((e) => e.layer);
  assert.deepEqual(edit('attn'), [4]);
  assert.deepEqual(edit('mlp'), [5]);
  assert.deepEqual(topLayer(single, 'attn_out'), edit('attn'));
  assert.deepEqual(topLayer(single, 'mlp_out'), edit('mlp'));
  // Clearly: the edited layer removes a real share, no other layer of its site removes any.
  for (const [site, layer] of [['attn_out', 4], ['mlp_out', 5]] as const) {
    for (const r of single.rows.filter((x) => x.site === site)) {
      if (r.layers[0] === layer) assert.ok(r.fractionRemoved > 0.2, `${site} ${layer}: ${r.fractionRemoved}`);
      else assert.ok(Math.abs(r.fractionRemoved) < 0.05, `${site} ${r.layers[0]}: ${r.fractionRemoved}`);
    }
  }
  // Below the first edit the residual stream carries no bias to remove; from it on it all does.
  const resid = (l: number) => single.rows.find((r) => r.site === 'resid_post' && r.layers[0] === l)!.fractionRemoved;
  assert.ok(Math.abs(resid(2)) < 0.1 && resid(6) > 0.9, `resid_post 2: ${resid(2)}, 6: ${resid(6)}`);
  // The sweep's unpatched reference lines are the ratings cell's Δ_Knobe.
  const [pre, fine] = ratingsOf(byName(runs).get('baseline')).summary;
  assert.ok(Math.abs(single.baseline.finetuned - fine.delta.estimate) < 1e-4 && Math.abs(single.baseline.pretrained - pre.delta.estimate) < 1e-4);
  // Reversed, the donor is the fine-tuned model: its top layers induce the bias in the pretrained one.
  const induce = sweepOf(byName(runs).get('induce'));
  assert.equal(induce.direction, 'finetuned->pretrained');
  assert.ok(induce.rows.some((r) => r.delta > 1), 'patching fine-tuned activations induces the bias');
  const smallest = sweepOf(byName(runs).get('smallest')).smallest!;
  assert.ok(smallest.fractionRemoved >= 0.9 && smallest.layers.length >= 1);
});

test('localization at a phrase reads the tokens of "do not care" in every story', () => {
  const loc = byName(runs).get('care')!.output!.result as LocalizationResult;
  assert.equal(loc.positions, '"do not care"');
  assert.equal(loc.rows.length, 2 * 2 * demo.manifest.shape.layers);
  // Both models compute the same function below the first edited layer, and differ from it on.
  const first = Math.min(...demo.manifest.editedLayers);
  const at = (model: string, site: string, l: number) => loc.rows.find((r) => r.model === model && r.site === site && r.layer === l)!.l2;
  for (const site of ['resid_post', 'mlp_out']) {
    for (let l = 0; l < first; l++) assert.ok(Math.abs(at('pretrained', site, l) - at('finetuned', site, l)) < 1e-5, `${site} ${l}`);
  }
  assert.ok(at('finetuned', 'resid_post', demo.manifest.shape.layers - 1) > at('pretrained', 'resid_post', demo.manifest.shape.layers - 1));
});

test('results written into the notebook decode to the results the run returned', () => {
  assert.equal(withoutOutputs(written), original, 'outside the output blocks the file is unchanged');
  const outputs = outputsIn(written);
  for (const r of runs) {
    if (r.kind === 'pair' || r.kind === 'scenarios') {
      assert.equal(outputs.get(r.name), undefined, `${r.name} has no output block`);
      continue;
    }
    assert.deepEqual(outputs.get(r.name), r.output, r.name);
  }
  const stats = outputs.get('summary')!.result as StatsResult;
  assert.ok(stats.tests.every((t) => t.pAdjusted !== undefined || !Number.isFinite(t.p)));
  // A parsed-and-printed round trip changes nothing.
  assert.equal(parse(written).text, written);
});

test('the Hub token lands neither in the notebook nor in the cache', () => {
  assert.ok(!written.includes(TOKEN));
  const files = filesUnder(cache);
  assert.ok(files.filter((f) => f.startsWith(join(cache, 'results'))).length >= 9, 'the cache holds the results');
  for (const f of files) assert.ok(!readFileSync(f).includes(TOKEN), f);
  assert.ok(!readFileSync(file).includes('hf_secret'));
});

test('re-running the unchanged notebook reuses every result, also from the file alone', async () => {
  for (const clearCache of [false, true]) {
    if (clearCache) rmSync(join(cache, 'results'), { recursive: true, force: true });
    const study = new Study({ cacheDir: cache, baseDir: dir });
    try {
      const again = await study.run(parse(written));
      for (const r of again) {
        assert.equal(r.status, r.kind === 'pair' || r.kind === 'scenarios' ? 'ok' : 'cached', `${r.name} (cache cleared: ${clearCache})`);
        if (r.output) assert.deepEqual(r.output, byName(runs).get(r.name)!.output);
      }
    } finally {
      await study.dispose();
    }
  }
});
