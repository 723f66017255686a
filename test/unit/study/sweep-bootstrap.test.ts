// The fraction-removed intervals of a sweep come from the cell: its `bootstrap` resamples and its
// `seed`, so two cells that differ only in the seed give the same fractions and other intervals.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../src/core/format/parser.js';
import { Study, type CellRun } from '../../../src/core/study/study.js';
import { byName, cell, notebook, pairCell, scenarios, smallPair, sweepOf, tmp } from './support.js';

const dir = tmp('sweep-bootstrap');
let runs: Map<string, CellRun>;

before(async () => {
  smallPair(join(dir, 'pair'), [{ layer: 2, site: 'attn' }]);
  // Half the donor activation at the planted layer: a partial effect whose interval has width.
  const sweep = (name: string, ...keys: string[]) => cell('sweep', name, 'ratings: rate', 'site: attn_out', 'layers: 1..3', 'positions: last', 'mix: 0.5', ...keys);
  const study = new Study({ cacheDir: join(dir, 'cache'), baseDir: dir });
  try {
    runs = byName(await study.run(parse(notebook(
      pairCell('p', './pair/pretrained', './pair/finetuned'),
      scenarios('set'),
      cell('ratings', 'rate', 'scenarios: set'),
      sweep('plain'),
      sweep('seed1', 'bootstrap: 1000', 'seed: 1'),
      sweep('seed2', 'seed: 2'),
      sweep('few', 'bootstrap: 40', 'seed: 2'),
    ))));
  } finally {
    await study.dispose();
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('the defaults are 1000 resamples and seed 1, as documented', () => {
  for (const n of ['plain', 'seed1', 'seed2', 'few']) assert.equal(runs.get(n)!.status, 'ok', `${n}: ${runs.get(n)!.error?.message}`);
  assert.deepEqual(sweepOf(runs.get('plain')).rows, sweepOf(runs.get('seed1')).rows);
});

test('another seed or resample count changes the intervals, not the fractions', () => {
  const [a, b, c] = ['seed1', 'seed2', 'few'].map((n) => sweepOf(runs.get(n)).rows);
  assert.deepEqual(a.map((r) => r.fractionRemoved), b.map((r) => r.fractionRemoved));
  const planted = (rows: typeof a) => rows.find((r) => r.layers[0] === 2)!.fractionCi;
  assert.notDeepEqual(planted(a), planted(b));
  assert.notDeepEqual(planted(b), planted(c));
});
