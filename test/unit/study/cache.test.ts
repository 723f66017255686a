// Result reuse: a result is reused while nothing it depends on changed — from the disk cache with
// a fresh Study, from the notebook's own output blocks without the cache — and an edit to one
// vignette recomputes exactly the cells that read that scenarios set.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RatingsResult, CellOutput } from '../../../src/common/results.js';
import { parse } from '../../../src/core/format/parser.js';
import type { StudyProgress } from '../../../src/core/study/progress.js';
import { Study, type CellRun, type RunOptions } from '../../../src/core/study/study.js';
import { withOutputs } from '../../../src/core/study/writeback.js';
import { cell, notebook, pairCell, scenarios, smallPair, statuses, tmp } from './support.js';

const dir = tmp('cache');
const cache = join(dir, 'cache');
const text = notebook(
  pairCell('p', './pair/pretrained', './pair/finetuned'),
  scenarios('first'),
  scenarios('second', { skip: 'road' }),
  cell('ratings', 'rate1', 'scenarios: first'),
  cell('ratings', 'rate2', 'scenarios: second'),
  cell('localize', 'where1', 'scenarios: first', 'site: resid_post', 'positions: last'),
  cell('sweep', 'patch1', 'ratings: rate1', 'site: mlp_out', 'layers: 2..3', 'positions: last'),
  cell('stats', 'test1', 'ratings: rate1', 'tests: welch'),
  cell('stats', 'test2', 'ratings: rate2', 'tests: welch', 'bootstrap: 200'),
  cell('stats', 'both', 'ratings: rate1, rate2', 'tests: welch'),
);
let first: CellRun[];
let saved: string;

const outputsOf = (runs: CellRun[]) => new Map(runs.filter((r) => r.output).map((r) => [r.name, r.output as CellOutput]));

async function run(notebookText: string, opts: RunOptions = {}): Promise<CellRun[]> {
  const study = new Study({ cacheDir: cache, baseDir: dir });
  try {
    return await study.run(parse(notebookText), opts);
  } finally {
    await study.dispose();
  }
}

before(async () => {
  smallPair(join(dir, 'pair'), [{ layer: 2, site: 'attn' }, { layer: 3, site: 'mlp' }]);
  first = await run(text);
  saved = withOutputs(text, outputsOf(first));
});
after(() => rmSync(dir, { recursive: true, force: true }));

const computed = { p: 'ok', first: 'ok', second: 'ok', rate1: 'ok', rate2: 'ok', where1: 'ok', patch1: 'ok', test1: 'ok', test2: 'ok', both: 'ok' };
const reused = { p: 'ok', first: 'ok', second: 'ok', rate1: 'cached', rate2: 'cached', where1: 'cached', patch1: 'cached', test1: 'cached', test2: 'cached', both: 'cached' };

test('the first run computes every cell', () => {
  assert.deepEqual(statuses(first), computed);
});

test('a fresh Study reuses results from the disk cache', async () => {
  const again = await run(text);
  assert.deepEqual(statuses(again), reused);
  for (const r of again) assert.equal(r.output?.hash, first.find((f) => f.name === r.name)!.output?.hash, r.name);
});

test('force recomputes, and gives the same numbers', async () => {
  const progress = new Map<string, StudyProgress[]>();
  const forced = await run(text, { force: true, onProgress: (p) => (progress.get(p.cell) ?? progress.set(p.cell, []).get(p.cell)!).push(p) });
  assert.deepEqual(statuses(forced), computed);
  // Every computing cell reports progress that only grows and ends complete.
  assert.deepEqual([...progress.keys()].sort(), ['patch1', 'rate1', 'rate2', 'where1']);
  for (const [name, events] of progress) {
    events.forEach((e, i) => assert.ok(e.done <= e.total && (i === 0 || e.done >= events[i - 1].done), `${name} event ${i}`));
    assert.ok(events.at(-1)!.done === events.at(-1)!.total && events.at(-1)!.total > 0, name);
  }
  const result = (runs: CellRun[], name: string) => runs.find((r) => r.name === name)!.output!.result;
  for (const name of ['rate1', 'where1', 'patch1', 'test2']) assert.deepEqual(result(forced, name), result(first, name), name);
});

