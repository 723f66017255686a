// A result edited by hand in a notebook is flagged, never served as computed, and never reaches a
// statistic — in that notebook, or through the shared cache in a clean copy of it. Cache keys hold
// the digests of the results a cell reads, so even an edit whose checksum was recomputed (which a
// checksum cannot catch) stays in the notebook where it was made.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellOutput, StatsResult, SweepResult } from '../../../src/common/results.js';
import { runCommand } from '../../../src/cli/main.js';
import { outputChecksum, outputIntegrity, resultDigest } from '../../../src/core/format/checksum.js';
import { parse } from '../../../src/core/format/parser.js';
import { Study, type CellRun } from '../../../src/core/study/study.js';
import { byName, cell, notebook, outputsIn, pairCell, read, scenarios, smallPair, tmp } from './support.js';

const dir = tmp('integrity');
const cache = join(dir, 'cache');
const text = notebook(
  pairCell('p', './pair/pretrained', './pair/finetuned'),
  scenarios('set'),
  cell('ratings', 'rate', 'scenarios: set'),
  cell('stats', 'test', 'ratings: rate', 'tests: welch'),
  cell('sweep', 'all', 'ratings: rate', 'site: mlp_out', 'layers: all', 'positions: last'),
  cell('sweep', 'best', 'ratings: rate', 'site: mlp_out', 'top: 1 of all', 'positions: last'),
);
/** The notebook after `knobe run --cells rate,all`: ratings and the first sweep stored, nothing else. */
let clean: string;
/** Every result computed from scratch, in a cache of its own. */
let fresh: Map<string, CellRun>;
let n = 0;

function copy(body: string): string {
  const file = join(dir, `nb${n++}.knobe`);
  writeFileSync(file, body);
  return file;
}

async function run(file: string, cells: string[], cacheDir = cache): Promise<{ code: number; runs: Map<string, CellRun>; lines: string[] }> {
  const lines: string[] = [];
  const { code, runs } = await runCommand({ command: 'run', file, cells, json: false, force: false, cache: cacheDir }, (s) => lines.push(s));
  return { code, runs: byName(runs), lines };
}

/** The notebook's text with the first rating of the `rate` block raised by 3. */
const editRating = (t: string) => t.replace(/("expected":)(-?[0-9.e-]+)/, (_, key: string, v: string) => `${key}${Number(v) + 3}`);

/** The same edit, with the block's checksum recomputed to match: an edit the checksum cannot see. */
function forge(t: string, edit: (t: string) => string, cellName: string): string {
  const edited = edit(t);
  const out = outputsIn(edited).get(cellName)!;
  return edited.replace(`checksum: ${out.checksum}`, `checksum: ${outputChecksum(out)}`);
}

const stats = (runs: Map<string, CellRun>) => runs.get('test')!.output!.result as StatsResult;
const sweep = (runs: Map<string, CellRun>, name: string) => runs.get(name)!.output!.result as SweepResult;

