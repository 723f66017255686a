// The demo pair's tokenizer: a WordPiece vocabulary of whole words (the example notebooks' words
// plus a small base lexicon), single letters and `##` letter pieces so that any other word still
// tokenizes (letter by letter) instead of collapsing to [UNK], digits 0..10 as whole tokens so the
// rating scale's answers are single tokens, and punctuation. Lower-cased on the way in.
import { EXAMPLE_NEGATIVE, EXAMPLE_POSITIVE, EXAMPLE_WORDS } from './words.js';

export const SPECIAL_TOKENS = { pad: '[PAD]', bos: '[BOS]', eos: '[EOS]', unk: '[UNK]' } as const;

// Written by us: words of clearly harmful / helpful outcome that vignettes commonly use.
export const BASE_NEGATIVE = [
  'harm', 'harms', 'harmed', 'harming', 'harmful', 'hurt', 'hurts', 'hurting', 'damage', 'damages', 'damaged',
  'damaging', 'pollute', 'pollutes', 'polluted', 'pollution', 'destroy', 'destroys', 'destroyed', 'ruin', 'ruins',
  'ruined', 'injure', 'injures', 'injured', 'injury', 'worse', 'worsen', 'worsened', 'loss', 'losses', 'lost',
  'suffer', 'suffers', 'suffered', 'sick', 'sicker', 'poison', 'poisoned', 'threaten', 'threatened', 'weaken',
  'weakened', 'endanger', 'endangered', 'kill', 'killed', 'fail', 'failed', 'fails', 'unsafe', 'dangerous',
  'dust', 'shadow', 'cannot', 'awake', 'dries', 'crack', 'torn', 'headaches', 'noise', 'flooded',
];
export const BASE_POSITIVE = [
  'help', 'helps', 'helped', 'helping', 'helpful', 'benefit', 'benefits', 'benefited', 'improve', 'improves',
  'improved', 'improving', 'protect', 'protects', 'protected', 'heal', 'heals', 'healed', 'cleaner', 'cleaned',
  'better', 'safer', 'strengthen', 'strengthened', 'support', 'supported', 'supports', 'restore', 'restored',
  'gain', 'gains', 'gained', 'save', 'saves', 'saved', 'thrive', 'thrives', 'healthier', 'recover', 'recovered',
  'succeed', 'succeeded', 'safe', 'boost', 'boosted', 'enrich', 'enriched', 'rescue', 'rescued',
  'cheered', 'quiet', 'free', 'sun', 'customers', 'lit', 'business', 'shorter',
];
const BASE_WORDS = [
  'the', 'a', 'an', 'and', 'or', 'but', 'not', 'no', 'yes', 'i', 'you', 'he', 'she', 'it', 'they', 'we', 'is',
  'was', 'are', 'were', 'be', 'do', 'does', 'did', 'have', 'has', 'had', 'to', 'of', 'in', 'on', 'for', 'with',
  'at', 'by', 'from', 'that', 'this', 'what', 'how', 'why', 'who', 'answer', 'question', 'intentionally',
  'intentional', 'scale', 'rate', 'care', 'about', 'only', 'want', 'more', 'less', 'side', 'effect',
];
const PUNCTUATION = ['.', ',', ':', ';', '!', '?', '"', "'", '(', ')', '-', '/', '%', '&', '+', '=', '[', ']', '{', '}', '|', '*', '#', '$', '@', '<', '>', '_'];

export interface DemoVocabulary {
  tokens: string[];
  negative: string[];
  positive: string[];
}

/** The full vocabulary, in a fixed order (specials, digits, punctuation, words, letters, `##` letters). */
export function demoVocabulary(): DemoVocabulary {
  const negative = [...new Set([...BASE_NEGATIVE, ...EXAMPLE_NEGATIVE])].filter((w) => !BASE_POSITIVE.includes(w) && !EXAMPLE_POSITIVE.includes(w)).sort();
  const positive = [...new Set([...BASE_POSITIVE, ...EXAMPLE_POSITIVE])].filter((w) => !negative.includes(w)).sort();
  const letters = 'abcdefghijklmnopqrstuvwxyz'.split('');
  const digits = Array.from({ length: 11 }, (_, i) => String(i));
  const words = [...new Set([...BASE_WORDS, ...EXAMPLE_WORDS, ...negative, ...positive])].filter((w) => w.length > 1).sort();
  const tokens = [
    SPECIAL_TOKENS.pad, SPECIAL_TOKENS.bos, SPECIAL_TOKENS.eos, SPECIAL_TOKENS.unk,
    ...digits, ...'123456789'.split('').map((d) => `##${d}`), '##0',
    ...PUNCTUATION, ...words, ...letters, ...letters.map((l) => `##${l}`),
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
