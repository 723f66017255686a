import { test } from 'node:test';
import assert from 'node:assert/strict';
import { COMMANDS, helpText, parseCli, UsageError, USAGE } from '../../../src/cli/args.js';
import { formatSeconds } from '../../../src/cli/progress.js';

const ok = (argv: string, expected: object) => assert.deepEqual(parseCli(argv.split(' ').filter(Boolean)), expected);
const bad = (argv: string, pattern: RegExp) => assert.throws(() => parseCli(argv.split(' ').filter(Boolean)), (e: unknown) => e instanceof UsageError && pattern.test(e.message));

test('knobe command lines', () => {
  ok('', { command: 'help' });
  ok('--help', { command: 'help' });
  ok('help run', { command: 'help', topic: 'run' });
  ok('run a.knobe --bogus --help', { command: 'help', topic: 'run' });
  ok('run a.knobe', { command: 'run', file: 'a.knobe', out: undefined, report: undefined, cells: undefined, json: false, force: false, threads: undefined, cache: undefined, device: undefined, memory: undefined });
  ok('run a.knobe --out b.knobe --report r.html --cells x,y --json --threads 2', { command: 'run', file: 'a.knobe', out: 'b.knobe', report: 'r.html', cells: ['x', 'y'], json: true, force: false, threads: 2, cache: undefined, device: undefined, memory: undefined });
  ok('run a.knobe --device webgpu --memory 12G', { command: 'run', file: 'a.knobe', out: undefined, report: undefined, cells: undefined, json: false, force: false, threads: undefined, cache: undefined, device: 'webgpu', memory: 12 * 1024 ** 3 });
  ok('demo --report r.html', { command: 'demo', report: 'r.html' });
  ok('demo-pair out --seed 3', { command: 'demo-pair', folder: 'out', values: { seed: '3' } });
  ok('prompt a.knobe river', { command: 'prompt', file: 'a.knobe', item: 'river', models: undefined, tokens: false, pair: undefined, cache: undefined });
  ok('prompt a.knobe set/river --model finetuned --tokens --pair p', { command: 'prompt', file: 'a.knobe', item: 'set/river', models: ['finetuned'], tokens: true, pair: 'p', cache: undefined });
  bad('prompt a.knobe', /a notebook file and an item/);
  bad('prompt a.knobe river --model base', /--model.*pretrained or finetuned/);
  bad('run', /exactly one notebook/);
  bad('run a.knobe b.knobe', /exactly one notebook/);
  bad('run a.knobe --threads two', /--threads/);
  bad('run a.knobe --colour', /colour/);
  bad('run a.knobe --device tpu', /--device takes one of auto, cpu, cuda, webgpu, dml, coreml/);
  bad('run a.knobe --memory lots', /--memory takes a size/);
  bad('frobnicate', /unknown command "frobnicate"/);
  bad('help frobnicate', /unknown command "frobnicate"/);
  bad('demo-pair', /exactly one folder/);
  bad('demo extra', /does not take positional arguments/);
});

test('every subcommand has --help, listing each of its options, and a line in the overview', () => {
  for (const c of COMMANDS) {
    for (const flag of ['--help', '-h']) assert.deepEqual(parseCli([c.name, flag]), { command: 'help', topic: c.name }, `${c.name} ${flag}`);
    const help = helpText(c);
    assert.match(help, new RegExp(`^usage: knobe ${c.name}\\b`), c.name);
    for (const option of Object.keys(c.options)) assert.match(help, new RegExp(`^ {2}--${option}\\b.* {3}\\S`, 'm'), `${c.name} --${option}`);
    assert.match(help, /^ {2}-h, --help +show this help$/m, c.name);
    assert.ok(USAGE.includes(`  knobe ${c.name}`), `${c.name} in the overview`);
  }
});

test('durations read well', () => {
  assert.equal(formatSeconds(4.4), '4s');
  assert.equal(formatSeconds(75), '1m15s');
  assert.equal(formatSeconds(3720), '1h02m');
  assert.equal(formatSeconds(Infinity), '?');
});
