// Statistics that are undefined for the data (a bootstrap line has no p-value; a fraction removed
// has no interval when both models have the same Δ) are NaN when computed and `null` once stored in
// a file. Both must render: as a dash in tables, and the report must still be written.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellOutput, StatsResult, SweepResult } from '../../../src/common/results.js';
import { summaryTables } from '../../../src/common/charts/index.js';
import { decodeOutputBlock } from '../../../src/core/format/printer.js';
import { renderOutputBlock } from '../../../src/core/format/output.js';
import { renderReport } from '../../../src/core/report/index.js';
import { fixtures } from '../charts/fixtures.js';

function withUndefined(): [CellOutput<StatsResult>, CellOutput<SweepResult>] {
  const stats = structuredClone(fixtures.stats);
  stats.result.tests[0] = { ...stats.result.tests[0], p: Number.NaN, pAdjusted: Number.NaN };
  const sweep = structuredClone(fixtures.sweep);
  sweep.result.rows[0] = { ...sweep.result.rows[0], fractionRemoved: Number.NaN, fractionCi: [Number.NaN, Number.NaN] };
  return [stats, sweep];
}

/** Through an output block and back, as a saved notebook holds it. */
function stored<T extends CellOutput>(output: T): T {
  const back = decodeOutputBlock(renderOutputBlock('cell', output));
  assert.ok('output' in back, 'the block decodes');
  return back.output as T;
}

test('undefined statistics show as a dash, computed (NaN) or read back from a file (null)', () => {
  for (const [stats, sweep] of [withUndefined(), withUndefined().map(stored) as [CellOutput<StatsResult>, CellOutput<SweepResult>]]) {
    const statsRows = summaryTables(stats.result).flatMap((t) => t.rows);
    assert.ok(statsRows.some((r) => r.includes('–')), 'the p-value cell is a dash');
    const sweepRows = summaryTables(sweep.result).flatMap((t) => t.rows);
    assert.ok(sweepRows[0].some((c) => c.includes('–')), 'the fraction cell is a dash');
    assert.ok(!sweepRows.flat().some((c) => /NaN|null/.test(c)));
  }
});

test('a report of results read back with nulls is written', async () => {
  const [stats, sweep] = withUndefined().map(stored) as [CellOutput<StatsResult>, CellOutput<SweepResult>];
  const html = await renderReport({
    title: 'nulls',
    cells: [
      { kind: 'knobe', cellKind: 'stats', name: 's', source: '::: stats s\n:::', output: stats },
      { kind: 'knobe', cellKind: 'sweep', name: 'w', source: '::: sweep w\n:::', output: sweep },
    ],
  });
  assert.match(html, /<svg/);
  assert.doesNotMatch(html, />\s*(NaN|null)\s*</);
});
