// `knobe checkpoint`: options become generator settings; bad ones are usage errors (exit 2) that
// say what to do, and nothing is written for them.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { checkpointCommand, checkpointOptions, parseSize } from '../../../src/cli/checkpoint.js';
import { ProgressBar } from '../../../src/cli/progress.js';
import { parseCli, UsageError, type CheckpointArgs } from '../../../src/cli/args.js';
import { loadCheckpoint } from '../../../src/core/models/checkpoint.js';
import { REAL_TOKENIZERS } from '../../support/real-tokenizers.js';
import { tmp } from '../study/support.js';

const dir = tmp('cli-checkpoint');
after(() => rmSync(dir, { recursive: true, force: true }));

/** The command line as `knobe checkpoint …` parses it. */
const args = (...argv: string[]) => parseCli(['checkpoint', ...argv]) as CheckpointArgs;
const bad = (argv: string, pattern: RegExp) =>
  assert.throws(() => checkpointOptions(args(...argv.split(' ').filter(Boolean))), (e: unknown) => e instanceof UsageError && e.command === 'checkpoint' && pattern.test(e.message), argv);

test('knobe checkpoint options', () => {
  const g = checkpointOptions(args('out', '--preset', 'llama-3.1-8b', '--layers', '2', '--hidden', '64', '--set', 'head_dim=128', '--dtype', 'fp16', '--seed', '5', '--shard-size', '2GB', '--set', 'rope_theta=10000'));
  assert.equal(g.kind, 'generate');
  if (g.kind !== 'generate') return;
  assert.equal(g.dir, resolve('out'));
  assert.deepEqual(
    [g.options.config.num_hidden_layers, g.options.config.hidden_size, g.options.config.head_dim, g.options.config.torch_dtype, g.options.config.rope_theta],
    [2, 64, 128, 'float16', 10000],
  );
  assert.deepEqual([g.options.dtype, g.options.seed, g.options.shardBytes, g.options.perturb], ['F16', 5, 2e9, undefined]);
  const p = checkpointOptions(args('fine', '--base', dir, '--perturb', '3', '--perturb-layers', '1, 2', '--perturb-scale', '0.5'));
  assert.deepEqual(p, { kind: 'perturb', dir: resolve('fine'), options: { base: resolve(dir), perturb: { seed: 3, layers: [1, 2], scale: 0.5 } } });
  assert.equal(parseSize('500MB'), 5e8);
  assert.equal(parseSize('1GiB'), 2 ** 30);

  assert.throws(() => args(), /knobe checkpoint takes exactly one folder/);
  bad('out', /either --preset .* or --config/);
  bad('out --preset llama-3.1-8b --config c.json', /either --preset/);
  bad('out --preset llama-9', /unknown preset "llama-9"; presets: llama-3.1-8b/);
  bad('out --config nowhere.json', /--config: no such file/);
  bad('out --preset tiny-llama --layers two', /--layers takes a whole number ≥ 1, not "two"/);
  bad('out --preset tiny-llama --layers 0', /--layers takes a whole number ≥ 1/);
  bad('out --preset tiny-llama --dtype int8', /--dtype takes fp32, fp16, bf16, not "int8"/);
  bad('out --preset tiny-llama --shard-size lots', /--shard-size takes a size such as 5GB/);
  bad('out --preset tiny-llama --set nonsense', /--set takes key=value/);
  bad('out --preset tiny-llama --tokenizer /nowhere', /--tokenizer: \/nowhere has no tokenizer\.json/);
  bad('out --preset tiny-llama --perturb 1', /--perturb SEED and --perturb-layers a,b go together/);
  bad('out --preset tiny-llama --perturb-scale 2', /go together|needs --perturb/);
  bad(`out --base ${dir} --perturb 1 --perturb-layers 0 --layers 2`, /--base takes the configuration.*drop --layers/);
  bad(`out --base ${dir}`, /--base needs --perturb/);
  bad('out --base /nowhere --perturb 1 --perturb-layers 0', /--base: no such folder/);
  bad('out --preset tiny-llama --colour', /colour/);
});

// The command as a user runs it (sources through tsx: no build needed), for its exit code.
const main = pathToFileURL(resolve('src/cli/main.ts')).href;
// Resolved here: the command runs in the test folder, where no node_modules is found.
const tsx = import.meta.resolve('tsx');
const knobe = (...args: string[]) =>
  spawnSync(process.execPath, ['--import', tsx, '-e', `import(${JSON.stringify(main)}).then((m) => m.cli(process.argv.slice(1)))`, ...args], { encoding: 'utf8', cwd: dir });

test('a configuration the generator refuses exits 2 with the reason and the usage, writing no weights', () => {
  writeFileSync(join(dir, 'odd.json'), JSON.stringify({ model_type: 'llama', hidden_size: 64, num_attention_heads: 3, num_hidden_layers: 1, vocab_size: 512, intermediate_size: 8 }));
  const odd = knobe('checkpoint', 'odd', '--config', 'odd.json');
  assert.equal(odd.status, 2, odd.stderr);
  assert.match(odd.stderr, /knobe: .*hidden size 64 is not divisible by 3 attention heads/);
  assert.match(odd.stderr, /usage: knobe checkpoint <folder> \[options\]/);
  assert.equal(existsSync(join(dir, 'odd', 'model.safetensors')), false);
});

const quiet = new ProgressBar({ isTTY: false, write: () => true } as unknown as NodeJS.WriteStream);
const at = (f: string) => join(dir, f);
const command = (...argv: string[]) => checkpointCommand(args(...argv), quiet);
const refused = (argv: string[], pattern: RegExp) => assert.throws(() => command(...argv), (e: unknown) => e instanceof UsageError && pattern.test(e.message));

test('the command writes a loadable folder and its variant, and refuses what cannot be written', async () => {
  assert.match(command(at('base'), '--preset', 'tiny-llama', '--shard-size', '200KB'), /wrote a random checkpoint to .*base \(llama, 4 layers, hidden 64, vocabulary 512; .* in 3 shards\)/);
  assert.match(command(at('fine'), '--base', at('base'), '--perturb', '1', '--perturb-layers', '3'), /3 shards; 1 of them hard-linked to the base folder/);
  assert.equal(statSync(join(dir, 'fine', 'model-00001-of-00003.safetensors')).nlink, 2);
  await loadCheckpoint(join(dir, 'fine'));

  // Gemma 3's tokenizer has ids past Gemma 2's vocabulary of 256,000.
  refused([at('gemma'), '--preset', 'gemma-2-2b', '--layers', '1', '--hidden', '8', '--tokenizer', REAL_TOKENIZERS.gemma3], /ids up to 262144, outside the model's vocab_size 256000; set vocab_size to at least 262145/);
  mkdirSync(join(dir, 'empty'), { recursive: true });
  refused([at('x'), '--base', at('empty'), '--perturb', '1', '--perturb-layers', '0'], /empty has no config\.json/);
  refused([at('y'), '--base', at('base'), '--perturb', '1', '--perturb-layers', '4'], /perturbed layer 4 is outside the model's layers 0\.\.3/);
});
