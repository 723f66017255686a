// Every way a study can fail gives an error that names the problem and says what to do, on the
// cell at fault; cells that need a failed cell report `dependency-failed` and run nothing.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../src/core/format/parser.js';
import { StudyError } from '../../../src/core/study/errors.js';
import { Study, type CellRun } from '../../../src/core/study/study.js';
import { cell, notebook, pairCell, scenarios, smallPair, tmp } from './support.js';

const dir = tmp('failures');
const cache = join(dir, 'cache');
before(() => {
  smallPair(join(dir, 'pair'), [{ layer: 2, site: 'attn' }]);
  smallPair(join(dir, 'wide'), [{ layer: 2, site: 'attn' }], { hidden: 48 });
  smallPair(join(dir, 'deep'), [{ layer: 2, site: 'attn' }], { layers: 5 });
});
after(() => rmSync(dir, { recursive: true, force: true }));

async function run(...cells: string[]): Promise<Map<string, CellRun>> {
  const study = new Study({ cacheDir: cache, baseDir: dir });
  try {
    return new Map((await study.run(parse(notebook(...cells)))).map((r) => [r.name, r]));
  } finally {
    await study.dispose();
  }
}

const goodPair = pairCell('p', './pair/pretrained', './pair/finetuned');
const rate = cell('ratings', 'rate', 'scenarios: set');
const patch = (positions: string) => cell('sweep', 'patch', 'ratings: rate', 'layers: 1..2', `positions: ${positions}`);

/** A story of some 900 tokens, past the 512 positions of the test pair. */
const longSet = cell('scenarios', 'set', 'question: How intentionally?', 'item short', '  The river is {harmed|helped}.', 'item long', `  ${'The chairman does not care, and the river is {harmed|helped}. '.repeat(75)}`);

/** [what, cells, the failing cell, its code, what the message must name, what the hint must say] */
const cases: [string, string[], string, string, RegExp, RegExp][] = [
  ['missing model folder', [pairCell('p', './nowhere/pretrained', './pair/finetuned'), scenarios('set'), rate], 'p', 'model-load', /nowhere\/pretrained/, /config\.json/],
  ['pair of different widths', [pairCell('p', './pair/pretrained', './wide/finetuned'), scenarios('set'), rate], 'p', 'pair-mismatch', /`p`.*hidden|hidden.*`p`/i, /same architecture/],
  ['pair of different depths', [pairCell('p', './deep/pretrained', './pair/finetuned'), scenarios('set'), rate], 'p', 'pair-mismatch', /layers/i, /same architecture/],
  ['scenarios without a question', [goodPair, scenarios('set', { question: '' }), rate], 'set', 'bad-cell', /question/, /./],
  ['ratings of an unknown set', [goodPair, scenarios('set'), cell('ratings', 'rate', 'scenarios: nothing')], 'rate', 'unknown-reference', /nothing/, /./],
  ['sweep of an unknown ratings cell', [goodPair, scenarios('set'), rate, cell('sweep', 'patch', 'ratings: gone')], 'patch', 'unknown-reference', /gone/, /./],
  ['ratings naming a set that is not a scenarios cell', [goodPair, scenarios('set'), cell('ratings', 'rate', 'scenarios: p')], 'rate', 'unknown-reference', /`?p`?/, /./],
  ['localize at a phrase no prompt has', [goodPair, scenarios('set'), cell('localize', 'where', 'scenarios: set', 'positions: "zebra crossing"')], 'where', 'run-failed', /zebra crossing.*paint \(negative\)/, /phrase/],
  ['sweep at a phrase no prompt has', [goodPair, scenarios('set'), rate, patch('"zebra crossing"')], 'patch', 'run-failed', /zebra crossing/, /phrase/],
  ['sweep at a position past the prompt', [goodPair, scenarios('set'), rate, patch('400')], 'patch', 'run-failed', /400/, /./],
  ['top layers of a sweep at another site', [goodPair, scenarios('set'), rate, cell('sweep', 'first', 'ratings: rate', 'site: mlp_out', 'positions: last'), cell('sweep', 'patch', 'ratings: rate', 'site: attn_out', 'top: 1 of first', 'positions: last')], 'patch', 'bad-cell', /attn_out.*`first`.*mlp_out/, /site/],
  ['ratings of a vignette longer than the model\'s positions', [goodPair, longSet, rate], 'rate', 'prompt-too-long', /`long \(negative\)`.*\d{3} tokens.*512 positions/, /shorten/],
  ['localize of a vignette longer than the model\'s positions', [goodPair, longSet, cell('localize', 'where', 'scenarios: set')], 'where', 'prompt-too-long', /`long \(negative\)`.*512 positions/, /shorten/],
  ['paired t on independent items', [goodPair, cell('scenarios', 'set', 'question: How intentionally?', 'item a negative', '  The river is harmed.', 'item b positive', '  The river is helped.', 'item c negative', '  The park is harmed.', 'item d positive', '  The park is helped.'), rate, cell('stats', 'test', 'ratings: rate', 'tests: paired')], 'test', 'bad-cell', /paired/, /welch/],
];