before(async () => {
  smallPair(join(dir, 'pair'), [{ layer: 1, site: 'attn' }, { layer: 2, site: 'mlp' }]);
  const file = copy(text);
  assert.equal((await run(file, ['rate', 'all'])).code, 0);
  clean = read(file);
  const study = new Study({ cacheDir: join(dir, 'fresh-cache'), baseDir: dir });
  try {
    fresh = byName(await study.run(parse(text), { force: true }));
  } finally {
    await study.dispose();
  }
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('a hand-edited rating is flagged, recomputed before the statistics read it, and never reaches a clean copy', async () => {
  const edited = editRating(clean);
  assert.notEqual(edited, clean);
  assert.equal(outputIntegrity(outputsIn(edited).get('rate')!), 'edited');

  const a = copy(edited);
  const inA = await run(a, ['test']);
  assert.equal(inA.code, 0);
  const rate = inA.runs.get('rate')!;
  assert.equal(rate.setAside, 'edited', 'the run says it set the edited result aside');
  assert.deepEqual(rate.output!.result, fresh.get('rate')!.output!.result, 'the ratings the statistics read are computed ones');
  assert.deepEqual(stats(inA.runs), stats(fresh));
  assert.ok(inA.lines.some((l) => /^rate .*edited by hand/.test(l)), inA.lines.join('\n'));
  // The file now holds computed results only.
  for (const [name, out] of outputsIn(read(a))) if (out) assert.equal(outputIntegrity(out), 'verified', name);
  assert.deepEqual(outputsIn(read(a)).get('test')!.provenance.inputs, [{ cell: 'rate', digest: resultDigest(fresh.get('rate')!.output!.result) }]);

  const b = copy(clean);
  const inB = await run(b, ['test']);
  assert.deepEqual(stats(inB.runs), stats(fresh));
});

test('without the disk cache, an edited or unverifiable result in the file is recomputed, not reused', async () => {
  for (const [what, body, setAside] of [
    ['edited', editRating(clean), 'edited'],
    ['without a checksum', clean.replace(/^checksum: [0-9a-f]+\n/gm, ''), 'unverified'],
    ['as computed', clean, undefined],
  ] as const) {
    const { runs } = await run(copy(body), ['rate'], join(dir, `empty-cache-${n}`));
    assert.equal(runs.get('rate')!.status, setAside ? 'ok' : 'cached', what);
    assert.equal(runs.get('rate')!.setAside, setAside, what);
    assert.deepEqual(runs.get('rate')!.output!.result, fresh.get('rate')!.output!.result, what);
  }
});

test('a forged edit stays in its notebook: the statistics of a clean copy are computed on computed ratings', async () => {
  const forged = forge(clean, editRating, 'rate');
  assert.equal(outputIntegrity(outputsIn(forged).get('rate')!), 'verified', 'a recomputed checksum passes');
  const inA = await run(copy(forged), ['test']);
  assert.notDeepEqual(stats(inA.runs), stats(fresh), 'in the forged notebook the statistics see the forged rating');
  assert.deepEqual(inA.runs.get('test')!.output!.provenance.inputs, [{ cell: 'rate', digest: resultDigest(outputsIn(forged).get('rate')!.result) }]);

  const inB = await run(copy(clean), ['test']);
  assert.deepEqual(stats(inB.runs), stats(fresh));
  assert.notEqual(inB.runs.get('test')!.output!.hash, inA.runs.get('test')!.output!.hash, 'the cache keys differ');
});

test('a sweep choosing the top layers of an edited sweep is keyed by what that sweep holds', async () => {
  // Make the weakest patch of `all` look the strongest, with a checksum to match.
  const weakest = (t: string) => {
    const rows = (outputsIn(t).get('all') as CellOutput<SweepResult>).result.rows;
    const low = [...rows].sort((x, y) => x.fractionRemoved - y.fractionRemoved)[0];
    return t.replace(`"fractionRemoved":${low.fractionRemoved},`, '"fractionRemoved":5,');
  };
  const forged = forge(clean, weakest, 'all');
  assert.notEqual(forged, clean);
  const inA = await run(copy(forged), ['best']);
  assert.notDeepEqual(sweep(inA.runs, 'best').rows.map((r) => r.layers), sweep(fresh, 'best').rows.map((r) => r.layers));
  const inB = await run(copy(clean), ['best']);
  assert.deepEqual(sweep(inB.runs, 'best'), sweep(fresh, 'best'));

  // Edited without a matching checksum, `all` is recomputed first and `best` is right in place.
  const inC = await run(copy(weakest(clean)), ['best']);
  assert.equal(inC.runs.get('all')!.setAside, 'edited');
  assert.deepEqual(sweep(inC.runs, 'best'), sweep(fresh, 'best'));
});

test('the report marks a stored result edited by hand', async () => {
  const file = copy(editRating(clean));
  const report = join(dir, 'edited.html');
  // Only the pair runs: the edited ratings stay in the file as they are and reach the report.
  await runCommand({ command: 'run', file, cells: ['p'], report, json: false, force: false, cache }, () => {});
  const html = read(report);
  assert.match(html, /class="badge edited"[^>]*>edited by hand</);
  assert.equal((html.match(/edited by hand</g) ?? []).length, 1, 'only the edited result is marked');
});
