import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ModelTokenizer } from '../../../src/core/models/tokenizer.js';
import { demoTokenizerConfig, demoTokenizerJson, demoVocabulary } from '../../../src/core/models/demo/tokenizer.js';
import { tokenOffsets } from '../../../src/core/study/prompts.js';
import { phrasePositions } from '../../../src/core/patching/positions.js';

const tok = new ModelTokenizer(demoTokenizerJson(demoVocabulary().tokens), demoTokenizerConfig());

test('token offsets map every word-level token back onto the text', () => {
  const text = 'The Chairman mumbled: "I do not care." Answer:';
  const ids = tok.encode(text);
  const spans = tokenOffsets(tok, text, ids)!;
  assert.equal(spans.length, ids.length);
  const pieces = spans.map(([s, e]) => text.slice(s, e));
  assert.deepEqual(pieces, ['', 'The', 'Chairman', 'm', 'u', 'm', 'b', 'l', 'ed', ':', '"', 'I', 'do', 'not', 'care', '.', '"', 'Answer', ':']);
});

test('a phrase is located through the offsets, whatever the case and spacing', () => {
  for (const text of ['He said: I do not care about it.', 'I DO  NOT care.', 'Say "do not care" twice: do not care']) {
    const ids = tok.encode(text);
    const positions = phrasePositions({ name: 'p', text, ids, offsets: tokenOffsets(tok, text, ids) }, text.includes('DO') ? 'DO  NOT care' : 'do not care');
    assert.deepEqual(positions.map((i) => tok.tokenStrings([ids[i]])[0]), ['do', 'not', 'care'], text);
  }
});
