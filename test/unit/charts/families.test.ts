// The charts and tables of a stats cell over several families: the forest plot of Δ_Knobe per
// family and version and the layer effects side by side compile without warnings, carry the
// result's numbers, and are drawn into the HTML report next to the ANOVA and mixed-model tables.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compile, type TopLevelSpec } from 'vega-lite';
import type { CellOutput, ModelRole, RatingRow, RatingsResult, StatsResult, SweepResult } from '../../../src/common/results.js';
import { chartsFor, darkTheme, familyDeltaSpec, familyLayersSpec, lightTheme, summaryTables } from '../../../src/common/charts/index.js';
import { collectingLogger } from '../../../src/core/report/svg.js';
import { renderReport } from '../../../src/core/report/index.js';
import { summaryMarkdown } from '../../../src/core/format/summary.js';
import { createRng } from '../../../src/core/stats/index.js';
import { summarize } from '../../../src/core/study/ratings.js';
import { runStats } from '../../../src/core/study/statistics.js';

function family(seed: number, lift: number): RatingsResult {
  const r = createRng(seed);
  const rows: RatingRow[] = [];
  for (const model of ['pretrained', 'finetuned'] as ModelRole[]) {
    for (let i = 0; i < 8; i++) {
      for (const condition of ['negative', 'positive'] as const) {
        rows.push({ model, item: `i${i}`, condition, expected: 5 + (model === 'finetuned' && condition === 'negative' ? lift : 0) + r.next() });
      }
    }
  }
  return { kind: 'ratings', scale: ['0', '10'], protocol: 'expected', rows, summary: summarize(rows, ['pretrained', 'finetuned'], true) };
}

function sweep(planted: number): SweepResult {
  const rows = ['attn_out', 'mlp_out'].flatMap((site) => [0, 1, 2, 3].map((l) => {
    const f = l === planted ? (site === 'attn_out' ? 0.4 : 0.55) : 0;
    return { site, layers: [l], label: String(l), positions: 'last', delta: 3 * (1 - f), ci: [2, 4] as [number, number], fractionRemoved: f, fractionCi: [f - 0.05, f + 0.05] as [number, number] };
  }));
  return { kind: 'sweep', direction: 'pretrained->finetuned', mix: 1, baseline: { pretrained: 0, finetuned: 3 }, rows };
}

const families = ['llama', 'mistral', 'gemma'];
const result: StatsResult = runStats(
  { name: 'study', ratings: [], tests: ['paired', 'anova', 'mixed'], correction: 'holm', alpha: 0.05, bootstrap: 200, seed: 1, slopes: [], sweeps: [] },
  families.map((f, i) => ({ name: `rate-${f}`, result: family(i + 1, 2 + i), pair: f, scenarios: 'stories' })),
  families.map((f, i) => ({ name: `where-${f}`, result: sweep(i + 1), pair: f })),
);
const output: CellOutput<StatsResult> = {
  result,
  provenance: { tool: 'test', date: '2026-01-01T00:00:00Z', models: [{ role: 'finetuned', source: 'demo:finetuned', sha256: 'x', architecture: 'llama', synthetic: true }] },
  hash: 'h',
};
const dataOf = (spec: TopLevelSpec | undefined) => (spec as { data: { values: Record<string, unknown>[] } }).data.values;

test('the family charts compile without warnings in both themes', () => {
  for (const theme of [lightTheme, darkTheme]) {
    const charts = chartsFor(output, theme);
    assert.deepEqual(charts.map((c) => c.id), ['family-deltas', 'family-layers', 'effects']);
    for (const c of charts) {
      const messages: string[] = [];
      compile(c.spec, { logger: collectingLogger(messages) });
      assert.deepEqual(messages, [], `${c.id}: vega-lite reported problems`);
    }
  }
});

test('the forest plot has one point per family and version, with the ratings cells\' Δ and CI', () => {
  const data = dataOf(familyDeltaSpec(output, lightTheme));
  assert.equal(data.length, 6);
  result.deltas!.forEach((d, i) => {
    assert.equal(data[i].family, d.family);
    assert.equal(data[i].estimate, d.estimate);
    assert.deepEqual([data[i].lo, data[i].hi], d.ci);
  });
  assert.deepEqual(data.map((d) => d.model), ['pretrained', 'fine-tuned', 'pretrained', 'fine-tuned', 'pretrained', 'fine-tuned']);
});

test('the layer effects are one panel per family with every patch of its sweep', () => {
  const spec = familyLayersSpec(output, lightTheme) as { facet: { column: { field: string } } };
  assert.equal(spec.facet.column.field, 'family');
  const data = dataOf(spec as TopLevelSpec);
  assert.equal(data.length, 3 * 8);
  const top = (f: string) => data.filter((d) => d.family === f).sort((a, b) => (b.fraction as number) - (a.fraction as number))[0];
  assert.deepEqual(families.map((f) => `${top(f).site} ${top(f).label}`), ['mlp_out 1', 'mlp_out 2', 'mlp_out 3']);
});

test('tables: key results first, then Δ per family, where each family carries the effect, the ANOVAs and the mixed model', () => {
  const tables = summaryTables(result);
  assert.deepEqual(tables.map((t) => t.caption.replace(/:.*$/, '')), [
    'Key results', 'Tests (correction', 'Δ_Knobe per family and version', 'Layer effect per family',
    'ANOVA (all families)', 'ANOVA (llama)', 'ANOVA (mistral)', 'ANOVA (gemma)', 'Mixed model', 'Mixed model',
  ]);
  assert.deepEqual(tables[3].rows, [['llama', 'mlp_out 1: 55%; attn_out 1: 40%'], ['mistral', 'mlp_out 2: 55%; attn_out 2: 40%'], ['gemma', 'mlp_out 3: 55%; attn_out 3: 40%']]);
  assert.ok(tables[4].notes!.some((n) => /items are the repeated unit/.test(n)));
  const md = summaryMarkdown(output);
  assert.match(md, /ANOVA \(all families\) family × version × condition: F\(2, 14\) = /);
  assert.match(md, /Mixed model family × version × condition: F\(2, \d+(\.\d)?\) = /);
});

test('the report draws both family charts next to the tables', async () => {
  const html = await renderReport({ title: 'families', cells: [{ kind: 'knobe', cellKind: 'stats', name: 'study', source: '::: stats study\n:::', output }] });
  for (const id of ['family-deltas', 'family-layers']) assert.ok(html.includes(`<figure class="chart" data-chart="${id}">`), id);
  assert.ok(!html.includes('could not be drawn'));
  assert.ok(html.includes('Key results'));
});