for (const [what, cells, culprit, code, names, hint] of cases) {
  test(`${what}: \`${culprit}\` fails with ${code}`, async () => {
    const runs = await run(...cells);
    const failed = runs.get(culprit)!;
    assert.equal(failed.status, 'error', `${culprit} status`);
    assert.ok(failed.error instanceof StudyError);
    assert.equal(failed.error.code, code, failed.error.message);
    assert.match(failed.error.message, names);
    assert.match(failed.error.hint ?? '', hint, `hint of: ${failed.error.message}`);
    assert.equal(failed.error.cell, culprit);
    assert.equal(failed.output, undefined);
    // Whatever needs the failed cell fails as a dependency, naming it.
    for (const r of runs.values()) {
      if (r === failed || r.status !== 'error') continue;
      assert.equal(r.error!.code, 'dependency-failed', `${r.name}: ${r.error!.message}`);
      assert.match(r.error!.message, new RegExp(`needs \`(${culprit}|rate)\``));
      assert.equal(r.output, undefined);
    }
  });
}

test('a chain of dependencies reports each link', async () => {
  const runs = await run(pairCell('p', './nowhere/pretrained', './nowhere/finetuned'), scenarios('set'), rate, patch('last'), cell('stats', 'test', 'ratings: rate'));
  assert.deepEqual([...runs.values()].map((r) => [r.name, r.status, r.error?.code]), [
    ['p', 'error', 'model-load'],
    ['set', 'ok', undefined],
    ['rate', 'error', 'dependency-failed'],
    ['patch', 'error', 'dependency-failed'],
    ['test', 'error', 'dependency-failed'],
  ]);
  assert.match(runs.get('patch')!.error!.message, /needs `rate`/);
  assert.match(runs.get('patch')!.error!.hint!, /fix `rate` first/);
});

test('asking for a cell that does not exist stops the run before anything runs', async () => {
  const study = new Study({ cacheDir: cache, baseDir: dir });
  try {
    await assert.rejects(study.run(parse(notebook(goodPair, scenarios('set'), rate)), { cells: ['rate', 'nope'] }), (e: unknown) => {
      assert.ok(e instanceof StudyError);
      assert.equal(e.code, 'unknown-reference');
      assert.match(e.message, /nope/);
      assert.match(e.hint!, /p, set, rate/);
      return true;
    });
  } finally {
    await study.dispose();
  }
});

test('two cells of one name stop the whole run before anything runs, naming both places', async () => {
  const study = new Study({ cacheDir: cache, baseDir: dir });
  const text = notebook(goodPair, scenarios('set'), rate, rate.replace('scenarios: set', 'scenarios: set\nseed: 2'));
  try {
    const started: string[] = [];
    await assert.rejects(study.run(parse(text), { onCellStart: (n) => started.push(n) }), (e: unknown) => {
      assert.ok(e instanceof StudyError);
      assert.equal(e.code, 'duplicate-name');
      const lines = text.split('\n').flatMap((l, i) => (l === '::: ratings rate' ? [i + 1] : []));
      assert.match(e.message, new RegExp(`\`rate\` \\(line ${lines[0]}, column 13 and line ${lines[1]}, column 13\\).*nothing was run`));
      return true;
    });
    assert.deepEqual(started, [], 'no cell started');
  } finally {
    await study.dispose();
  }
});
