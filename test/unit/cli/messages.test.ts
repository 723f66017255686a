// What `knobe` says: every diagnostic the editor shows, with line and column; help for every
// subcommand; "results written" only when something was; a clear note for a notebook without
// Knobe cells.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../src/core/format/parser.js';
import { validate } from '../../../src/core/format/validation.js';
import { cell, notebook, pairCell, read, scenarios, smallPair, tmp } from '../study/support.js';
import { buildCli, type Cli } from './bundle.js';

const dir = tmp('cli-messages');
let cli: Cli;
let n = 0;
function copy(body: string): string {
  const file = join(dir, `nb${n++}.knobe`);
  writeFileSync(file, body);
  return file;
}

before(async () => {
  smallPair(join(dir, 'pair'), [{ layer: 1, site: 'attn' }, { layer: 2, site: 'mlp' }]);
  cli = await buildCli(dir, { KNOBE_CACHE: join(dir, 'cache') });
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('every diagnostic, errors, warnings and notes, with line and column, in text order', () => {
  const text = notebook(
    pairCell('p', './pair/pretrained', './pair/finetuned'),
    scenarios('set'),
    '::: scenarios lopsided\nquestion: How intentional?\nitem a negative\n  A story.\nitem b negative\n  Another.\nitem c positive\n  A third.\n:::\n',
    cell('ratings', 'rate', 'scenarios: set', 'colour: blue'),
    cell('ratings', 'other', 'scenarios: nowhere'),
    cell('stats', 'test', 'ratings: rate', 'tests: welch'),
  ).replace('%knobe 2\n\n', '');
  const expected = validate(parse(text));
  assert.deepEqual(new Set(expected.map((d) => d.severity)), new Set(['error', 'warning', 'info']), 'the notebook has all three kinds');
  const file = copy(text);
  const r = cli.run(['run', file]);
  const printed = r.stderr.split('\n').filter((l) => l.startsWith(`${file}:`));
  assert.deepEqual(printed, expected.map((d) => `${file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`));
});

test('every subcommand answers --help with its own usage, and exits 0', () => {
  for (const command of ['run', 'demo', 'demo-pair']) {
    for (const flag of ['--help', '-h']) {
      const r = cli.run([command, flag]);
      assert.equal(r.status, 0, `${command} ${flag}: ${r.stderr}`);
      assert.match(r.stdout, new RegExp(`^usage: knobe ${command} `), `${command} ${flag}`);
      assert.equal(r.stderr, '');
    }
  }
  const run = cli.run(['run', '--help']).stdout;
  for (const option of ['--out', '--report', '--cells', '--json', '--force', '--threads', '--cache']) assert.match(run, new RegExp(`^ {2}${option}\\b.* {2,}\\S`, 'm'), option);
  assert.match(cli.run(['help', 'demo-pair']).stdout, /^usage: knobe demo-pair /);
  const overview = cli.run(['--help']);
  assert.equal(overview.status, 0);
  for (const command of ['run', 'demo', 'demo-pair']) assert.match(overview.stdout, new RegExp(`^ {2}knobe ${command} `, 'm'));
});

test('"results written" only when the file was written', () => {
  const text = notebook(pairCell('p', './pair/pretrained', './pair/finetuned'), scenarios('set'), cell('ratings', 'rate', 'scenarios: set'));
  const file = copy(text);
  const first = cli.run(['run', file]);
  assert.equal(first.status, 0, first.stderr);
  assert.match(first.stdout, new RegExp(`^results written to ${file}$`, 'm'));
  const written = read(file);
  const mtime = statSync(file).mtimeMs;
  const second = cli.run(['run', file]);
  assert.equal(second.status, 0, second.stderr);
  assert.doesNotMatch(second.stdout, /results written/);
  assert.match(second.stdout, /no new results: .* was not rewritten/);
  assert.equal(read(file), written);
  assert.equal(statSync(file).mtimeMs, mtime);
});

test('a notebook without Knobe cells gets a note and exit code 0, and is left alone', () => {
  const text = '%knobe 2\n\n# Notes\n\nOnly prose here.\n';
  const file = copy(text);
  const r = cli.run(['run', file]);
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout, /has no Knobe cells .*nothing to run/);
  assert.doesNotMatch(r.stdout, /results written/);
  assert.equal(readFileSync(file, 'utf8'), text);
  const json = cli.run(['run', file, '--json']);
  assert.equal(json.status, 0);
  assert.deepEqual((JSON.parse(json.stdout) as { cells: unknown[] }).cells, []);
});
