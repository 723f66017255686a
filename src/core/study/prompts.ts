// The text each model is asked, and its tokens. The same text goes to both models of a pair;
// `prompt: chat` wraps the vignette and question in each model's chat template and then opens the
// answer with the set's cue, `prompt: raw` sends them as written.
import type { PairSpec, ScenarioSet, Vignette } from '../format/specs.js';
import { chatTemplateFor } from '../models/chat.js';
import type { TokenizedPrompt } from '../patching/positions.js';
import { buildAnswerSet, type AnswerSet } from '../scoring/answers.js';
import type { ModelTokenizer } from '../models/tokenizer.js';
import { StudyError } from './errors.js';
import type { PairSide } from './models.js';

/** Vignette, question and the answer cue, as the model reads them in `prompt: raw`. */
export function rawPrompt(v: Vignette, set: ScenarioSet): string {
  return `${v.text}\n${v.question}\n${set.answer}`;
}

/** A stable name for one vignette in errors and result rows. */
export const vignetteName = (v: Vignette) => `${v.item} (${v.condition})`;

/**
 * Text and token ids of every vignette for one model. `reserve` is how many positions the run
 * needs after the prompt (answer tokens, generated tokens); a prompt that does not fit the
 * model's positions is refused before anything runs, naming the vignette and the limit.
 */
export function tokenizePrompts(side: PairSide, set: ScenarioSet, pair: PairSpec, opts: { reserve?: number; date?: Date } = {}): TokenizedPrompt[] {
  const prompts = renderPrompts(side, set, pair, opts.date);
  checkLength(side, prompts, opts.reserve ?? 0);
  return prompts;
}

function checkLength(side: PairSide, prompts: TokenizedPrompt[], reserve: number): void {
  const limit = side.checkpoint.config.maxPositions;
  const longest = prompts.reduce<TokenizedPrompt | undefined>((a, p) => (a && a.ids.length >= p.ids.length ? a : p), undefined);
  if (!longest || longest.ids.length + reserve <= limit) return;
  const over = prompts.filter((p) => p.ids.length + reserve > limit).length;
  const after = reserve > 0 ? ` and ${reserve} more for its answer` : '';
  throw new StudyError(
    'prompt-too-long',
    `vignette \`${longest.name}\` is ${longest.ids.length} tokens long${after}, but the ${side.role} model \`${side.provenance.source}\` has ${limit} positions (max_position_embeddings)${over > 1 ? `; ${over} vignettes do not fit` : ''}`,
    'shorten the vignette (or the template around it), or use a model with more positions',
  );
}

function renderPrompts(side: PairSide, set: ScenarioSet, pair: PairSpec, date = new Date(0)): TokenizedPrompt[] {
  const chat = pair.prompt === 'chat' ? chatTemplateFor({ dir: side.checkpoint.dir, tokenizerConfig: side.checkpoint.tokenizerConfig }) : undefined;
  return set.vignettes.map((v) => {
    if (!chat) {
      const text = rawPrompt(v, set);
      return withOffsets(side, { name: vignetteName(v), text, ids: side.tokenizer.encode(text) });
    }
    // A fixed date keeps templates that print today's date reproducible.
    const text = chat.render(`${v.text}\n${v.question}`, { system: pair.system, addGenerationPrompt: true, date }) + set.answer;
    // The template writes its own special tokens (BOS among them).
    return withOffsets(side, { name: vignetteName(v), text, ids: side.tokenizer.encode(text, { addSpecialTokens: false }) });
  });
}

/**
 * Adds each token's character span when the token strings can be laid over the text in order.
 * The tokenizer library reports no offsets, and phrase positions otherwise rely on decoding
 * giving back the text — which normalizing tokenizers (lower-casing, WordPiece spacing around
 * punctuation, as the demo pair's) never do. Byte-level pieces ("Ġthe") do not align here and
 * keep the decoding route, which is exact for them.
 */
function withOffsets(side: PairSide, prompt: TokenizedPrompt): TokenizedPrompt {
  const { text, ids } = prompt;
  const pieces = side.tokenizer.tokenStrings(ids);
  const offsets: [number, number][] = [];
  let at = 0;
  for (const [i, id] of ids.entries()) {
    while (at < text.length && /\s/.test(text[at])) at++;
    const raw = pieces[i];
    if (raw === undefined) return prompt;
    const special = side.tokenizer.isSpecial(id);
    const piece = special ? raw : raw.replace(/^##/, '');
    const here = text.slice(at, at + piece.length);
    if (here === piece || (!special && here.toLowerCase() === piece.toLowerCase())) {
      offsets.push([at, at + piece.length]);
      at += piece.length;
    } else if (special) {
      // A special token the tokenizer added (BOS) covers no text.
      offsets.push([at, at]);
    } else {
      return prompt;
    }
  }
  return text.slice(at).trim() === '' ? { ...prompt, offsets } : prompt;
}

/** The scale's answers as the tokens that follow the cue (" 7"), for teacher forcing. */
export function answerSet(side: PairSide, set: ScenarioSet): AnswerSet {
  return buildAnswerSet(set.scale, (text) => side.tokenizer.encode(text, { addSpecialTokens: false }));
}

/**
 * Character span of each token in the text, for locating a phrase's tokens. The tokenizer library
 * reports no offsets, so each token's surface form (its string without the `##`, `Ġ` or `▁`
 * word markers) is matched against the text in order, ignoring case and white space; special
 * tokens get an empty span. Undefined when a token cannot be matched (e.g. byte-level pieces of
 * non-ASCII text): the patcher then falls back to decoding.
 */
export function tokenOffsets(tokenizer: ModelTokenizer, text: string, ids: number[]): [number, number][] | undefined {
  const strings = tokenizer.tokenStrings(ids);
  const lower = text.toLowerCase();
  const spans: [number, number][] = [];
  let at = 0;
  for (let i = 0; i < ids.length; i++) {
    const raw = strings[i];
    if (raw === undefined) return undefined;
    if (tokenizer.isSpecial(ids[i])) {
      spans.push([at, at]);
      continue;
    }
    const surface = raw.replace(/^##/, '').replace(/[Ġ▁]/g, ' ').replace(/Ċ/g, '\n').trimStart().toLowerCase();
    while (at < lower.length && /\s/.test(lower[at]) && !(surface.length > 0 && lower.startsWith(surface, at))) at++;
    if (surface.length === 0) {
      spans.push([at, at]);
      continue;
    }
    if (!lower.startsWith(surface, at)) return undefined;
    spans.push([at, at + surface.length]);
    at += surface.length;
  }
  return spans;
}
