// Phrase positions on real tokenizers: the tokens found are the ones that spell the phrase, with
// and without a BOS token, on a byte-level BPE and on the demo pair's word-level tokenizer.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoPair } from '../../../src/core/models/demo/index.js';
import { loadTokenizer } from '../../../src/core/models/tokenizer.js';
import { PatchError } from '../../../src/core/patching/errors.js';
import { phrasePositions } from '../../../src/core/patching/positions.js';
import { disposeAll, tinyModel } from './support.js';

const root = mkdtempSync(join(tmpdir(), 'knobe-positions-'));
after(async () => {
  rmSync(root, { recursive: true, force: true });
  await disposeAll();
});

const cases: [string, string, string[]][] = [
  [' the chairman said harm to the environment Answer:', 'the environment', ['Ġthe', 'Ġenvironment']],
  [' the chairman said harm to the environment Answer:', 'chairman', ['Ġchairman']],
  [' How did the program help Answer:', 'help Answer', ['Ġhelp', 'ĠAnswer']],
];

for (const arch of ['llama', 'qwen2'] as const) {
  test(`${arch} (BOS ${arch === 'llama' ? 'added' : 'none'}): phrase tokens of a byte-level BPE`, async () => {
    const { tokenizer } = await tinyModel(arch);
    for (const [text, phrase, want] of cases) {
      const ids = tokenizer.encode(text);
      const pos = phrasePositions({ name: 'p', text, ids }, phrase, (x) => tokenizer.decode(x));
      assert.deepEqual(pos.map((i) => tokenizer.idToToken(ids[i])), want, `${phrase} in ${text}`);
    }
  });
}

test('demo tokenizer: phrase tokens, and an absent phrase names the prompt', () => {
  const pair = generateDemoPair(join(root, 'demo'), { seed: 1, shape: { layers: 2, hidden: 16, heads: 2, intermediate: 16 }, edits: [{ layer: 1, site: 'mlp' }], strength: 1 });
  const tok = loadTokenizer(pair.pretrained);
  const text = 'The chairman harmed the environment. Answer:';
  const ids = tok.encode(text);
  const tokensOf = (phrase: string) => phrasePositions({ name: 'boardroom (negative)', text, ids }, phrase, (x) => tok.decode(x)).map((i) => tok.idToToken(ids[i]));
  // The tokenizer lower-cases and re-spaces punctuation; the spans still land on the right tokens.
  assert.deepEqual(tokensOf('chairman harmed'), ['chairman', 'harmed']);
  assert.deepEqual(tokensOf('The'), ['the']);
  assert.deepEqual(tokensOf('. Answer'), ['.', 'answer']);
  // A word outside the vocabulary is spelled in letter pieces; the phrase covers all of them.
  assert.equal(tokensOf('environment').join('').replace(/##/g, ''), 'environment');
  assert.throws(
    () => phrasePositions({ name: 'boardroom (negative)', text, ids }, 'the river', (x) => tok.decode(x)),
    (e: unknown) => e instanceof PatchError && e.code === 'phrase-not-found' && /boardroom \(negative\)/.test(e.message),
  );
});
