// `knobe prompt FILE ITEM` prints what each model receives for an item, with --tokens its pieces.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { promptCommand } from '../../../src/cli/main.js';
import { UsageError } from '../../../src/cli/args.js';
import { StudyError } from '../../../src/core/study/errors.js';
import { cell, notebook, pairCell, smallPair, tmp } from '../study/support.js';

const dir = tmp('cli-prompt');
const file = join(dir, 'nb.knobe');
before(() => {
  smallPair(join(dir, 'pair'), [{ layer: 1, site: 'attn' }]);
  writeFileSync(file, notebook(
    pairCell('p', './pair/pretrained', './pair/finetuned').replace('prompt: raw', 'prompt: chat'),
    cell('scenarios', 'set', 'question: How intentionally did the owner {harm|help} the river?', 'scale: 1..7', 'anchors: 1 = not at all, 7 = completely',
      'item river', '  The owner does not care, and the river is {harmed|helped}.'),
  ));
});
after(() => rmSync(dir, { recursive: true, force: true }));

test('prints each vignette of the item as each model receives it, after the chat template', async () => {
  const lines: string[] = [];
  await promptCommand({ command: 'prompt', file, item: 'river', tokens: false }, (s) => lines.push(s));
  const out = lines.join('\n');
  assert.deepEqual([...out.matchAll(/^── (.*) ──$/gm)].map((m) => m[1].replace(/ · \d+ tokens$/, '')), [
    'river (negative) · pretrained `./pair/pretrained` · chat',
    'river (positive) · pretrained `./pair/pretrained` · chat',
    'river (negative) · finetuned `./pair/finetuned` · chat',
    'river (positive) · finetuned `./pair/finetuned` · chat',
  ]);
  assert.match(out, /The owner does not care, and the river is helped\.\nHow intentionally did the owner help the river\?\nAnswer with a whole number from 1 to 7\.\n1 = not at all, 7 = completely\n/);
  assert.ok(!out.includes('tokens: '));
});

test('--model and --tokens', async () => {
  const lines: string[] = [];
  await promptCommand({ command: 'prompt', file, item: 'set/river', models: ['pretrained'], tokens: true }, (s) => lines.push(s));
  const out = lines.join('\n');
  assert.equal((out.match(/^── /gm) ?? []).length, 2);
  assert.match(out, /\ntokens: .*"?answer"? :/i);
});

test('a missing file is a usage error; an unknown item names the items there are', async () => {
  await assert.rejects(promptCommand({ command: 'prompt', file: join(dir, 'none.knobe'), item: 'river', tokens: false }, () => {}), UsageError);
  await assert.rejects(promptCommand({ command: 'prompt', file, item: 'lake', tokens: false }, () => {}), (e: unknown) => e instanceof StudyError && /items are set\/river/.test(e.message));
});
