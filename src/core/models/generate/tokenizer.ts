// A small byte-level BPE tokenizer.json for generated checkpoints that are given no real tokenizer:
// every text encodes (through the 256 byte symbols), a few merges make common words and the
// scale's answers short, and the special tokens sit at the ids the model's config.json names.
// Written here because the tokenizers library builds vocabularies only by training on a corpus.

/** GPT-2's reversible byte → printable character map used by byte-level BPE. */
export function bytesToUnicode(): string[] {
  const keep: number[] = [];
  for (let b = 33; b <= 126; b++) keep.push(b);
  for (let b = 161; b <= 172; b++) keep.push(b);
  for (let b = 174; b <= 255; b++) keep.push(b);
  const out = new Array<string>(256);
  let extra = 0;
  for (let b = 0; b < 256; b++) out[b] = keep.includes(b) ? String.fromCharCode(b) : String.fromCharCode(256 + extra++);
  return out;
}

/** Words the byte-level tokenizer knows whole (with a leading space, as they follow one). */
export const BPE_WORDS = [
  ' the', ' chairman', ' said', ' harm', ' help', ' environment', ' intentionally', ' program', ' profit',
  ' How', ' did', ' on', ' a', ' scale', ' from', ' to', ' Answer', ':', ' The', ' he', ' will', ' not',
];

export interface BpeTokenizerOptions {
  /** Whole words to add merges for (spaces become Ġ). Default BPE_WORDS. */
  words?: string[];
  /** Special tokens, after the BPE vocabulary unless `specialIds` places them. */
  specials?: string[];
  /** Fixed ids of some specials (e.g. where a config.json's bos_token_id points); the BPE
   *  vocabulary skips them. */
  specialIds?: Record<string, number>;
  /** Token prepended by the post-processor, e.g. "<|bos|>". */
  bos?: string;
}

/**
 * A byte-level BPE tokenizer.json: the 256 byte symbols, merges that build each of `words`
 * left to right, " 0" … " 9" merged (so " 10" is two tokens: "Ġ1" and "0"), then specials.
 * Without `specialIds`, byte b has id b.
 */
