// Every chart spec compiles with vega-lite without a single warning, and its inline data carries
// the fixture's numbers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, type TopLevelSpec } from 'vega-lite';
import {
  chartsFor,
  darkTheme,
  effectsSpec,
  layerEffectSpec,
  lightTheme,
  localizationSpec,
  positionHeatmapSpec,
  ratingsSpec,
  SYNTHETIC_SUBTITLE,
} from '../../../src/common/charts/index.js';
import { collectingLogger } from '../../../src/core/report/svg.js';
import type { CellOutput } from '../../../src/common/results.js';
import { fixtures } from './fixtures.js';

type Datum = Record<string, unknown>;
const dataOf = (spec: TopLevelSpec | undefined): Datum[] => (spec as { data: { values: Datum[] } }).data.values;
const subtitleOf = (spec: TopLevelSpec | undefined): string[] => (spec as { title: { subtitle?: string[] } }).title.subtitle ?? [];
const close = (a: unknown, b: number, what: string) => assert.ok(typeof a === 'number' && Math.abs(a - b) < 1e-12, `${what}: ${a} ≠ ${b}`);

function compilesClean(name: string, spec: TopLevelSpec | undefined) {
  assert.ok(spec, `${name}: no spec`);
  const messages: string[] = [];
  compile(spec, { logger: collectingLogger(messages) });
  assert.deepEqual(messages, [], `${name}: vega-lite reported problems`);
}

for (const [themeName, theme] of [['light', lightTheme], ['dark', darkTheme]] as const) {
  for (const [fixture, output] of Object.entries(fixtures)) {
    test(`${fixture} charts compile without warnings (${themeName})`, () => {
      const charts = chartsFor(output as CellOutput, theme);
      assert.ok(charts.length >= 1, `${fixture} gave no chart`);
      for (const c of charts) compilesClean(`${fixture}/${c.id}`, c.spec);
    });
  }
  test(`theme ${themeName} sets the background and text colour`, () => {
    const spec = ratingsSpec(fixtures.ratings, theme) as { config: { background: string; axis: { labelColor: string } } };
    assert.equal(spec.config.background, theme.background);
    assert.equal(spec.config.axis.labelColor, theme.foreground);
  });
}

test('chartsFor picks the charts of each kind', () => {
  const ids = (o: CellOutput) => chartsFor(o, lightTheme).map((c) => c.id);
  assert.deepEqual(ids(fixtures.ratings), ['ratings']);
  assert.deepEqual(ids(fixtures.localization), ['localization']);
  assert.deepEqual(ids(fixtures.sweep), ['layer-effect']);
  assert.deepEqual(ids(fixtures.positions), ['position-heatmap']);
  assert.deepEqual(ids(fixtures.stats), ['effects']);
});

test('layer-effect data: one datum per patch row with its Δ, CI and fraction removed', () => {
  const data = dataOf(layerEffectSpec(fixtures.sweep, lightTheme));
  const patches = data.filter((d) => d.type === 'patch');
  assert.equal(patches.length, fixtures.sweep.result.rows.length);
  fixtures.sweep.result.rows.forEach((row, i) => {
    const d = patches[i];
    assert.equal(d.site, row.site);
    assert.equal(d.label, row.label);
    close(d.delta, row.delta, 'delta');
    close(d.lo, row.ci[0], 'ci low');
    close(d.hi, row.ci[1], 'ci high');
    close(d.fraction, row.fractionRemoved, 'fraction');
  });
});

test('layer-effect reference lines carry both unpatched Δ, in every panel', () => {
  const refs = dataOf(layerEffectSpec(fixtures.sweep, lightTheme)).filter((d) => d.type === 'ref');
  const { baseline } = fixtures.sweep.result;
  assert.equal(refs.length, 2 * 3);
  for (const site of ['resid_post', 'attn_out', 'mlp_out']) {
    close(refs.find((r) => r.site === site && r.model === 'finetuned')?.y, baseline.finetuned, `${site} fine-tuned`);
    close(refs.find((r) => r.site === site && r.model === 'pretrained')?.y, baseline.pretrained, `${site} pretrained`);
  }
  assert.ok(refs.some((r) => r.text === 'fine-tuned Δ 2.61'));
  assert.ok(refs.some((r) => r.text === 'pretrained Δ 0.18'));
});

