// `knobe run` writes its results into the notebook as it is on disk when the run ends: an edit
// made meanwhile is kept, a cell edited meanwhile gets no result (and the run says so), two runs on
// one notebook keep each other's results, the file keeps its mode and stays where a symlink points.
// A file that is not UTF-8, or has two cells of one name, is refused untouched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import type { ChildProcessByStdio } from 'node:child_process';
import type { Readable } from 'node:stream';
import { chmodSync, lstatSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CellOutput } from '../../../src/common/results.js';
import { outputIntegrity } from '../../../src/core/format/checksum.js';
import { decodeKnobeText } from '../../../src/core/format/encoding.js';
import { withOutputs } from '../../../src/core/study/writeback.js';
import { cell, notebook, outputsIn, pairCell, read, scenarios, smallPair, tmp } from '../study/support.js';
import { buildCli, type Cli } from './bundle.js';

const dir = tmp('cli-write');
const text = notebook(
  pairCell('p', './pair/pretrained', './pair/finetuned'),
  scenarios('set'),
  cell('ratings', 'rate', 'scenarios: set'),
  cell('ratings', 'slow', 'scenarios: set', 'protocol: sample', 'samples: 120', 'max-tokens: 6'),
  cell('stats', 'test', 'ratings: rate', 'tests: welch'),
);
let cli: Cli;
let n = 0;

function copy(body: string | Buffer): string {
  const file = join(dir, `nb${n++}.knobe`);
  writeFileSync(file, body);
  return file;
}
/** Each run gets a cache of its own, so every cell computes and the run takes a while. */
const freshCache = () => ({ KNOBE_CACHE: join(dir, `cache${n++}`) });

/** Runs to the end; `onStderr` sees the progress lines as they come. */
function finish(child: ChildProcessByStdio<null, Readable, Readable>, onStderr?: (all: string) => void): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    onStderr?.(stderr);
  });
  return new Promise((done) => child.on('close', (code) => done({ code, stdout, stderr })));
}

/** The results a notebook holds, each checked to be complete and as computed. */
function verifiedOutputs(t: string): Map<string, CellOutput> {
  const outs = new Map<string, CellOutput>();
  for (const [name, out] of outputsIn(t)) {
    if (!out) continue;
    assert.equal(outputIntegrity(out), 'verified', name);
    outs.set(name, out);
  }
  return outs;
}

before(async () => {
  smallPair(join(dir, 'pair'), [{ layer: 1, site: 'attn' }, { layer: 2, site: 'mlp' }]);
  cli = await buildCli(dir, {});
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('an edit made while the run computes is kept; a cell edited meanwhile gets no result', async () => {
  const cases: [string, (t: string) => string, string[]][] = [
    ['prose', (t) => t.replace('Some prose.', 'Prose written while the run ran.'), []],
    ['a new paragraph at the end', (t) => `${t}\nA closing remark.\n`, []],
    ['the stats cell', (t) => t.replace('tests: welch', 'tests: welch, bootstrap'), ['test']],
    ['the scenarios every result reads', (t) => t.replace('{harm|help} the river', '{harm|help} the lake'), ['rate', 'slow', 'test']],
  ];
  for (const [what, edit, conflicts] of cases) {
    const file = copy(text);
    const edited = edit(text);
    let done = false;
    const r = await finish(cli.start(['run', file], freshCache()), (err) => {
      // The slow cell has started: the notebook was read long ago and its results are not written yet.
      if (!done && /^slow: \d+\/\d+/m.test(err)) {
        done = true;
        writeFileSync(file, edit(read(file)));
      }
    });
    assert.ok(done, `${what}: the edit was made`);
    const final = read(file);
    const outs = verifiedOutputs(final);
    const expected = ['rate', 'slow', 'test'].filter((c) => !conflicts.includes(c));
    assert.deepEqual([...outs.keys()], expected, what);
    assert.equal(final, withOutputs(edited, outs), `${what}: the edited text plus the results, byte for byte`);
    assert.equal(r.code, conflicts.length ? 1 : 0, `${what}: ${r.stderr}`);
    for (const c of conflicts) assert.match(r.stderr, new RegExp(`\`${c}\` (was edited|changed).*not written`), what);
    if (expected.length === 0) assert.ok(!/results written/.test(r.stdout), `${what}: nothing was written, and it says so`);
  }
});

test('two runs on one notebook keep each other\'s results', async () => {
  const file = copy(text);
  const [slow, fast] = await Promise.all([finish(cli.start(['run', file, '--cells', 'slow'], freshCache())), finish(cli.start(['run', file, '--cells', 'rate'], freshCache()))]);
  assert.equal(slow.code, 0, slow.stderr);
  assert.equal(fast.code, 0, fast.stderr);
  const final = read(file);
  assert.deepEqual([...verifiedOutputs(final).keys()], ['rate', 'slow']);
  assert.equal(final, withOutputs(text, verifiedOutputs(final)));
});

test('the notebook keeps its mode, and a symlink keeps pointing at it', () => {
  const file = copy(text);
  chmodSync(file, 0o640);
  const link = join(dir, 'link.knobe');
  symlinkSync(file, link);
  const r = cli.run(['run', link, '--cells', 'rate'], freshCache());
  assert.equal(r.status, 0, r.stderr);
  assert.ok(lstatSync(link).isSymbolicLink(), 'the link is still a link');
  assert.equal(statSync(file).mode & 0o777, 0o640);
  assert.deepEqual([...verifiedOutputs(read(file)).keys()], ['rate']);
});

test('a file that is not UTF-8 is refused as the editor refuses it, and left as it was', () => {
  const bytes = Buffer.concat([Buffer.from(text.replace('# Study', '# Caf')), Buffer.from([0xe9]), Buffer.from('\n')]);
  const file = copy(bytes);
  const expected = (() => {
    try {
      decodeKnobeText(bytes);
    } catch (e) {
      return (e as Error).message;
    }
    assert.fail('the bytes decode');
  })();
  const r = cli.run(['run', file], freshCache());
  assert.equal(r.status, 1, r.stderr);
  assert.ok(r.stderr.includes(expected), r.stderr);
  assert.match(expected, /not valid UTF-8.*line \d+/);
  assert.ok(readFileSync(file).equals(bytes), 'not a byte changed');
});

test('two cells of one name stop the run with the diagnostic, before anything runs', () => {
  const twice = text.replace('::: ratings slow', '::: ratings rate');
  const file = copy(twice);
  const r = cli.run(['run', file], freshCache());
  assert.equal(r.status, 1, r.stderr);
  const line = twice.slice(0, twice.indexOf('::: ratings rate', twice.indexOf('::: ratings rate') + 1)).split('\n').length;
  assert.match(r.stderr, new RegExp(`${file.replace(/[.]/g, '\\.')}:${line}:13: error duplicate-name: `));
  assert.match(r.stderr, /nothing was run/);
  assert.equal(r.stdout, '');
  assert.equal(read(file), twice);
});
