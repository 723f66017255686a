// The model's tokenizer: tokenizer.json run by @huggingface/tokenizers, with the special-token
// policy of tokenizer_config.json on top (add_bos_token / add_eos_token as transformers applies
// them), and every failure turned into a `tokenizer-error` naming the tokenizer and the text.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Tokenizer as HfTokenizer } from '@huggingface/tokenizers';
import { CheckpointError } from './errors.js';

export interface EncodeOptions {
  /** Add BOS/EOS as the tokenizer's configuration says (default true). Chat-templated text
   *  already carries them, so it is encoded with false. */
  addSpecialTokens?: boolean;
}

export interface DecodeOptions {
  skipSpecialTokens?: boolean;
}

export interface Encoded {
  ids: number[];
  /** The tokenizer's own token strings (e.g. "Ġ1" for a byte-level " 1"). */
  tokens: string[];
}

type Json = Record<string, unknown>;

/** tokenizer.json model types the library runs. */
const MODEL_TYPES = ['BPE', 'WordPiece', 'Unigram', 'WordLevel'];

/** A special token in tokenizer_config.json is a string or an AddedToken object. */
function tokenContent(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (v && typeof v === 'object' && typeof (v as Json).content === 'string') return (v as Json).content as string;
  return undefined;
}

export class ModelTokenizer {
  readonly bosToken?: string;
  readonly eosToken?: string;
  readonly padToken?: string;
  readonly unkToken?: string;
  readonly bosTokenId?: number;
  readonly eosTokenId?: number;
  readonly padTokenId?: number;
  /**
   * Explicit add_bos_token / add_eos_token from tokenizer_config.json; when neither is given the
   * tokenizer.json post-processor decides (as for Llama-3 and Qwen2).
   */
  readonly addBos?: boolean;
  readonly addEos?: boolean;
  /** Number of ids the tokenizer can produce (largest id + 1). */
  readonly size: number;
  private readonly hf: HfTokenizer;
  private readonly special: Set<number>;

  /** `source` names the tokenizer (its folder) in error messages. */
  constructor(readonly tokenizerJson: Json, readonly tokenizerConfig: Json = {}, readonly source = 'tokenizer.json') {
    const cfg: Json = { ...tokenizerConfig };
    for (const key of ['bos_token', 'eos_token', 'pad_token', 'unk_token']) {
      const content = tokenContent(tokenizerConfig[key]);
      if (content === undefined) delete cfg[key];
      else cfg[key] = content;
    }
    const model = tokenizerJson.model as Json | undefined;
    if (!model || typeof model !== 'object' || !MODEL_TYPES.includes(String(model.type)) || typeof model.vocab !== 'object' || model.vocab === null) {
      const what = model && typeof model === 'object' ? `model type ${JSON.stringify(model.type)}` : 'no model';
      throw new CheckpointError('tokenizer-error', `${source}: cannot load the tokenizer: ${what}; supported: ${MODEL_TYPES.join(', ')}`, { path: source, name: 'model' });
    }
    // The library reads a WordLevel model's unknown token from the configuration.
    if (cfg.unk_token === undefined && typeof model?.unk_token === 'string') cfg.unk_token = model.unk_token;
    if (!Array.isArray(tokenizerJson.added_tokens)) tokenizerJson = { ...tokenizerJson, added_tokens: [] };
    try {
      this.hf = new HfTokenizer(tokenizerJson, cfg);
    } catch (e) {
      throw new CheckpointError('tokenizer-error', `${source}: cannot load the tokenizer (${(e as Error).message})`, { path: source, cause: e });
    }
    this.bosToken = cfg.bos_token as string | undefined;
    this.eosToken = cfg.eos_token as string | undefined;
    this.padToken = cfg.pad_token as string | undefined;
    this.unkToken = cfg.unk_token as string | undefined;
    this.bosTokenId = this.requireId(this.bosToken, 'bos_token');
    this.eosTokenId = this.requireId(this.eosToken, 'eos_token');
    this.padTokenId = this.requireId(this.padToken, 'pad_token');
    this.requireId(this.unkToken, 'unk_token');
    this.addBos = typeof tokenizerConfig.add_bos_token === 'boolean' ? tokenizerConfig.add_bos_token : undefined;
    this.addEos = typeof tokenizerConfig.add_eos_token === 'boolean' ? tokenizerConfig.add_eos_token : undefined;
    if (this.addBos && this.bosTokenId === undefined) {
      throw new CheckpointError('tokenizer-error', `${source}: add_bos_token is true but no bos_token is configured`, { path: source, name: 'add_bos_token' });
    }
    if (this.addEos && this.eosTokenId === undefined) {
      throw new CheckpointError('tokenizer-error', `${source}: add_eos_token is true but no eos_token is configured`, { path: source, name: 'add_eos_token' });
    }
    // A loop, not Math.max(...ids): spreading a real vocabulary (128k+ ids) overflows the stack.
    let top = -1;
    for (const id of this.hf.get_vocab(true).values()) if (id > top) top = id;
    this.size = top + 1;
    this.special = new Set([...this.hf.get_added_tokens_decoder()].filter(([, t]) => t.special).map(([id]) => id));
  }

