// examples/paper.knobe end to end, as `npm run demo` runs it: three demo families planted at
// different layers. Each family shows the bias in its fine-tuned model only, the stats cell fits
// the family × version × condition design with items as the repeated unit, and the report shows,
// per family, the planted layers as the patches that remove the most of Δ_Knobe.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { copyFileSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsResult } from '../../../src/common/results.js';
import { runCommand } from '../../../src/cli/main.js';
import { parse } from '../../../src/core/format/parser.js';
import { cellByName, knobeCells, wordText } from '../../../src/core/format/nodes.js';
import { pairSpec } from '../../../src/core/format/specs.js';
import type { CellRun } from '../../../src/core/study/study.js';
import { demoOptions } from '../../../src/core/study/models.js';
import { byName, ratingsOf, tmp } from './support.js';

const dir = tmp('paper');
const file = join(dir, 'paper.knobe');
const report = join(dir, 'paper.html');
let runs: Map<string, CellRun>;
let code: number;
let html: string;

before(async () => {
  copyFileSync('examples/paper.knobe', file);
  let all: CellRun[];
  ({ code, runs: all } = await runCommand({ command: 'run', file, report, json: true, force: false, cache: join(dir, 'cache') }, () => {}));
  runs = byName(all);
  html = readFileSync(report, 'utf8');
});
after(() => rmSync(dir, { recursive: true, force: true }));

/** Each family's planted edits, read from its pair cell as the study reads them. */
function planted(): Map<string, string[]> {
  const doc = parse(readFileSync('examples/paper.knobe', 'utf8'));
  return new Map(knobeCells(doc).filter((c) => c.kind === 'pair').map((c) => {
    const spec = pairSpec(doc, cellByName(doc, wordText(c.name)!)!);
    return [spec.name, demoOptions(spec).edits.map((e) => `${e.site}_out ${e.layer}`).sort()];
  }));
}

test('every cell runs', () => {
  assert.equal(code, 0, [...runs.values()].filter((r) => r.error).map((r) => `${r.name}: ${r.error!.message}`).join('\n'));
});

test('the three families are planted at different layers, and each shows the bias in its fine-tuned model only', () => {
  const plants = planted();
  assert.deepEqual([...plants.keys()], ['llama', 'mistral', 'gemma']);
  assert.equal(new Set([...plants.values()].map((p) => p.join())).size, 3);
  for (const f of plants.keys()) {
    const [pre, fine] = ratingsOf(runs.get(`rate-${f}`)).summary;
    assert.ok(Math.abs(pre.delta.estimate) < 0.3, `${f}: pretrained Δ ${pre.delta.estimate}`);
    assert.ok(fine.delta.estimate > 1 && fine.delta.ci[0] > 0, `${f}: fine-tuned Δ ${fine.delta.estimate} [${fine.delta.ci}]`);
  }
});

test("the stats cell recovers each family's planted layers as its largest patch effects", () => {
  const stats = runs.get('study')!.output!.result as StatsResult;
  for (const [family, edits] of planted()) {
    const top = stats.layers!.filter((l) => l.family === family).sort((a, b) => b.fractionRemoved - a.fractionRemoved).slice(0, edits.length);
    assert.deepEqual(top.map((l) => `${l.site} ${l.label}`).sort(), edits, family);
    // What stays below the planted layers is no effect at all.
    const rest = stats.layers!.filter((l) => l.family === family && !edits.includes(`${l.site} ${l.label}`));
    assert.ok(rest.every((l) => l.fractionRemoved < 0.05), `${family}: ${rest.map((l) => `${l.site} ${l.label} ${l.fractionRemoved}`).join(', ')}`);
  }
});

test('the analysis fits family × version × condition with items as the repeated unit, and the mixed model beside it', () => {
  const stats = runs.get('study')!.output!.result as StatsResult;
  assert.equal(stats.anova!.scope, 'all families');
  assert.match(stats.anova!.reason!, /items are the repeated unit/);
  const three = stats.anova!.rows.find((r) => r.effect === 'family × version × condition')!;
  assert.match(three.apa!, /^F\(2, 14\) = /);
  assert.deepEqual(stats.familyAnovas!.map((a) => a.scope), ['llama', 'mistral', 'gemma']);
  assert.equal(stats.mixed!.formula, 'rating ~ family * version * condition + (1 | item)');
  assert.equal(stats.mixed!.dfMethod, 'Satterthwaite');
  // No effect in the pretrained models, shown by equivalence; an effect in every fine-tuned one.
  for (const t of stats.tests.filter((x) => /TOST/.test(x.name))) {
    if (/pretrained/.test(t.name)) assert.ok(t.pAdjusted! < 0.05, t.apa);
    else assert.match(t.apa, /not inside the bounds/);
  }
});

test('the report shows Δ_Knobe per family and version, the ANOVA line and the planted layers per family, side by side', () => {
  for (const chart of ['family-deltas', 'family-layers']) assert.ok(html.includes(`data-chart="${chart}"`), `chart ${chart}`);
  const stats = runs.get('study')!.output!.result as StatsResult;
  const three = stats.anova!.rows.find((r) => r.effect === 'family × version × condition')!;
  const apa = three.apa!.replace(/</g, '&lt;').replace(/>/g, '&gt;');
  assert.ok(html.includes(apa), `the ANOVA line ${three.apa}`);
  const table = html.slice(html.indexOf('Layer effect per family: the patches'));
  for (const [family, edits] of planted()) {
    const row = new RegExp(`<t[hd][^>]*>${family}</t[hd]><td>([^<]*)</td>`).exec(table);
    assert.ok(row, `a row for ${family}`);
    const named = row[1].split('; ').map((s) => s.replace(/:.*/, '')).slice(0, edits.length).sort();
    assert.deepEqual(named, edits, `${family}: ${row[1]}`);
  }
});
