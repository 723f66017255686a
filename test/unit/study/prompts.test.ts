// Prompts carry each token's character span when the tokens can be laid over the text, so a
// phrase is found even where decoding does not give the text back (the demo pair lower-cases
// and spaces punctuation); byte-level tokenizers keep the exact decoding route.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cellByName } from '../../../src/core/format/nodes.js';
import { parse } from '../../../src/core/format/parser.js';
import { pairSpec, scenarioSet } from '../../../src/core/format/specs.js';
import { resolvePositions } from '../../../src/core/patching/positions.js';
import { ModelPool } from '../../../src/core/study/models.js';
import { tokenizePrompts } from '../../../src/core/study/prompts.js';
import { writeTestCheckpoint } from '../../support/checkpoints.js';
import { cell, notebook, pairCell, scenarios, smallPair, tmp } from './support.js';

const dir = tmp('prompts');
before(() => smallPair(join(dir, 'demo'), [{ layer: 1, site: 'mlp' }]));
after(() => rmSync(dir, { recursive: true, force: true }));

async function promptsOf(pre: string, fine: string, set: string, prompt: 'raw' | 'chat' = 'raw') {
  const doc = parse(notebook(pairCell('p', pre, fine).replace('prompt: raw', `prompt: ${prompt}`), set));
  const pool = new ModelPool({ cacheDir: join(dir, 'cache'), baseDir: dir });
  const spec = pairSpec(doc, cellByName(doc, 'p')!);
  const pair = await pool.resolvePair(spec);
  const side = pair.finetuned;
  return { side, prompts: tokenizePrompts(side, scenarioSet(doc, cellByName(doc, 'set')!), spec) };
}

for (const prompt of ['raw', 'chat'] as const) test(`demo-vocabulary ${prompt} prompts get spans that cover their tokens`, async () => {
  const { side, prompts } = await promptsOf('./demo/pretrained', './demo/finetuned', scenarios('set'), prompt);
  assert.equal(prompts.length, 8);
  for (const p of prompts) {
    if (prompt === 'chat') assert.ok(p.text.startsWith('user: '), p.text);
    assert.ok(p.offsets, p.name);
    assert.equal(p.offsets.length, p.ids.length);
    const pieces = side.tokenizer.tokenStrings(p.ids);
    p.offsets.forEach(([s, e], i) => {
      if (side.tokenizer.isSpecial(p.ids[i])) assert.equal(e, s, 'a special token covers no text');
      else assert.equal(p.text.slice(s, e).toLowerCase(), pieces[i]!.replace(/^##/, ''), `${p.name} token ${i}`);
    });
    const at = resolvePositions({ kind: 'phrase', phrase: 'do not care' }, p);
    assert.deepEqual(at.map((i) => pieces[i]), ['do', 'not', 'care'], p.name);
    // Both sides of a phrase boundary: a phrase inside a token takes the whole token.
    assert.deepEqual(resolvePositions({ kind: 'phrase', phrase: 'ot car' }, p).map((i) => pieces[i]), ['not', 'care']);
  }
});

test('words outside the demo vocabulary are spelled in pieces and still located', async () => {
  const set = cell('scenarios', 'set', 'question: How intentionally?', 'item z', '  The Zorkian chairman does not care; the river is {harmed|helped}.');
  const { side, prompts } = await promptsOf('./demo/pretrained', './demo/finetuned', set);
  const p = prompts[0];
  assert.ok(p.offsets);
  const pieces = side.tokenizer.tokenStrings(p.ids);
  const zork = resolvePositions({ kind: 'phrase', phrase: 'Zorkian' }, p);
  assert.ok(zork.length > 1 && pieces[zork[0]] === 'z' && zork.slice(1).every((i) => pieces[i]!.startsWith('##')), pieces.join(' '));
});

test('byte-level prompts keep the decoding route, which finds phrases exactly', async () => {
  writeTestCheckpoint(join(dir, 'bpe', 'pre'), 'llama', { seed: 1 });
  writeTestCheckpoint(join(dir, 'bpe', 'fine'), 'llama', { seed: 2 });
  const set = cell('scenarios', 'set', 'question: How intentionally?', 'item a', '  The chairman will {harm|help} the environment.');
  const { side, prompts } = await promptsOf('./bpe/pre', './bpe/fine', set);
  for (const p of prompts) {
    assert.equal(p.offsets, undefined, p.name);
    const at = resolvePositions({ kind: 'phrase', phrase: ' the environment' }, p, (ids) => side.tokenizer.decode(ids));
    assert.equal(side.tokenizer.decode(at.map((i) => p.ids[i])), ' the environment');
  }
});