export function byteLevelBpeTokenizer(opts: BpeTokenizerOptions = {}): Record<string, unknown> {
  const b2u = bytesToUnicode();
  const fixed = new Set(Object.values(opts.specialIds ?? {}));
  const vocab: Record<string, number> = {};
  let next = 0;
  const nextId = (): number => {
    while (fixed.has(next)) next++;
    return next++;
  };
  for (const ch of b2u) vocab[ch] = nextId();
  const merges: Array<[string, string]> = [];
  const addMerge = (left: string, right: string): void => {
    const joined = left + right;
    if (joined in vocab) return;
    merges.push([left, right]);
    vocab[joined] = nextId();
  };
  const enc = new TextEncoder();
  const symbolsOf = (s: string): string[] => Array.from(enc.encode(s), (b) => b2u[b]);
  for (let d = 0; d <= 9; d++) addMerge(b2u[32], String(d));
  for (const word of opts.words ?? BPE_WORDS) {
    const syms = symbolsOf(word);
    let acc = syms[0];
    for (let i = 1; i < syms.length; i++) {
      addMerge(acc, syms[i]);
      acc += syms[i];
    }
  }
  const specials = opts.specials ?? ['<|bos|>', '<|eos|>', '<|user|>', '<|assistant|>'];
  const added = specials.map((content) => {
    const id = opts.specialIds?.[content] ?? nextId();
    return { id, content, single_word: false, lstrip: false, rstrip: false, normalized: false, special: true };
  });
  const bosId = opts.bos === undefined ? undefined : added.find((t) => t.content === opts.bos)?.id;
  const postProcessor = bosId === undefined
    ? { type: 'ByteLevel', add_prefix_space: true, trim_offsets: false, use_regex: true }
    : {
      type: 'TemplateProcessing',
      single: [{ SpecialToken: { id: opts.bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }],
      pair: [{ SpecialToken: { id: opts.bos, type_id: 0 } }, { Sequence: { id: 'A', type_id: 0 } }, { SpecialToken: { id: opts.bos, type_id: 1 } }, { Sequence: { id: 'B', type_id: 1 } }],
      special_tokens: { [opts.bos as string]: { id: opts.bos, ids: [bosId], tokens: [opts.bos] } },
    };
  return {
    version: '1.0',
    truncation: null,
    padding: null,
    added_tokens: added,
    normalizer: null,
    pre_tokenizer: { type: 'ByteLevel', add_prefix_space: false, trim_offsets: true, use_regex: true },
    post_processor: postProcessor,
    decoder: { type: 'ByteLevel', add_prefix_space: true, trim_offsets: true, use_regex: true },
    model: {
      type: 'BPE', dropout: null, unk_token: null, continuing_subword_prefix: null, end_of_word_suffix: null,
      fuse_unk: false, byte_fallback: false, ignore_merges: false, vocab, merges,
    },
  };
}

/** One more than the largest id of a tokenizer.json (its vocabulary and added tokens). */
export function tokenizerIdCount(tokenizerJson: Record<string, unknown>): number {
  let top = -1;
  const vocab = (tokenizerJson.model as { vocab?: unknown } | undefined)?.vocab;
  // Unigram vocabularies are [piece, score] lists in id order; BPE and WordLevel map token → id.
  if (Array.isArray(vocab)) top = vocab.length - 1;
  else if (vocab && typeof vocab === 'object') for (const id of Object.values(vocab)) if (typeof id === 'number' && id > top) top = id;
  const added = tokenizerJson.added_tokens;
  if (Array.isArray(added)) for (const t of added as Array<{ id?: unknown }>) if (typeof t.id === 'number' && t.id > top) top = t.id;
  return top + 1;
}

/** A ChatML-like template: bos, then each message between role markers. */
export const GENERATED_CHAT_TEMPLATE =
  '{{ bos_token }}{% for m in messages %}' +
  "{% if m['role'] == 'system' %}<|user|>system: {{ m['content'] }}\n" +
  "{% elif m['role'] == 'user' %}<|user|>{{ m['content'] | trim }}\n" +
  "{% else %}<|assistant|>{{ m['content'] | trim }}{{ eos_token }}{% endif %}{% endfor %}" +
  '{% if add_generation_prompt %}<|assistant|>{% endif %}';

const firstId = (v: unknown): number | undefined => (typeof v === 'number' ? v : Array.isArray(v) && typeof v[0] === 'number' ? v[0] : undefined);

/**
 * tokenizer.json and tokenizer_config.json for a generated model of `config` (its config.json):
 * BOS and EOS at the config's ids when it names them. Throws when the vocabulary is too small
 * to hold the tokenizer.
 */
export function generatedTokenizer(config: Record<string, unknown>, vocabSize: number): { tokenizerJson: Record<string, unknown>; tokenizerConfig: Record<string, unknown> } {
  const bos = firstId(config.bos_token_id);
  const eos = firstId(config.eos_token_id);
  const specialIds: Record<string, number> = {};
  if (bos !== undefined) specialIds['<|bos|>'] = bos;
  if (eos !== undefined && eos !== bos) specialIds['<|eos|>'] = eos;
  const tokenizerJson = byteLevelBpeTokenizer({ specialIds, bos: bos === undefined ? undefined : '<|bos|>' });
  const needed = tokenizerIdCount(tokenizerJson);
  if (needed > vocabSize) {
    throw new Error(`the generated tokenizer needs ${needed} ids but vocab_size is ${vocabSize}; give a larger vocabulary or a tokenizer folder`);
  }
  const tokenizerConfig = {
    ...(bos === undefined ? {} : { bos_token: '<|bos|>' }),
    eos_token: eos === bos && eos !== undefined ? '<|bos|>' : '<|eos|>',
    add_bos_token: bos !== undefined,
    add_eos_token: false,
    chat_template: GENERATED_CHAT_TEMPLATE,
    model_max_length: typeof config.max_position_embeddings === 'number' ? config.max_position_embeddings : 2048,
    tokenizer_class: 'PreTrainedTokenizerFast',
  };
  return { tokenizerJson, tokenizerConfig };
}
