// The real tokenizers of the model families the study compares load and behave as their models
// expect: vocabulary size, BOS/EOS, how " 10" after the answer cue splits, and the chat template.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ChatTemplate, selectChatTemplate, specialTokensOf } from '../../../src/core/models/chat.js';
import { loadTokenizer } from '../../../src/core/models/tokenizer.js';
import { REAL_TOKENIZERS, type RealTokenizer } from '../../support/real-tokenizers.js';

interface Case {
  size: number;
  bos?: number;
  eos: number;
  /** Pieces of " 10" and " 7" as they follow "Answer:". */
  ten: string[];
  seven: string[];
  /** The first pieces of a rendered one-message chat. */
  chatStart: string[];
}

const cases: Record<RealTokenizer, Case> = {
  // Llama 3 splits digits in runs of up to three, and a space before a digit stands alone.
  llama3: { size: 128256, bos: 128000, eos: 128009, ten: ['Ġ', '10'], seven: ['Ġ', '7'], chatStart: ['<|begin_of_text|>', '<|start_header_id|>', 'user', '<|end_header_id|>', 'ĊĊ'] },
  // Gemma 3 and Qwen 3 split every digit.
  gemma3: { size: 262145, bos: 2, eos: 106, ten: ['▁', '1', '0'], seven: ['▁', '7'], chatStart: ['<bos>', '<start_of_turn>', 'user', '\n'] },
  qwen3: { size: 151669, bos: undefined, eos: 151645, ten: ['Ġ', '1', '0'], seven: ['Ġ', '7'], chatStart: ['<|im_start|>', 'user', 'Ċ'] },
};

for (const [name, want] of Object.entries(cases) as Array<[RealTokenizer, Case]>) {
  test(`the real ${name} tokenizer: vocabulary, special tokens, answers and chat template`, () => {
    const dir = REAL_TOKENIZERS[name];
    const t = loadTokenizer(dir);
    assert.equal(t.size, want.size);
    assert.equal(t.bosTokenId, want.bos);
    assert.equal(t.eosTokenId, want.eos);
    const pieces = (text: string) => t.encodeWithTokens(text, { addSpecialTokens: false }).tokens;
    assert.deepEqual(pieces(' 10'), want.ten);
    assert.deepEqual(pieces(' 7'), want.seven);
    assert.deepEqual(pieces('Answer: 10').slice(-want.ten.length), want.ten, 'the answer splits the same after the cue');

    const config = JSON.parse(readFileSync(join(dir, 'tokenizer_config.json'), 'utf8')) as Record<string, unknown>;
    const chat = new ChatTemplate(selectChatTemplate(config), specialTokensOf(config));
    const text = chat.render('How intentionally did the chairman harm the environment?', { date: new Date(0) });
    const ids = t.encode(text, { addSpecialTokens: false });
    assert.deepEqual(t.tokenStrings(ids.slice(0, want.chatStart.length)), want.chatStart, text);
    // The template writes BOS itself: exactly once, and only where the family has one.
    assert.equal(ids.filter((id) => id === want.bos).length, want.bos === undefined ? 0 : 1);
    assert.equal(t.decode(ids), text);
  });
}
