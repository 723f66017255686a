import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, type CheckpointErrorCode } from '../../../src/core/models/errors.js';
import { loadTokenizer, ModelTokenizer, sameTokenization } from '../../../src/core/models/tokenizer.js';
import { byteLevelBpeTokenizer, wordLevelTokenizer, writeTestCheckpoint } from '../../support/checkpoints.js';
import { expectError } from '../../support/errors.js';

// The test BPE vocabulary: byte b has id b; then merges in order: " 0"…" 9" are 256…265,
// " the" builds Ġt 266, Ġth 267, Ġthe 268; " chairman" builds Ġc 269 … Ġchairman 276.
// Specials follow the merges: <|bos|>, <|eos|>, <|user|>, <|assistant|>.
const bpeJson = byteLevelBpeTokenizer({ bos: '<|bos|>' });
const size = Object.keys((bpeJson.model as { vocab: object }).vocab).length + 4;
const BOS = size - 4;
const EOS = size - 3;
const USER = size - 2;

const bpe = new ModelTokenizer(bpeJson, { bos_token: '<|bos|>', eos_token: { content: '<|eos|>', special: true }, add_bos_token: true });
const bpeRaw = new ModelTokenizer(byteLevelBpeTokenizer(), { eos_token: '<|eos|>' });

function enc(t: ModelTokenizer, text: string, ids: number[], addSpecialTokens = true): void {
  assert.deepEqual(t.encode(text, { addSpecialTokens }), ids, JSON.stringify(text));
  const body = ids.filter((id) => !t.isSpecial(id) || !addSpecialTokens);
  assert.equal(t.decode(body), text.startsWith('<|') ? text : text, `decode of ${JSON.stringify(text)}`);
}

test('byte-level BPE encodes and decodes', () => {
  enc(bpe, ' 10', [BOS, 257, 48]);
  enc(bpe, ' 1', [BOS, 257]);
  enc(bpe, ' 7', [BOS, 263]);
  enc(bpe, ' the chairman', [BOS, 268, 276]);
  enc(bpe, 'Answer: 10', [BOS, 65, 110, 115, 119, 101, 114, 58, 257, 48]);
  enc(bpe, ' the', [268], false);
  enc(bpe, 'thé', [116, 104, 195, 169], false);
  enc(bpeRaw, ' 10', [257, 48]);
  enc(bpeRaw, '', []);
  assert.deepEqual(bpe.encodeWithTokens(' 10', { addSpecialTokens: false }).tokens, ['Ġ1', '0']);
  assert.deepEqual(bpe.tokenStrings([257, 48, BOS]), ['Ġ1', '0', '<|bos|>']);
  assert.equal(bpe.decode([BOS, 268, EOS]), '<|bos|> the<|eos|>');
  assert.equal(bpe.decode([BOS, 268, EOS], { skipSpecialTokens: true }), ' the');
  assert.equal(bpe.decode([]), '');
  assert.equal(bpe.decode([268, 58]), ' the:');
});

test('special tokens in the text are single tokens', () => {
  assert.deepEqual(bpe.encode('<|user|> the', { addSpecialTokens: false }), [USER, 268]);
  assert.equal(bpe.tokenToId('<|assistant|>'), size - 1);
  assert.equal(bpe.idToToken(EOS), '<|eos|>');
  assert.equal(bpe.isSpecial(EOS), true);
  assert.equal(bpe.isSpecial(268), false);
  assert.equal(bpe.size, size);
  assert.equal(bpe.vocab().get('Ġthe'), 268);
});

test('BOS and EOS follow tokenizer_config.json, else the post-processor', () => {
  assert.equal(bpe.bosTokenId, BOS);
  assert.equal(bpe.eosTokenId, EOS);
  const cases: Array<[Record<string, unknown>, boolean, number[]]> = [
    // tokenizer_config, tokenizer.json adds bos itself?, ids of " the"
    [{ bos_token: '<|bos|>', add_bos_token: true }, false, [BOS, 268]],
    [{ bos_token: '<|bos|>', add_bos_token: false }, true, [268]],
    [{ bos_token: '<|bos|>' }, true, [BOS, 268]],
    [{ bos_token: '<|bos|>' }, false, [268]],
    [{}, false, [268]],
    [{ bos_token: '<|bos|>', eos_token: '<|eos|>', add_bos_token: true, add_eos_token: true }, false, [BOS, 268, EOS]],
    [{ eos_token: '<|eos|>', add_eos_token: true }, true, [BOS, 268, EOS]],
  ];
  for (const [cfg, templated, ids] of cases) {
    const t = new ModelTokenizer(byteLevelBpeTokenizer(templated ? { bos: '<|bos|>' } : {}), cfg);
    assert.deepEqual(t.encode(' the'), ids, JSON.stringify(cfg));
    assert.deepEqual(t.encode(' the', { addSpecialTokens: false }), [268], JSON.stringify(cfg));
  }
});

test('word-level tokenizer', () => {
  const t = new ModelTokenizer(wordLevelTokenizer(['How', 'intentionally', 'did', 'he', 'harm', 'it', '?']), { bos_token: '<s>', add_bos_token: true });
  assert.deepEqual(t.encode('How intentionally did he harm it ?'), [1, 3, 4, 5, 6, 7, 8, 9]);
  assert.deepEqual(t.encode('he  acted', { addSpecialTokens: false }), [6, 0]);
  assert.equal(t.decode([3, 4, 5]), 'How intentionally did');
  assert.equal(t.unkToken, '<unk>');
});

