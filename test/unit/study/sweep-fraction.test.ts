// The fraction of Δ_Knobe a patch removes is undefined in one documented case only — the two
// models' Δ coincide, so there is nothing to remove — and has no interval when a condition has a
// single item. Those say why; any other failure (a non-finite rating) stops the cell.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsError } from '../../../src/core/stats/index.js';
import { fraction } from '../../../src/core/study/sweep.js';
import type { SweepResult } from '../../../src/common/results.js';
import { summaryTables } from '../../../src/common/charts/index.js';
import { summaryMarkdown } from '../../../src/core/format/summary.js';

const conditions = ['negative', 'negative', 'negative', 'positive', 'positive', 'positive'];
const unpatched = [6, 7, 8, 3, 4, 5];
const donor = [5, 5.5, 5, 4.5, 5, 5.5];
const patched = [5.5, 6, 6.5, 4, 4.5, 5];
const boot = { replicates: 200, seed: 1 };
// Independent items: every vignette is an item of its own.
const items = ['a', 'b', 'c', 'd', 'e', 'f'];

test('a regular patch gets its fraction and a bootstrap interval, no reason', () => {
  const f = fraction(items, conditions, unpatched, patched, donor, boot);
  // (Δ_unpatched − Δ_patched) / (Δ_unpatched − Δ_donor) = (3 − 1.5) / (3 − 1/6)
  assert.ok(Math.abs(f.fraction - 9 / 17) < 1e-9, String(f.fraction));
  assert.ok(f.ci[0] < f.fraction && f.fraction < f.ci[1], JSON.stringify(f.ci));
  assert.equal(f.reason, undefined);
});

test('when the two models have the same Δ_Knobe the fraction is undefined, and says why', () => {
  const f = fraction(items, conditions, unpatched, patched, unpatched.map((x) => x + 1), boot);
  assert.ok(Number.isNaN(f.fraction));
  assert.deepEqual(f.ci, [Number.NaN, Number.NaN]);
  assert.match(f.reason ?? '', /Δ_Knobe.*coincide/);
});

test('one item per condition: the fraction stands, without an interval, and says why', () => {
  const f = fraction(['a', 'b'], ['negative', 'positive'], [6, 3], [5, 4], [5, 5], boot);
  assert.equal(f.fraction, 2 / 3);
  assert.deepEqual(f.ci, [Number.NaN, Number.NaN]);
  assert.match(f.reason ?? '', /one negative and one positive|single item|at least 2/);
});

test('a non-finite rating is an error, not an undefined interval', () => {
  const broken = [...patched];
  broken[4] = Number.NaN;
  assert.throws(() => fraction(items, conditions, unpatched, broken, donor, boot), (e: unknown) => e instanceof StatsError && e.code === 'non-finite');
});

test('the reason is shown with the sweep\'s summary and table', () => {
  const result: SweepResult = {
    kind: 'sweep', direction: 'pretrained->finetuned', mix: 1, baseline: { pretrained: 1, finetuned: 1 },
    rows: [{ site: 'resid_post', layers: [0], label: '0', positions: 'last', delta: 1, ci: [0, 2], fractionRemoved: Number.NaN, fractionCi: [Number.NaN, Number.NaN] }],
    fractionNote: 'the two models\' Δ_Knobe coincide (1.0000): there is no effect for a patch to remove',
  };
  const provenance = { tool: 't', date: 'd', models: [] };
  assert.match(summaryMarkdown({ hash: 'h', provenance, result }), /Fraction removed: the two models' Δ_Knobe coincide/);
  assert.ok(summaryTables(result)[0].notes!.some((n) => /coincide/.test(n)));
});
