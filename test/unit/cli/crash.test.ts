// `knobe run` killed at random moments, and a notebook edited by another process while it runs:
// the file is always either what it was or what it was plus complete results, and an edit made
// meanwhile is never lost. The write window is widened by KNOBE_TEST_WRITE_PAUSE_MS (a pause
// between writing the new text beside the notebook and renaming it into place), and half of the
// kills and edits are aimed inside it. Results come from a warm cache, so a completed run writes
// exactly the bytes of the first one and each run takes well under a second.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellOutput } from '../../../src/common/results.js';
import { outputIntegrity } from '../../../src/core/format/checksum.js';
import { createRng } from '../../../src/core/stats/rng.js';
import { withOutputs } from '../../../src/core/study/writeback.js';
import { cell, notebook, outputsIn, pairCell, read, scenarios, tmp } from '../study/support.js';
import { buildCli, type Cli } from './bundle.js';

const dir = tmp('cli-crash');
const file = join(dir, 'study.knobe');
const original = notebook(
  pairCell('p', 'demo:pretrained', 'demo:finetuned'),
  scenarios('set'),
  cell('ratings', 'rate', 'scenarios: set'),
  cell('localize', 'where', 'scenarios: set', 'positions: last'),
  cell('stats', 'test', 'ratings: rate', 'tests: welch'),
);
const PAUSE_MS = 150;
const env = { KNOBE_CACHE: join(dir, 'cache'), KNOBE_TEST_WRITE_PAUSE_MS: String(PAUSE_MS) };
const MARK = /about to replace/;
const rng = createRng(13);
let cli: Cli;
/** The notebook after a complete run. */
let complete: string;
let completeOutputs: Map<string, CellOutput>;
/** How long a complete run takes, from start to exit. */
let runMs: number;

interface Ended {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/** Starts `knobe run` on the notebook; `act` is called once when the child has run `afterMs`, or at the mark when `atMark`. */
function runWith(act: (child: ChildProcessByStdio<null, Readable, Readable>) => void, when: { afterMs: number } | { atMark: true; thenMs: number }): Promise<Ended> {
  const child = cli.start(['run', file], env);
  let stderr = '';
  let acted = false;
  const fire = () => {
    if (acted) return;
    acted = true;
    act(child);
  };
  let timer: NodeJS.Timeout | undefined;
  if ('afterMs' in when) timer = setTimeout(fire, when.afterMs);
  child.stderr.on('data', (d) => {
    stderr += d;
    if ('atMark' in when && MARK.test(stderr) && !acted) timer = setTimeout(fire, when.thenMs);
  });
  child.stdout.resume();
  return new Promise((done) =>
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      done({ code, signal, stderr });
    }),
  );
}

function verified(t: string): Map<string, CellOutput> {
  const outs = new Map<string, CellOutput>();
  for (const [name, out] of outputsIn(t)) {
    if (!out) continue;
    assert.equal(outputIntegrity(out), 'verified', `${name} is complete and as computed`);
    outs.set(name, out);
  }
  return outs;
}

