// Cancelling mid-cell: the cell reports `cancelled`, nothing partial is kept for it, results of
// cells that completed are kept, and a later run picks up where this one stopped.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CellOutput } from '../../../src/common/results.js';
import { parse } from '../../../src/core/format/parser.js';
import type { StudyProgress } from '../../../src/core/study/progress.js';
import { Study, type CellRun } from '../../../src/core/study/study.js';
import { withOutputs } from '../../../src/core/study/writeback.js';
import { cell, notebook, outputsIn, pairCell, scenarios, smallPair, statuses, tmp, withoutOutputs } from './support.js';

const dir = tmp('cancel');
const text = notebook(
  pairCell('p', './pair/pretrained', './pair/finetuned'),
  scenarios('set'),
  cell('ratings', 'rate', 'scenarios: set'),
  cell('sweep', 'patch', 'ratings: rate', 'site: resid_post, attn_out, mlp_out', 'layers: all', 'positions: all'),
  cell('stats', 'test', 'ratings: rate', 'tests: welch'),
);
before(() => smallPair(join(dir, 'pair'), [{ layer: 2, site: 'attn' }, { layer: 3, site: 'mlp' }]));
after(() => rmSync(dir, { recursive: true, force: true }));

/** Runs with a fresh Study, aborting at the first progress of `stopIn` that has work done. */
async function runStopping(notebookText: string, cacheDir: string, stopIn?: string) {
  const controller = new AbortController();
  const seen: StudyProgress[] = [];
  const study = new Study({ cacheDir, baseDir: dir });
  try {
    const runs = await study.run(parse(notebookText), {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p);
        if (p.cell === stopIn && p.done > 0 && p.done < p.total) controller.abort();
      },
    });
    return { runs, seen };
  } finally {
    await study.dispose();
  }
}

const outputsOf = (runs: CellRun[]) => new Map(runs.filter((r) => r.output).map((r) => [r.name, r.output as CellOutput]));

const cases: { stopIn: string; expected: Record<string, string>; kept: string[] }[] = [
  { stopIn: 'patch', expected: { p: 'ok', set: 'ok', rate: 'ok', patch: 'cancelled' }, kept: ['rate'] },
  { stopIn: 'rate', expected: { p: 'ok', set: 'ok', rate: 'cancelled' }, kept: [] },
];

for (const { stopIn, expected, kept } of cases) {
  test(`cancelling in \`${stopIn}\` keeps only finished results, and a re-run completes`, async () => {
    const cacheDir = join(dir, `cache-${stopIn}`);
    const { runs, seen } = await runStopping(text, cacheDir, stopIn);
    assert.deepEqual(statuses(runs), expected);
    const stopped = runs.find((r) => r.name === stopIn)!;
    assert.equal(stopped.output, undefined);
    assert.equal(stopped.error?.code, 'cancelled');
    const last = seen.filter((p) => p.cell === stopIn).at(-1)!;
    assert.ok(last.done < last.total, 'the cell stopped before its end');

    // As the CLI and controller save it: the finished cells' results, nothing else.
    const written = withOutputs(text, outputsOf(runs));
    assert.equal(withoutOutputs(written), text);
    const outputs = outputsIn(written);
    assert.deepEqual([...outputs].filter(([, o]) => o).map(([n]) => n), kept);
    // Nothing of the cancelled cell reached the disk cache either.
    const results = join(cacheDir, 'results');
    const cached = existsSync(results) ? readdirSync(results) : [];
    assert.equal(cached.length, kept.length, cached.join(', '));

    const again = await runStopping(written, cacheDir);
    const done = Object.fromEntries(['p', 'set', 'rate', 'patch', 'test'].map((n) => [n, kept.includes(n) ? 'cached' : 'ok']));
    assert.deepEqual(statuses(again.runs), done);
  });
}
