// Δ_Knobe is defined wherever it is reported: which mean minus which, in what units, what its sign
// means. A reader of a summary, a table, the report or the docs never has to guess.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { summaryTables } from '../../../src/common/charts/index.js';
import { summaryMarkdown } from '../../../src/core/format/summary.js';
import { renderReport } from '../../../src/core/report/index.js';
import { fixtures } from '../charts/fixtures.js';
import { studyNotebook } from '../../fixtures/results/notebook.js';

const DEFINITION = /Δ_Knobe = mean rating of the negative-side-effect vignettes − mean rating of the positive ones, in scale points; positive when harm is judged more intentional/;

for (const kind of ['ratings', 'sweep', 'stats'] as const) {
  test(`the ${kind} summary and tables define Δ_Knobe`, () => {
    assert.match(summaryMarkdown(fixtures[kind]), DEFINITION);
    const notes = summaryTables(fixtures[kind].result).flatMap((t) => t.notes ?? []);
    assert.ok(notes.some((n) => DEFINITION.test(n)), notes.join('\n'));
  });
}

test('the HTML report and the format docs define Δ_Knobe', async () => {
  assert.match(await renderReport(studyNotebook()), DEFINITION);
  assert.match(readFileSync('docs/format.md', 'utf8').replace(/\s+/g, ' '), DEFINITION);
});
