// `knobe run` as a user meets it: exit codes (0 done, 1 a cell failed or was cancelled, 2 usage),
// a parseable --json summary, --out leaving the input alone, --cells running only what is asked
// and what it needs, --report, and Ctrl-C keeping the finished results.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../../src/cli/main.js';
import { UsageError } from '../../../src/cli/args.js';
import { cell, notebook, outputsIn, pairCell, scenarios, smallPair, tmp, withoutOutputs } from '../study/support.js';
import { buildCli, type Cli } from './bundle.js';

const dir = tmp('cli');
const cache = join(dir, 'cache');
const text = notebook(
  pairCell('p', './pair/pretrained', './pair/finetuned'),
  scenarios('set'),
  cell('ratings', 'rate', 'scenarios: set'),
  cell('sweep', 'patch', 'ratings: rate', 'site: mlp_out', 'layers: all', 'positions: last'),
  cell('localize', 'where', 'scenarios: set', 'positions: "do not care"'),
  cell('stats', 'test', 'ratings: rate', 'tests: welch'),
);
const failing = text.replace('positions: "do not care"', 'positions: "zebra crossing"');
let n = 0;
/** A fresh copy of a notebook in the test folder (models are found relative to it). */
function copy(body: string): string {
  const file = join(dir, `nb${n++}.knobe`);
  writeFileSync(file, body);
  return file;
}
const env = { KNOBE_CACHE: cache };
let cli: Cli;
const knobe = (...args: string[]) => cli.run(args);