  private requireId(token: string | undefined, key: string): number | undefined {
    if (token === undefined) return undefined;
    const id = this.hf.token_to_id(token);
    if (id === undefined) {
      throw new CheckpointError('tokenizer-error', `${this.source}: ${key} ${JSON.stringify(token)} is not in the vocabulary`, { path: this.source, name: key });
    }
    return id;
  }

  encodeWithTokens(text: string, options: EncodeOptions = {}): Encoded {
    const addSpecial = options.addSpecialTokens ?? true;
    // An explicit add_bos_token overrides the post-processor, as transformers' Llama and Gemma
    // tokenizers rebuild their post-processor from it.
    const configBos = this.addBos !== undefined;
    let enc;
    try {
      enc = this.hf.encode(text, { add_special_tokens: addSpecial && !configBos });
    } catch (e) {
      throw new CheckpointError('tokenizer-error', `${this.source}: cannot encode ${preview(text)} (${(e as Error).message})`, { path: this.source, name: text, cause: e });
    }
    const ids = [...enc.ids];
    const tokens = [...enc.tokens];
    const unknown = ids.findIndex((id) => id === undefined || id === null);
    if (unknown >= 0) {
      throw new CheckpointError(
        'tokenizer-error',
        `${this.source}: the piece ${JSON.stringify(tokens[unknown])} of ${preview(text)} has no token and the tokenizer has no unknown token`,
        { path: this.source, name: tokens[unknown] },
      );
    }
    if (addSpecial && configBos && this.addBos) {
      ids.unshift(this.bosTokenId as number);
      tokens.unshift(this.bosToken as string);
    }
    if (addSpecial && this.addEos && ids.at(-1) !== this.eosTokenId) {
      ids.push(this.eosTokenId as number);
      tokens.push(this.eosToken as string);
    }
    return { ids, tokens };
  }

  encode(text: string, options: EncodeOptions = {}): number[] {
    return this.encodeWithTokens(text, options).ids;
  }

  decode(ids: readonly number[], options: DecodeOptions = {}): string {
    if (ids.length === 0) return '';
    const bad = ids.find((id) => !Number.isInteger(id) || id < 0 || id >= this.size);
    if (bad !== undefined) {
      throw new CheckpointError('tokenizer-error', `${this.source}: cannot decode id ${bad}; ids run from 0 to ${this.size - 1}`, { path: this.source, name: String(bad) });
    }
    // Decode exactly what was asked: the library's default also cleans up spaces before
    // punctuation, which would change the text a model produced.
    return this.hf.decode([...ids], { skip_special_tokens: options.skipSpecialTokens ?? false, clean_up_tokenization_spaces: false });
  }

  /** The tokenizer's token strings for `ids` (undefined entries for ids it does not know). */
  tokenStrings(ids: readonly number[]): Array<string | undefined> {
    return ids.map((id) => this.hf.id_to_token(id));
  }

  tokenToId(token: string): number | undefined {
    return this.hf.token_to_id(token);
  }

  idToToken(id: number): string | undefined {
    return this.hf.id_to_token(id);
  }

  isSpecial(id: number): boolean {
    return this.special.has(id);
  }

  /** token → id, including added tokens. */
  vocab(): Map<string, number> {
    return this.hf.get_vocab(true);
  }
}

/**
 * Token ids of `text` under both tokenizers, which must agree: activations can only be patched
 * position by position when both models see the same tokens. Throws `pair-mismatch` naming the
 * prompt and the first position where they differ.
 */
export function sameTokenization(a: ModelTokenizer, b: ModelTokenizer, text: string, options: EncodeOptions = {}): number[] {
  const ea = a.encodeWithTokens(text, options);
  const eb = b.encodeWithTokens(text, options);
  const n = Math.max(ea.ids.length, eb.ids.length);
  for (let i = 0; i < n; i++) {
    if (ea.ids[i] !== eb.ids[i]) {
      const side = (e: Encoded): string => (i < e.ids.length ? `${JSON.stringify(e.tokens[i])} (${e.ids[i]})` : 'the end');
      throw new CheckpointError(
        'pair-mismatch',
        `the prompt ${preview(text)} tokenizes differently in the two models: at position ${i}, ${side(ea)} in ${a.source} vs ${side(eb)} in ${b.source}`,
        { name: text },
      );
    }
  }
  return ea.ids;
}

function preview(text: string): string {
  return JSON.stringify(text.length > 60 ? `${text.slice(0, 57)}...` : text);
}

/** Loads tokenizer.json (required) and tokenizer_config.json (optional) from a folder. */
export function loadTokenizer(dir: string): ModelTokenizer {
  const file = join(dir, 'tokenizer.json');
  if (!existsSync(file)) throw new CheckpointError('tokenizer-error', `${dir}: tokenizer.json is missing`, { path: file });
  const read = (f: string): Json => {
    try {
      const v = JSON.parse(readFileSync(f, 'utf8'));
      if (v === null || typeof v !== 'object' || Array.isArray(v)) throw new Error('not a JSON object');
      return v as Json;
    } catch (e) {
      throw new CheckpointError('tokenizer-error', `${f}: ${(e as Error).message}`, { path: f, cause: e });
    }
  };
  const configFile = join(dir, 'tokenizer_config.json');
  return new ModelTokenizer(read(file), existsSync(configFile) ? read(configFile) : {}, dir);
}
