// The stats cell over several ratings cells, on ratings built here (no models): which design each
// analysis fits and why, what a missing rating does to the ANOVA and to the mixed model, the
// tests that need a design refusing the other one, and the per-family summaries.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ModelRole, RatingRow, RatingsResult, SweepResult } from '../../../src/common/results.js';
import type { StatsSpec } from '../../../src/core/format/specs.js';
import { anovaRepeated, createRng, type Rng } from '../../../src/core/stats/index.js';
import { StudyError } from '../../../src/core/study/errors.js';
import { summarize } from '../../../src/core/study/ratings.js';
import { runStats, type StatsInput } from '../../../src/core/study/statistics.js';

function normal(r: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

/** Ratings of one family: `items` paired templates (or independent items), with a planted lift. */
function ratings(seed: number, opts: { items?: number; paired?: boolean; lift?: number; prefix?: string } = {}): RatingsResult {
  const r = createRng(seed);
  const paired = opts.paired ?? true;
  const rows: RatingRow[] = [];
  const items = opts.items ?? 10;
  const offsets = Array.from({ length: items }, () => normal(r));
  for (const model of ['pretrained', 'finetuned'] as ModelRole[]) {
    for (let i = 0; i < items; i++) {
      const conditions = paired ? (['negative', 'positive'] as const) : ([i % 2 === 0 ? 'negative' : 'positive'] as const);
      for (const condition of conditions) {
        const lift = model === 'finetuned' && condition === 'negative' ? (opts.lift ?? 2) : 0;
        rows.push({ model, item: `${opts.prefix ?? 'i'}${i}`, condition, expected: 5 + offsets[i] + lift + 0.5 * normal(r) });
      }
    }
  }
  return { kind: 'ratings', scale: ['0', '10'], protocol: 'expected', rows, summary: summarize(rows, ['pretrained', 'finetuned'], paired) };
}

const spec = (tests: StatsSpec['tests'], extra: Partial<StatsSpec> = {}): StatsSpec => ({
  name: 'st', ratings: [], tests, correction: 'holm', alpha: 0.05, bootstrap: 200, seed: 1, slopes: [], sweeps: [], ...extra,
});
const input = (name: string, result: RatingsResult, pair: string, scenarios = 'set'): StatsInput => ({ name, result, pair, scenarios });

test('families rating the same paired templates: one repeated-measures ANOVA with items as the unit, and per-family tables', () => {
  const inputs = [input('ra', ratings(1), 'llama'), input('rb', ratings(2, { lift: 3 }), 'mistral'), input('rc', ratings(3, { lift: 1 }), 'gemma')];
  const r = runStats(spec(['anova', 'mixed']), inputs);
  assert.equal(r.anova!.scope, 'all families');
  assert.match(r.anova!.design, /^repeated measures: family \(3\) × version \(2\) × condition \(2\) \(within\), 10 subjects$/);
  assert.match(r.anova!.reason!, /items are the repeated unit.*same 10 paired templates/);
  assert.deepEqual(r.familyAnovas!.map((a) => a.scope), ['llama', 'mistral', 'gemma']);
  // A family's own table is the one its ratings cell would get alone.
  assert.deepEqual(r.familyAnovas![1], runStats(spec(['anova']), [inputs[1]]).anova);
  const three = r.anova!.rows.find((x) => x.effect === 'family × version × condition')!;
  assert.ok(three.p < 0.01, `the lifts differ by family: ${three.apa}`);
  assert.ok(three.partialEta2Ci![0] < three.partialEta2 && three.partialEta2 < three.partialEta2Ci![1]);
  assert.equal(r.mixed!.formula, 'rating ~ family * version * condition + (1 | item)');
  assert.match(r.mixed!.grouping, /crossed with family/);
  assert.deepEqual(r.deltas!.map((d) => `${d.family} ${d.model}`), ['llama pretrained', 'llama finetuned', 'mistral pretrained', 'mistral finetuned', 'gemma pretrained', 'gemma finetuned']);
});

test('independent items: condition between items, family and version within', () => {
  const inputs = [input('ra', ratings(4, { paired: false, items: 16 }), 'p1'), input('rb', ratings(5, { paired: false, items: 16 }), 'p2')];
  const r = runStats(spec(['anova', 'mixed']), inputs);
  assert.match(r.anova!.design, /^mixed: condition \(2, between\) × family \(2\) × version \(2\) \(within\), 16 subjects$/);
  assert.match(r.anova!.reason!, /condition between/);
  assert.ok(r.mixed!.terms.some((t) => t.term === 'family × version × condition'));
});

test('families rating different scenarios: family varies between items; with independent items only the mixed model can fit', () => {
  const paired = [input('ra', ratings(6), 'p1', 'set-a'), input('rb', ratings(7, { prefix: 'j' }), 'p2', 'set-b')];
  const a = runStats(spec(['anova', 'mixed']), paired);
  assert.match(a.anova!.design, /^mixed: family \(2, between\) × version \(2\) × condition \(2\) \(within\), 20 subjects$/);
  assert.match(a.anova!.reason!, /different scenarios/);
  assert.match(a.mixed!.grouping, /each family's items \(20 in all\)/);
  const independent = [input('ra', ratings(8, { paired: false, items: 12 }), 'p1', 'set-a'), input('rb', ratings(9, { paired: false, items: 12 }), 'p2', 'set-b')];
  const b = runStats(spec(['anova', 'mixed']), independent);
  assert.equal(b.anova!.design, 'not fitted');
  assert.equal(b.anova!.rows.length, 0);
  assert.match(b.anova!.reason!, /family and condition both vary between items.*mixed model/);
  assert.ok(b.mixed!.terms.length === 7);
});

test('a missing rating drops its item from the ANOVA, which says so, and only that rating from the mixed model', () => {
  const a = ratings(10);
  const hole = a.rows.findIndex((r) => r.model === 'finetuned' && r.item === 'i3' && r.condition === 'positive');
  a.rows[hole] = { ...a.rows[hole], expected: undefined, sampledMean: Number.NaN };
  const r = runStats(spec(['anova', 'mixed']), [input('ra', a, 'p1'), input('rb', ratings(11), 'p2')]);
  assert.match(r.anova!.design, /9 subjects/);
  assert.match(r.anova!.reason!, /1 item\(s\) with a missing rating left out \(i3\)/);
  assert.equal(r.mixed!.n, 2 * 40 - 1);
  assert.match(r.mixed!.notes.join(' '), /1 rating\(s\) without a value left out/);
  // The ANOVA equals a repeated-measures ANOVA without that item.
  const family = runStats(spec(['anova']), [input('ra', a, 'p1')]).anova!;
  const kept = a.rows.filter((x) => x.item !== 'i3');
  const direct = anovaRepeated({ y: kept.map((x) => x.expected!), subject: kept.map((x) => x.item), within: { version: kept.map((x) => x.model), condition: kept.map((x) => x.condition) } });
  assert.deepEqual(family.rows.map((x) => x.F), direct.rows.map((x) => x.F));
});

test('tests that need one design refuse the other, naming the cell and what to use instead', () => {
  const independent = [input('ind', ratings(12, { paired: false }), 'p1')];
  const paired = [input('par', ratings(13), 'p1')];
  const refuses = (fn: () => unknown, names: RegExp, hint: RegExp) =>
    assert.throws(fn, (e: unknown) => e instanceof StudyError && e.code === 'bad-cell' && names.test(e.message) && hint.test(e.hint ?? ''));
  refuses(() => runStats(spec(['wilcoxon']), independent), /Wilcoxon.*`ind` rates independent items/, /mann-whitney/);
  refuses(() => runStats(spec(['mann-whitney']), paired), /Mann–Whitney.*`par` rates paired templates/, /wilcoxon/);
  refuses(() => runStats(spec(['mixed'], { slopes: ['condition'] }), independent), /slope of condition needs paired templates/, /within items/);
  refuses(() => runStats(spec(['mixed'], { slopes: ['family'] }), paired), /slope of family needs several families/, /within items/);
});

test('per-model tests carry the adjusted p in their APA lines; equivalence and rank tests sit beside the t-tests', () => {
  const r = runStats(spec(['paired', 'wilcoxon', 'tost'], { equivalence: { low: -0.5, high: 0.5, unit: 'raw' } }), [input('ra', ratings(14), 'p1')]);
  assert.deepEqual(r.tests.map((t) => t.name), [
    'ra · pretrained: paired t', 'ra · pretrained: Wilcoxon signed-rank', 'ra · pretrained: TOST paired',
    'ra · finetuned: paired t', 'ra · finetuned: Wilcoxon signed-rank', 'ra · finetuned: TOST paired',
  ]);
  for (const t of r.tests) assert.match(t.apa, /p [<=>] \.\d{3}, p_Holm [<=>] \.\d{3}/, t.name);
  const tost = r.tests.find((t) => t.name === 'ra · finetuned: TOST paired')!;
  assert.match(tost.apa, /not inside the bounds/);
});

test('layer effects of the named sweeps are gathered per family', () => {
  const sweep = (layer: number): SweepResult => ({
    kind: 'sweep', direction: 'pretrained->finetuned', mix: 1, baseline: { pretrained: 0, finetuned: 2 },
    rows: [0, 1, 2].map((l) => ({ site: 'mlp_out', layers: [l], label: String(l), positions: 'last', delta: l === layer ? 0.5 : 2, ci: [0, 3] as [number, number], fractionRemoved: l === layer ? 0.75 : 0, fractionCi: [0, 1] as [number, number] })),
  });
  const r = runStats(spec(['welch']), [input('ra', ratings(15), 'llama'), input('rb', ratings(16), 'gemma')], [
    { name: 'wa', result: sweep(1), pair: 'llama' }, { name: 'wb', result: sweep(2), pair: 'gemma' },
  ]);
  assert.deepEqual(r.layers!.filter((l) => l.fractionRemoved > 0.5).map((l) => `${l.family} ${l.cell} ${l.label}`), ['llama wa 1', 'gemma wb 2']);
});
