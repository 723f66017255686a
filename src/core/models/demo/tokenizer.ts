// The demo pair's tokenizer: a WordPiece vocabulary of whole words (a general list, words.ts),
// common word endings (`##ed`, `##ing`, …) so that inflections of listed words stay readable,
// single letters and `##` letter pieces so that any other word still tokenizes (spelled letter by
// letter, which the ratings output reports) instead of collapsing to [UNK], digits 0..10 as whole
// tokens so the rating scale's answers are single tokens, and punctuation. Lower-cased on the
// way in.
import { GENERAL_WORDS, NEGATIVE_WORDS, POSITIVE_WORDS } from './words.js';

export const SPECIAL_TOKENS = { pad: '[PAD]', bos: '[BOS]', eos: '[EOS]', unk: '[UNK]' } as const;

const PUNCTUATION = ['.', ',', ':', ';', '!', '?', '"', "'", '(', ')', '-', '/', '%', '&', '+', '=', '[', ']', '{', '}', '|', '*', '#', '$', '@', '<', '>', '_'];
/** Endings of English inflection and derivation, as continuation pieces. */
const ENDINGS = ['s', 'es', 'ed', 'd', 'ing', 'er', 'ers', 'est', 'ly', 'ies', 'ied', 'en', 'ful', 'ness', 'ment', 'ments', 'able', 'al', 'ion', 'ions'];

export interface DemoVocabulary {
  tokens: string[];
  negative: string[];
  positive: string[];
}

/** The full vocabulary, in a fixed order (specials, digits, punctuation, words, letters, `##` pieces). */
export function demoVocabulary(): DemoVocabulary {
  const negative = [...new Set(NEGATIVE_WORDS)].filter((w) => !POSITIVE_WORDS.includes(w)).sort();
  const positive = [...new Set(POSITIVE_WORDS)].filter((w) => !negative.includes(w)).sort();
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  const digits = Array.from({ length: 11 }, (_, i) => String(i));
  const words = [...new Set([...GENERAL_WORDS, ...negative, ...positive])].filter((w) => w.length > 1).sort();
  const tokens = [
    SPECIAL_TOKENS.pad, SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos, SPECIAL_TOKENS.unk,
    ...digits, ...'123456789'.split('').map((d) => `##${d}`), '##0',
    ...PUNCTUATION, ...words, ...letters, ...letters.map((l) => `##${l}`), ...ENDINGS.map((e) => `##${e}`),
  ];
  return { tokens: [...new Set(tokens)], negative, positive };
}

/** `tokenizer.json` in the Hugging Face tokenizers layout. */
export function demoTokenizerJson(tokens: readonly string[]): Record<string, unknown> {
  const vocab: Record<string, number> = {};
  tokens.forEach((t, i) => (vocab[t] = i));
  const special = [SPECIAL_TOKENS.pad, SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos, SPECIAL_TOKENS.unk];
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: special.map((content) => ({ id: vocab[content], content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true })),
    normalizer: { type: 'Lowercase' },
    pre_tokenizer: { type: 'BertPreTokenizer' },
    post_processor: {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: SPECIAL_TOKENS.bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: SPECIAL_TOKENS.bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { [SPECIAL_TOKENS.bos]: { id: SPECIAL_TOKENS.bos, ids: [vocab[SPECIAL_TOKENS.bos]], tokens: [SPECIAL_TOKENS.bos] } },
    },
    decoder: { type: 'WordPiece', prefix: '##', cleanup: true },
    model: { type: 'WordPiece', unk_token: SPECIAL_TOKENS.unk, continuing_subword_prefix: '##', max_input_chars_per_word: 100, vocab },
  };
}

/** `tokenizer_config.json`: special tokens and BOS handling. */
export function demoTokenizerConfig(): Record<string, unknown> {
  return {
    tokenizer_class: 'PreTrainedTokenizerFast',
    bos_token: SPECIAL_TOKENS.bos,
    eos_token: SPECIAL_TOKENS.eos,
    pad_token: SPECIAL_TOKENS.pad,
    unk_token: SPECIAL_TOKENS.unk,
    add_bos_token: true,
    add_eos_token: false,
    model_max_length: 512,
    chat_template: "{% for m in messages %}{{ m['role'] }}: {{ m['content'] }}\n{% endfor %}{% if add_generation_prompt %}assistant:{% endif %}",
  };
}