test('what each edit recomputes', async () => {
  const edits: [string, string, Record<string, string>][] = [
    ['prose only', text.replace('Some prose.', 'Other prose.'), reused],
    ['one vignette of the first set', text.replace('it will also {harm|help} the river', 'it will also {harm|help} the lake'), {
      ...reused, rate1: 'ok', where1: 'ok', patch1: 'ok', test1: 'ok', both: 'ok',
    }],
    ['the second set', text.replace(/(::: scenarios second\n)question: [^\n]*/, '$1question: How intentionally did the decision maker {harm|help}?'), {
      ...reused, rate2: 'ok', test2: 'ok', both: 'ok',
    }],
    ['the sweep cell', text.replace('layers: 2..3', 'layers: 1..3'), { ...reused, patch1: 'ok' }],
    ['a stats cell', text.replace('bootstrap: 200', 'bootstrap: 300'), { ...reused, test2: 'ok' }],
  ];
  for (const [what, edited, expected] of edits) {
    assert.notEqual(edited, text, what);
    assert.deepEqual(statuses(await run(edited)), expected, what);
  }
});

test('without the disk cache, the results in the notebook are enough', async () => {
  rmSync(join(cache, 'results'), { recursive: true, force: true });
  const again = await run(saved);
  assert.deepEqual(statuses(again), reused);
  // An edit still invalidates what the notebook holds for the cells it touches.
  const edited = saved.replace('it will also {harm|help} the river', 'it will also {harm|help} the lake');
  assert.deepEqual(statuses(await run(edited)), { ...reused, rate1: 'ok', where1: 'ok', patch1: 'ok', test1: 'ok', both: 'ok' });
});

test('other models invalidate every result', async () => {
  // Same architecture and sizes, other weights: the content hashes differ.
  smallPair(join(dir, 'other'), [{ layer: 1, site: 'mlp' }], { seed: 99 });
  const moved = saved.replaceAll('./pair/', './other/');
  assert.deepEqual(statuses(await run(moved)), computed);
});

test('models rewritten in place invalidate every result: the hash is of their content', async () => {
  smallPair(join(dir, 'pair'), [{ layer: 2, site: 'attn' }, { layer: 3, site: 'mlp' }], { seed: 6 });
  assert.deepEqual(statuses(await run(saved)), computed);
  // Back to the original bytes: the original results are valid again.
  smallPair(join(dir, 'pair'), [{ layer: 2, site: 'attn' }, { layer: 3, site: 'mlp' }]);
  assert.deepEqual(statuses(await run(saved)), reused);
});

test('a Study kept open (as the editor keeps one per notebook) notices models rewritten in place', async () => {
  const study = new Study({ cacheDir: cache, baseDir: dir });
  try {
    const before = await study.run(parse(text), { cells: ['rate1'], force: true });
    smallPair(join(dir, 'pair'), [{ layer: 2, site: 'attn' }, { layer: 3, site: 'mlp' }], { seed: 6 });
    const after = await study.run(parse(text), { cells: ['rate1'], force: true });
    const ev = (runs: CellRun[]) => (runs.find((r) => r.name === 'rate1')!.output!.result as RatingsResult).rows.map((r) => r.expected);
    assert.notDeepEqual(ev(after), ev(before), 'the new weights were used');
    assert.notEqual(after.find((r) => r.name === 'rate1')!.output!.hash, before.find((r) => r.name === 'rate1')!.output!.hash);
  } finally {
    await study.dispose();
    smallPair(join(dir, 'pair'), [{ layer: 2, site: 'attn' }, { layer: 3, site: 'mlp' }]);
  }
});

test('a cache folder that cannot be written only costs recomputation', async () => {
  const blocked = join(dir, 'not-a-folder');
  writeFileSync(blocked, 'a file where the cache folder would be');
  const study = new Study({ cacheDir: blocked, baseDir: dir });
  try {
    const runs = await study.run(parse(text), { cells: ['rate1', 'test1'] });
    assert.deepEqual(statuses(runs), { p: 'ok', first: 'ok', rate1: 'ok', test1: 'ok' });
  } finally {
    await study.dispose();
  }
});