test('a checkpoint folder\'s tokenizer loads with its configuration', () => {
  const dir = mkdtempSync(join(tmpdir(), 'knobe-tok-'));
  writeTestCheckpoint(dir, 'gemma2');
  const t = loadTokenizer(dir);
  assert.equal(t.addBos, true);
  assert.deepEqual(t.encode(' 10'), [BOS, 257, 48]);
});

test('a tokenizer that cannot work is a tokenizer-error naming it', () => {
  const dir = mkdtempSync(join(tmpdir(), 'knobe-tok-'));
  expectError(() => loadTokenizer(dir), 'tokenizer-error', 'tokenizer.json is missing');
  writeFileSync(join(dir, 'tokenizer.json'), '{"model": ');
  expectError(() => loadTokenizer(dir), 'tokenizer-error', join(dir, 'tokenizer.json'));
  writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify({ ...bpeJson, model: { type: 'Mystery', vocab: 3 } }));
  expectError(() => loadTokenizer(dir), 'tokenizer-error', dir, 'cannot load');
  expectError(() => new ModelTokenizer(bpeJson, { bos_token: '<s>' }, 'models/m'), 'tokenizer-error', 'models/m', 'bos_token "<s>"');
  expectError(() => new ModelTokenizer(bpeJson, { add_bos_token: true }), 'tokenizer-error', 'add_bos_token');
  const noUnk = new ModelTokenizer({ ...wordLevelTokenizer(['a'], ['<s>']), model: { type: 'WordLevel', vocab: { '<s>': 0, a: 1 } } }, {}, 'wl');
  expectError(() => noUnk.encode('a zebra'), 'tokenizer-error', 'wl', '"zebra"');
  expectError(() => bpe.decode([1, size + 5]), 'tokenizer-error', `id ${size + 5}`);
});

test('a pair must tokenize a prompt identically', () => {
  const a = new ModelTokenizer(byteLevelBpeTokenizer({ bos: '<|bos|>' }), {}, 'models/pre');
  const b = new ModelTokenizer(byteLevelBpeTokenizer({ bos: '<|bos|>' }), {}, 'models/fine');
  assert.deepEqual(sameTokenization(a, b, ' the chairman'), [BOS, 268, 276]);
  const c = new ModelTokenizer(byteLevelBpeTokenizer({ bos: '<|bos|>', words: [' the'] }), {}, 'models/other');
  expectError(() => sameTokenization(a, c, ' the chairman said', { addSpecialTokens: false }), 'pair-mismatch',
    '" the chairman said"', 'position 1', '"Ġchairman" (276) in models/pre', '"Ġ" (32) in models/other');
  const d = new ModelTokenizer(byteLevelBpeTokenizer({ bos: '<|bos|>' }), { add_bos_token: false }, 'models/nobos');
  expectError(() => sameTokenization(a, d, ' the'), 'pair-mismatch', 'position 0', 'models/nobos');
});

/**
 * A SentencePiece-style BPE tokenizer.json as Llama-2 and Mistral ship it: "▁" marks spaces,
 * a "▁" is prepended, unknown characters fall back to byte tokens, and digits stay single.
 */
function sentencePieceTokenizer(): Record<string, unknown> {
  const vocab: Record<string, number> = { '<unk>': 0, '<s>': 1, '</s>': 2 };
  for (let b = 0; b < 256; b++) vocab[`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`] = 3 + b;
  let next = 259;
  for (const piece of ['▁', ...'abcdefghijklmnopqrstuvwxyz0123456789', '▁t', '▁th', '▁the', '▁H', '▁Ho', '▁How']) vocab[piece] = next++;
  const special = (id: number, content: string) => ({ id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true });
  return {
    version: '1.0',
    added_tokens: [special(0, '<unk>'), special(1, '<s>'), special(2, '</s>')],
    normalizer: { type: 'Sequence', normalizers: [{ type: 'Prepend', prepend: '▁' }, { type: 'Replace', pattern: { String: ' ' }, content: '▁' }] },
    pre_tokenizer: null,
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: '<s>', type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { '<s>': { id: '<s>', ids: [1], tokens: ['<s>'] } },
    },
    decoder: {
      type: 'Sequence',
      decoders: [{ type: 'Replace', pattern: { String: '▁' }, content: ' ' }, { type: 'ByteFallback' }, { type: 'Fuse' }, { type: 'Strip', content: ' ', start: 1, stop: 0 }],
    },
    model: {
      type: 'BPE', dropout: null, unk_token: '<unk>', continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: true, byte_fallback: true, vocab, merges: ['▁ t', '▁t h', '▁th e', '▁ H', '▁H o', '▁Ho w'],
    },
  };
}

test('SentencePiece-style BPE (Llama-2, Mistral): spaces as ▁, byte fallback, one BOS', () => {
  const t = new ModelTokenizer(sentencePieceTokenizer(), { bos_token: '<s>', eos_token: '</s>', unk_token: '<unk>', add_bos_token: true, add_eos_token: false }, 'sp');
  const id = (piece: string) => t.tokenToId(piece) as number;
  // " 10" is three tokens here: "▁", "1", "0".
  assert.deepEqual(t.encodeWithTokens('the 10').tokens, ['<s>', '▁the', '▁', '1', '0']);
  assert.deepEqual(t.encode('How'), [1, id('▁How')]);
  assert.deepEqual(t.encode('é', { addSpecialTokens: false }), [id('▁'), 3 + 0xc3, 3 + 0xa9]);
  assert.equal(t.decode(t.encode('the 10', { addSpecialTokens: false })), 'the 10');
  assert.equal(t.decode(t.encode('How é', { addSpecialTokens: false })), 'How é');
  assert.equal(t.decode([1, id('▁the')], { skipSpecialTokens: true }), 'the');
});