before(async () => {
  cli = await buildCli(dir, {});
  writeFileSync(file, original);
  const first = cli.run(['run', file], env);
  assert.equal(first.status, 0, first.stderr);
  complete = read(file);
  completeOutputs = verified(complete);
  assert.deepEqual([...completeOutputs.keys()], ['rate', 'where', 'test']);
  // A second run from the cache writes nothing; time a run that writes, from the cache.
  writeFileSync(file, original);
  const started = Date.now();
  const again = cli.run(['run', file], env);
  runMs = Date.now() - started;
  assert.equal(again.status, 0, again.stderr);
  assert.equal(read(file), complete, 'a run from the cache writes the same bytes');
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('30 kills at random moments leave the notebook as it was or with every result', async (t) => {
  const outcomes = { original: 0, complete: 0, inWindow: 0 };
  for (let i = 0; i < 30; i++) {
    // A killed run leaves its lock and temporary file behind: the next run must get past them.
    writeFileSync(file, original);
    const aimed = i % 2 === 1;
    const when = aimed ? { atMark: true as const, thenMs: rng.next() * PAUSE_MS } : { afterMs: rng.next() * runMs * 1.3 };
    const end = await runWith((child) => child.kill('SIGKILL'), when);
    const now = readFileSync(file, 'utf8');
    if (now === original) outcomes.original++;
    else if (now === complete) outcomes.complete++;
    else assert.fail(`trial ${i}: the notebook is neither the original nor the original with all results:\n${now}`);
    if (aimed && end.signal === 'SIGKILL' && now === original) outcomes.inWindow++;
  }
  t.diagnostic(`outcomes: ${JSON.stringify(outcomes)} (a full run takes ${runMs} ms)`);
  assert.ok(outcomes.inWindow >= 5, 'aimed kills landed between writing the new text and renaming it');
  assert.ok(outcomes.original > 0);

  // After all that, a run completes and nothing is left behind.
  writeFileSync(file, original);
  const last = cli.run(['run', file], env);
  assert.equal(last.status, 0, last.stderr);
  assert.equal(read(file), complete);
  assert.deepEqual(readdirSync(dir).filter((f) => /\.(lock|tmp)$/.test(f)), [], 'no lock or temporary file remains');
});

test('20 edits by another process while the run runs: every edit is kept with every result it allows', async (t) => {
  const edits: [string, (s: string) => string, string | undefined][] = [
    ['prose', (s) => s.replace('Some prose.', 'Prose written by someone else.'), undefined],
    ['a paragraph at the end', (s) => `${s}\nA closing remark by someone else.\n`, undefined],
    ['the title', (s) => s.replace('# Study', '# Study, retitled'), undefined],
    ['the stats cell', (s) => s.replace('tests: welch', 'tests: welch, bootstrap'), 'test'],
  ];
  const seen = { conflict: 0, merged: 0, inWindow: 0 };
  for (let i = 0; i < 20; i++) {
    const [what, edit, touches] = edits[i % edits.length];
    const aimed = Math.floor(i / edits.length) % 2 === 1;
    let editedAt = '';
    let end: Ended | undefined;
    // An edit timed after the run ended was no concurrent edit: try again, earlier.
    for (let scale = 0.8; !editedAt; scale /= 2) {
      writeFileSync(file, original);
      const when = aimed ? { atMark: true as const, thenMs: rng.next() * PAUSE_MS * 0.8 } : { afterMs: rng.next() * runMs * scale };
      end = await runWith(() => {
        // Another program's read-modify-write of the file, as a text editor saves it.
        writeFileSync(file, edit(readFileSync(file, 'utf8')));
        editedAt = aimed ? 'in the write window' : 'during the run';
      }, when);
      if (aimed) assert.ok(editedAt, `trial ${i} (${what}): the edit was made in the write window`);
    }
    assert.ok(end);
    if (aimed) seen.inWindow++;
    const now = read(file);
    const outs = verified(now);
    assert.equal(now, withOutputs(edit(original), outs), `trial ${i} (${what}, ${editedAt}): the edited text plus results, byte for byte`);
    for (const name of ['rate', 'where']) assert.deepEqual(outs.get(name), completeOutputs.get(name), `trial ${i}: ${name}`);
    if (outs.has('test')) {
      // Either the run read the edited cell (its result is new) or the edit came after the write.
      assert.equal(end.code, 0, end.stderr);
      seen.merged++;
    } else {
      assert.equal(touches, 'test', `trial ${i} (${what}): only an edited cell may go without its result`);
      assert.equal(end.code, 1, end.stderr);
      assert.match(end.stderr, /cell `test` was edited .*its result was not written/);
      seen.conflict++;
    }
  }
  t.diagnostic(`outcomes: ${JSON.stringify(seen)}`);
  assert.ok(seen.conflict > 0, 'some edits of a cell landed while its result was being written, and were kept');
});
