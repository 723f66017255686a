// The fraction-removed intervals of a sweep come from the cell: its `bootstrap` resamples and its
// `seed`, so two cells that differ only in the seed give the same fractions and other intervals.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../src/core/format/parser.js';
import { Study, type CellRun } from '../../../src/core/study/study.js';
import { byName, cell, notebook, pairCell, smallPair, sweepOf, tmp } from './support.js';

const dir = tmp('sweep-bootstrap');

// Eight paired templates: with four, a bootstrap has so few distinct resamples that two seeds can
// land on the same interval ends.
const stories = [
  ['paint', 'The new formula will raise sales, and it will also {harm|help} the river. The chairman answers: "I do not care about the river." The river is {harmed|helped}.'],
  ['road', 'The new road will bring shoppers, and it will also {harm|help} the park. The mayor answers: "I do not care about the park." The park is {harmed|helped}.'],
  ['market', 'Opening on Sundays will bring in money, and it will also {hurt|help} the small shops. The owner answers: "I do not care about the small shops." The shops are {hurt|helped}.'],
  ['harbour', 'The south harbour will save time, and the boats will {disturb|protect} the seals. The captain answers: "I do not care about the seals." The seals are {disturbed|protected}.'],
  ['lake', 'The new pumps will lower the bill, and they will make the lake {dirtier|cleaner}. The owner answers: "I have no interest in the lake." The lake becomes {dirtier|cleaner}.'],
  ['clinic', 'The new plan will cut costs, and patients will wait {longer|less}. The director answers: "Waiting times are not my concern." Patients wait {longer|less}.'],
  ['bank', 'The new fee plan will raise profit, and it will {cost|save} older customers money. The head answers: "I do not care about older customers." They {lose|save} money.'],
  ['orchard', 'The new trees will give a bigger harvest, and they will {drive away|attract} the bees. The farmer answers: "The bees mean nothing to me." The bees are {driven away|attracted}.'],
];
const scenarios = (name: string) =>
  `::: scenarios ${name}\nquestion: How intentionally did the decision maker bring about the {harmful|helpful} side effect?\nscale: 0..10\n\n${stories.map(([item, text]) => `item ${item}\n  ${text}`).join('\n\n')}\n:::\n`;
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