before(async () => {
  smallPair(join(dir, 'pair'), [{ layer: 1, site: 'attn' }, { layer: 2, site: 'mlp' }]);
  cli = await buildCli(dir, env);
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('--json prints one parseable summary whose results are the ones written to the file', async () => {
  const file = copy(text);
  const lines: string[] = [];
  const { code } = await runCommand({ command: 'run', file, json: true, force: false, cache }, (s) => lines.push(s));
  assert.equal(code, 0);
  assert.equal(lines.length, 1, 'nothing but the JSON on stdout');
  const summary = JSON.parse(lines[0]) as { file: string; cells: { name: string; status: string; result?: unknown; error?: unknown }[] };
  assert.equal(summary.file, file);
  assert.deepEqual(summary.cells.map((c) => [c.name, c.status]), [['p', 'ok'], ['set', 'ok'], ['rate', 'ok'], ['patch', 'ok'], ['where', 'ok'], ['test', 'ok']]);
  const outputs = outputsIn(readFileSync(file, 'utf8'));
  for (const c of summary.cells) assert.deepEqual(outputs.get(c.name)?.result, c.result, c.name);
});

test('--out writes the results elsewhere and leaves the input untouched (on one thread)', async () => {
  const file = copy(text);
  const out = join(dir, 'results', 'deeper', 'out.knobe');
  const { code } = await runCommand({ command: 'run', file, out, json: false, force: true, threads: 1, cache }, () => {});
  assert.equal(code, 0);
  assert.equal(readFileSync(file, 'utf8'), text);
  const written = readFileSync(out, 'utf8');
  assert.equal(withoutOutputs(written), text);
  assert.deepEqual([...outputsIn(written)].filter(([, o]) => o).map(([name]) => name), ['rate', 'patch', 'where', 'test']);
});

test('--cells runs the named cells and what they need, nothing else', async () => {
  for (const [cells, ran, saved] of [
    [['rate'], ['p', 'set', 'rate'], ['rate']],
    [['test', 'where'], ['p', 'set', 'rate', 'where', 'test'], ['rate', 'where', 'test']],
    [['patch'], ['p', 'set', 'rate', 'patch'], ['rate', 'patch']],
  ]) {
    const file = copy(text);
    const { code, runs } = await runCommand({ command: 'run', file, cells, json: false, force: true, cache }, () => {});
    assert.equal(code, 0);
    assert.deepEqual(runs.map((r) => r.name), ran, cells.join(','));
    assert.deepEqual([...outputsIn(readFileSync(file, 'utf8'))].filter(([, o]) => o).map(([name]) => name), saved, cells.join(','));
  }
  await assert.rejects(runCommand({ command: 'run', file: copy(text), cells: ['rate', 'nope'], json: false, force: false, cache }, () => {}), (e: unknown) => e instanceof UsageError && /"nope"/.test(e.message) && /p, set, rate/.test(e.message));
});

test('--report writes a self-contained page with every cell', async () => {
  const report = join(dir, 'report', 'r.html');
  const lines: string[] = [];
  const { code } = await runCommand({ command: 'run', file: copy(failing), report, json: false, force: false, cache }, (s) => lines.push(s));
  assert.equal(code, 1);
  const html = readFileSync(report, 'utf8');
  for (const name of ['rate', 'patch', 'where', 'test']) assert.ok(html.includes(name), name);
  assert.ok(html.includes('zebra crossing'), 'the failure is in the report');
  assert.ok(!/<script[^>]+src=["']https?:/.test(html), 'no script from the network');
  assert.ok(lines.some((l) => l === `report: ${report}`));
});

test('exit codes: 0 when every cell ran, 1 when one failed, 2 for usage errors', () => {
  const ok = knobe('run', copy(text), '--json');
  assert.equal(ok.status, 0, ok.stderr);
  assert.equal((JSON.parse(ok.stdout) as { cells: unknown[] }).cells.length, 6);

  const bad = knobe('run', copy(failing));
  assert.equal(bad.status, 1, bad.stderr);
  assert.match(bad.stdout, /where \(localize, error\): .*zebra crossing.* — positions can name only a phrase/);
  assert.match(bad.stdout, /rate \(ratings, cached\)/);
  const badJson = knobe('run', copy(failing), '--json');
  assert.equal(badJson.status, 1);
  const where = (JSON.parse(badJson.stdout) as { cells: { name: string; status: string; error?: { code: string; message: string; hint?: string } }[] }).cells.find((c) => c.name === 'where')!;
  assert.equal(where.status, 'error');
  assert.equal(where.error!.code, 'run-failed');
  assert.match(where.error!.message, /zebra crossing/);
  assert.match(where.error!.hint!, /phrase/);

  for (const [args, message] of [
    [['run'], /exactly one notebook/],
    [['run', join(dir, 'missing.knobe')], /no such notebook/],
    [['run', dir], /is not a notebook file/],
    [['run', copy(text), '--cells', 'nope'], /no cell named "nope"/],
    [['run', copy(text), '--threads', 'many'], /--threads/],
    [['frobnicate'], /unknown command/],
  ] as [string[], RegExp][]) {
    const r = knobe(...args);
    assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
    assert.match(r.stderr, message);
    assert.match(r.stderr, /usage:/);
  }
});

test('Ctrl-C mid-cell cancels it, keeps the finished results and exits 1', async () => {
  const body = notebook(
    pairCell('p', './pair/pretrained', './pair/finetuned'),
    scenarios('set'),
    cell('ratings', 'rate', 'scenarios: set'),
    cell('ratings', 'slow', 'scenarios: set', 'protocol: sample', 'samples: 400', 'max-tokens: 6'),
    cell('stats', 'test', 'ratings: rate'),
  );
  const file = copy(body);
  const child = cli.start(['run', file, '--force']);
  let stderr = '';
  let stdout = '';
  child.stdout.on('data', (d) => (stdout += d));
  child.stderr.on('data', (d) => {
    stderr += d;
    // The slow cell has started and has far to go.
    if (/^slow: \d+\/\d+/m.test(stderr) && !child.killed) child.kill('SIGINT');
  });
  const code = await new Promise<number | null>((done) => child.on('close', done));
  assert.equal(code, 1, stderr);
  assert.match(stdout, /slow \(ratings, cancelled\)/);
  assert.ok(!/^test /m.test(stdout), 'nothing runs after the cancelled cell');
  const written = readFileSync(file, 'utf8');
  assert.equal(withoutOutputs(written), body);
  assert.deepEqual([...outputsIn(written)].filter(([, o]) => o).map(([name]) => name), ['rate']);
});
