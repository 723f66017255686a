// Which words of the prompts a model's tokenizer cannot read: words it maps to its unknown token,
// and words it can only spell out letter by letter (the demo pair's tokenizer does this for any
// word outside its vocabulary; a byte-level one for nothing but odd strings). A model that cannot
// read a stimulus set's words may show no effect for that reason alone, so the ratings say so.
import type { ModelTokenizer } from '../models/tokenizer.js';

export interface UnreadableWords {
  /** Words (trimmed of punctuation) whose tokens include the unknown token, in order of first use. */
  unknown: string[];
  /** Words split into pieces that are mostly single letters, in order of first use. */
  spelled: string[];
}

const EDGE = /^[^\p{L}\p{N}]+|[^\p{L}\p{N}]+$/gu;
/** Word markers of the common tokenizer families: WordPiece `##`, byte-level `Ġ`, SentencePiece `▁`. */
const MARKERS = /^##|[Ġ▁\s]/g;

export function unreadableWords(tokenizer: ModelTokenizer, texts: readonly string[]): UnreadableWords {
  const unk = tokenizer.unkToken === undefined ? undefined : tokenizer.tokenToId(tokenizer.unkToken);
  const unknown: string[] = [];
  const spelled: string[] = [];
  const seen = new Set<string>();
  if (unk !== undefined) {
    for (const text of texts) {
      for (const chunk of text.split(/\s+/)) {
        const word = chunk.replace(EDGE, '');
        if (word === '' || seen.has(word)) continue;
        seen.add(word);
        if (tokenizer.encode(word, { addSpecialTokens: false }).includes(unk)) unknown.push(word);
      }
    }
  }
  const checked = new Set<string>(unknown);
  for (const text of texts) {
    for (const [word] of text.matchAll(/\p{L}{2,}/gu)) {
      if (checked.has(word)) continue;
      checked.add(word);
      // Mid-sentence form: most tokenizers mark a word that follows a space.
      const pieces = tokenizer.tokenStrings(tokenizer.encode(` ${word}`, { addSpecialTokens: false }))
        .map((p) => (p ?? '').replace(MARKERS, ''))
        .filter((p) => p !== '');
      const letters = pieces.filter((p) => [...p].length === 1).length;
      if (pieces.length >= 2 && letters >= 2 && 2 * letters >= pieces.length) spelled.push(word);
    }
  }
  return { unknown, spelled };
}
