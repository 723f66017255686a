// The executor on small random checkpoints of every supported architecture (byte-level BPE, chat
// templates, sliding windows): the cells run, and their numbers agree with each other.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { LocalizationResult } from '../../../src/common/results.js';
import { parse } from '../../../src/core/format/parser.js';
import type { Architecture } from '../../../src/core/models/types.js';
import { Study } from '../../../src/core/study/study.js';
import { writeTestCheckpoint } from '../../support/checkpoints.js';
import { byName, cell, notebook, pairCell, ratingsOf, statuses, sweepOf, tmp } from './support.js';

const dir = tmp('arch');
after(() => rmSync(dir, { recursive: true, force: true }));

// Short texts: the tiny configs hold 64 positions. Answers 0..9 are one token each, so a patch
// of every prompt position fixes the whole answer distribution.
const stories = cell(
  'scenarios', 'set',
  'question: How intentionally?',
  'scale: 0..9',
  'item a', '  The chairman will {harm|help} the environment.',
  'item b', '  The program will {harm|help} the profit.',
);

const cases: [Architecture, 'raw' | 'chat'][] = [['llama', 'raw'], ['mistral', 'chat'], ['qwen2', 'raw'], ['gemma2', 'chat'], ['gpt2', 'raw']];

for (const [arch, prompt] of cases) {
  test(`${arch} (${prompt} prompts): ratings, localize and sweep run and agree`, async () => {
    const base = join(dir, arch);
    const pre = writeTestCheckpoint(join(base, 'pre'), arch, { seed: 1 });
    // "Fine-tuning" confined to the first block's MLP, as the demo pair confines its edit: the
    // final norm and unembedding are shared, so a patch of the last residual stream is exact.
    writeTestCheckpoint(join(base, 'fine'), arch, { seed: 1, editWeights: (w) => {
      const name = Object.keys(w).find((n) => /\b(layers|h)\.0\.mlp\..*weight$/.test(n))!;
      w[name].data.forEach((x, i, a) => (a[i] = x * 1.5 + 0.3 * Math.sin(i)));
    } });
    const L = pre.config.numLayers;
    const text = notebook(
      pairCell('p', './pre', './fine').replace('prompt: raw', `prompt: ${prompt}`),
      stories,
      cell('ratings', 'rate', 'scenarios: set'),
      cell('localize', 'where', 'scenarios: set', 'site: resid_post', 'positions: "the environment"'),
      cell('sweep', 'patch', 'ratings: rate', 'site: resid_post', 'layers: all', 'positions: all'),
    );
    const study = new Study({ cacheDir: join(base, 'cache'), baseDir: base });
    let runs;
    try {
      runs = await study.run(parse(text));
    } finally {
      await study.dispose();
    }
    const failures = runs.filter((r) => r.error).map((r) => `${r.name}: ${r.error!.message}`).join('\n');
    // The phrase occurs in one story only: localize reports the prompt it is missing from.
    assert.deepEqual(statuses(runs), { p: 'ok', set: 'ok', rate: 'ok', where: 'error', patch: 'ok' }, failures);
    assert.match(byName(runs).get('where')!.error!.message, /"the environment" does not occur in prompt "b \(negative\)"/);

    const rate = ratingsOf(byName(runs).get('rate'));
    assert.equal(rate.rows.length, 2 * 4);
    for (const r of rate.rows) {
      const mass = Object.values(r.distribution ?? {}).reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(mass + (r.outsideMass ?? 0) - 1) < 1e-4 || Math.abs(mass - 1) < 1e-4, `${r.model} ${r.item}: mass ${mass}`);
      assert.ok(r.expected! >= 0 && r.expected! <= 10);
    }
    const sweep = sweepOf(byName(runs).get('patch'));
    assert.equal(sweep.rows.length, L);
    // The sweep's unpatched references are the ratings cell's Δ_Knobe.
    const delta = (m: string) => rate.summary.find((s) => s.model === m)!.delta.estimate;
    assert.ok(Math.abs(sweep.baseline.finetuned - delta('finetuned')) < 1e-4, `${sweep.baseline.finetuned} vs ${delta('finetuned')}`);
    assert.ok(Math.abs(sweep.baseline.pretrained - delta('pretrained')) < 1e-4);
    // Replacing the last residual stream at every position makes the recipient the donor.
    const last = sweep.rows.find((r) => r.layers[0] === L - 1)!;
    assert.ok(Math.abs(last.delta - delta('pretrained')) < 1e-4, `patched Δ ${last.delta}`);
    if (Math.abs(delta('finetuned') - delta('pretrained')) > 1e-3) assert.ok(Math.abs(last.fractionRemoved - 1) < 1e-3, `fraction ${last.fractionRemoved}`);
    assert.deepEqual(byName(runs).get('patch')!.output!.provenance.models.map((m) => m.architecture), [arch, arch]);
  });
}

test('a phrase on byte-level tokens is found by decoding: localize reads it', async () => {
  const base = join(dir, 'phrase');
  writeTestCheckpoint(join(base, 'pre'), 'qwen2', { seed: 1 });
  writeTestCheckpoint(join(base, 'fine'), 'qwen2', { seed: 2 });
  const text = notebook(pairCell('p', './pre', './fine'), stories, cell('localize', 'where', 'scenarios: set', 'site: resid_post, mlp_out', 'positions: "will"'));
  const study = new Study({ cacheDir: join(base, 'cache'), baseDir: base });
  try {
    const runs = await study.run(parse(text));
    assert.equal(byName(runs).get('where')!.status, 'ok', byName(runs).get('where')!.error?.message);
    const loc = byName(runs).get('where')!.output!.result as LocalizationResult;
    assert.equal(loc.positions, '"will"');
    assert.equal(loc.rows.length, 2 * 2 * 2);
    assert.ok(loc.rows.every((r) => Number.isFinite(r.l2) && r.l2 >= 0));
  } finally {
    await study.dispose();
  }
});

test('checkpoints of two architectures are refused as a pair', async () => {
  const base = join(dir, 'mixed');
  writeTestCheckpoint(join(base, 'pre'), 'llama', { seed: 1 });
  writeTestCheckpoint(join(base, 'fine'), 'mistral', { seed: 1 });
  const study = new Study({ cacheDir: join(base, 'cache'), baseDir: base });
  try {
    const runs = await study.run(parse(notebook(pairCell('p', './pre', './fine'), stories, cell('ratings', 'rate', 'scenarios: set'))));
    assert.equal(byName(runs).get('p')!.error?.code, 'pair-mismatch');
    assert.match(byName(runs).get('p')!.error!.message, /llama.*mistral|mistral.*llama/);
    assert.equal(byName(runs).get('rate')!.error?.code, 'dependency-failed');
  } finally {
    await study.dispose();
  }
});