test('layer-effect highlights exactly the smallest set', () => {
  const highlighted = dataOf(layerEffectSpec(fixtures.sweep, lightTheme)).filter((d) => d.smallest).map((d) => `${d.site} ${d.label}`);
  assert.deepEqual(highlighted, ['mlp_out 6', 'mlp_out 7']);
  assert.ok(subtitleOf(layerEffectSpec(fixtures.sweep, lightTheme)).some((s) => s.includes('smallest set: mlp_out 6+7 removes 96% (target 90%)')));
});

test('layer-effect x axis keeps the sweep order, not the alphabetical one', () => {
  const spec = layerEffectSpec(fixtures.sweep, lightTheme) as { spec: { layer: { encoding: { x?: { sort: string[] } } }[] } };
  assert.deepEqual(spec.spec.layer[0].encoding.x?.sort, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']);
});

test('layer-effect of window and set sweeps', () => {
  const base = fixtures.sweep.result;
  const rows = [
    { ...base.rows[0], layers: [3, 5], label: '3+5' },
    { ...base.rows[1], layers: [6, 7], label: '6+7' },
  ];
  const spec = layerEffectSpec({ ...fixtures.sweep, result: { ...base, rows, smallest: undefined } }, lightTheme);
  compilesClean('sets', spec);
  // Sets are drawn with error bars: a band would join unrelated sets.
  const layers = (spec as { spec: { layer: { mark: { type: string } }[] } }).spec.layer.map((l) => l.mark.type);
  assert.equal(layers[0], 'rule');
  assert.ok(!layers.includes('line'));
});

test('position heatmap: one cell per (layer, position) with its fraction removed', () => {
  const data = dataOf(positionHeatmapSpec(fixtures.positions, lightTheme));
  assert.equal(data.length, 12 * 7);
  const row = fixtures.positions.result.rows.find((r) => r.layers[0] === 8 && r.position === 6)!;
  const d = data.find((x) => x.label === '8' && x.position === 6)!;
  close(d.fraction, row.fractionRemoved, 'fraction at layer 8, position 6');
  close(d.delta, row.delta, 'delta at layer 8, position 6');
});

test('ratings data: every vignette at its expected value, and the condition means with CIs', () => {
  const data = dataOf(ratingsSpec(fixtures.ratings, lightTheme));
  const items = data.filter((d) => d.type === 'item');
  assert.equal(items.length, 96);
  fixtures.ratings.result.rows.forEach((row, i) => {
    assert.equal(items[i].item, row.item);
    close(items[i].rating, row.expected!, `${row.model} ${row.item} ${row.condition}`);
    close(items[i].sampled, row.sampledMean!, 'sampled mean');
  });
  for (const s of fixtures.ratings.result.summary) {
    for (const c of ['negative', 'positive'] as const) {
      const m = data.find((d) => d.type === 'mean' && d.model === s.model && d.condition === c)!;
      close(m.mean, s[c].mean, `${s.model} ${c} mean`);
      close(m.lo, s[c].ci[0], `${s.model} ${c} ci`);
      close(m.hi, s[c].ci[1], `${s.model} ${c} ci`);
    }
  }
});

test('ratings panels announce Δ_Knobe with its CI', () => {
  const panels = new Set(dataOf(ratingsSpec(fixtures.ratings, lightTheme)).map((d) => d.panel));
  assert.deepEqual([...panels], ['pretrained · Δ = 0.09 [−0.48, 0.67]', 'fine-tuned · Δ = 2.42 [1.96, 2.88]']);
});

test('ratings jitter is deterministic and stays inside its band', () => {
  const a = dataOf(ratingsSpec(fixtures.ratings, lightTheme)).filter((d) => d.type === 'item').map((d) => d.jitter as number);
  const b = dataOf(ratingsSpec(fixtures.ratings, darkTheme)).filter((d) => d.type === 'item').map((d) => d.jitter as number);
  assert.deepEqual(a, b);
  assert.ok(a.every((j) => j >= -0.5 && j < 0.5));
  const group = dataOf(ratingsSpec(fixtures.ratings, lightTheme)).filter((d) => d.type === 'item' && d.model === 'finetuned' && d.condition === 'negative');
  assert.equal(new Set(group.map((d) => d.jitter)).size, 24, 'points of one group must not share an offset');
});

test('ratings y axis spans the answer scale', () => {
  const spec = ratingsSpec(fixtures.ratings, lightTheme) as { spec: { layer: { encoding: { y: { scale: { domain: number[] } } } }[] } };
  assert.deepEqual(spec.spec.layer[0].encoding.y.scale.domain, [0, 10]);
});

test('ratings of the sampled protocol are drawn at the sampled mean', () => {
  const rows = fixtures.ratings.result.rows.map(({ expected: _e, distribution: _d, ...r }) => r);
  const spec = ratingsSpec({ ...fixtures.ratings, result: { ...fixtures.ratings.result, protocol: 'sample', rows } }, lightTheme);
  compilesClean('sampled', spec);
  close(dataOf(spec).find((d) => d.type === 'item')?.rating, rows[0].sampledMean!, 'first sampled rating');
});

test('localization data: one cell per model and layer with l2 and cosine', () => {
  const data = dataOf(localizationSpec(fixtures.localization, lightTheme));
  assert.equal(data.length, 24);
  for (const row of fixtures.localization.result.rows) {
    const d = data.find((x) => x.model === row.model && x.layer === row.layer)!;
    close(d.l2, row.l2, `l2 ${row.model} ${row.layer}`);
    close(d.cosine, row.cosine, `cosine ${row.model} ${row.layer}`);
  }
});

test('localization with several sites labels rows by model and site', () => {
  const rows = fixtures.localization.result.rows.flatMap((r) => [r, { ...r, site: 'mlp_out', l2: r.l2 / 2 }]);
  const spec = localizationSpec({ ...fixtures.localization, result: { ...fixtures.localization.result, rows } }, lightTheme);
  compilesClean('two sites', spec);
  assert.deepEqual([...new Set(dataOf(spec).map((d) => d.row))].sort(), ['fine-tuned · mlp_out', 'fine-tuned · resid_post', 'pretrained · mlp_out', 'pretrained · resid_post']);
});

test('effect sizes: one point per test that reports an effect', () => {
  const data = dataOf(effectsSpec(fixtures.stats, lightTheme));
  assert.equal(data.length, 3);
  fixtures.stats.result.tests.forEach((t, i) => {
    close(data[i].value, t.effect!.value, `${t.name} effect`);
    close(data[i].lo, t.effect!.ci![0], `${t.name} ci`);
  });
  assert.equal(effectsSpec({ ...fixtures.stats, result: { ...fixtures.stats.result, tests: [] } }, lightTheme), undefined);
});

test('results of the demo pair say so; others do not', () => {
  for (const o of [fixtures.sweep, fixtures.localization, fixtures.positions] as CellOutput[]) {
    for (const c of chartsFor(o, lightTheme)) assert.ok(subtitleOf(c.spec).includes(SYNTHETIC_SUBTITLE), `${c.id} lacks the synthetic subtitle`);
  }
  for (const o of [fixtures.ratings, fixtures.stats] as CellOutput[]) {
    for (const c of chartsFor(o, lightTheme)) assert.ok(!subtitleOf(c.spec).includes(SYNTHETIC_SUBTITLE), `${c.id} claims to be synthetic`);
  }
});

test('empty results give no chart', () => {
  assert.deepEqual(chartsFor({ ...fixtures.sweep, result: { ...fixtures.sweep.result, rows: [] } } as CellOutput, lightTheme), []);
  assert.deepEqual(chartsFor({ ...fixtures.localization, result: { ...fixtures.localization.result, rows: [] } } as CellOutput, lightTheme), []);
});

test('a reverse sweep names the pretrained model as the recipient', () => {
  const spec = layerEffectSpec({ ...fixtures.sweep, result: { ...fixtures.sweep.result, direction: 'finetuned->pretrained' } }, lightTheme);
  compilesClean('reverse', spec);
  assert.equal((spec as { title: { text: string } }).title.text, 'Δ_Knobe of the pretrained model with fine-tuned activations patched in');
});

test('a scale of words gets a free y axis', () => {
  const result = { ...fixtures.ratings.result, scale: ['Yes', 'No'], protocol: 'choice' as const };
  const spec = ratingsSpec({ ...fixtures.ratings, result }, lightTheme);
  compilesClean('choice', spec);
  const y = (spec as { spec: { layer: { encoding: { y: { scale: unknown } } }[] } }).spec.layer[0].encoding.y.scale;
  assert.deepEqual(y, { zero: false });
});
