// The text each model is asked, and its tokens. The same text goes to both models of a pair: the
// set's prompt template filled for the vignette (see format/prompt-template.ts). `prompt: raw`
// sends it as written; `prompt: chat` wraps everything before the answer cue in each model's chat
// template as the user message, then opens the answer with the cue.
import type { ModelRole, Provenance } from '../../common/results.js';
import type { PairSpec, ScenarioSet, Vignette } from '../format/specs.js';
import { anchorsPhrase, parsePromptTemplate, renderPromptTemplate, scalePhrase, type RenderedPrompt } from '../format/prompt-template.js';
import { chatTemplateFor, type ChatTemplate } from '../models/chat.js';
import type { TokenizedPrompt } from '../patching/positions.js';
import { buildAnswerSet, type AnswerSet } from '../scoring/answers.js';
import type { ModelTokenizer } from '../models/tokenizer.js';
import { StudyError } from './errors.js';
import type { PairSide, ResolvedPair } from './models.js';

/** The set's template filled for one vignette. */
export function filledTemplate(v: Vignette, set: ScenarioSet): RenderedPrompt {
  return renderPromptTemplate(parsePromptTemplate(set.template.text), {
    vignette: v.text,
    question: v.question,
    scale: scalePhrase(set.scale),
    anchors: anchorsPhrase(set.scale, set.anchors),
    answer: set.answer,
  });
}

/** A stable name for one vignette in errors and result rows. */
export const vignetteName = (v: Vignette) => `${v.item} (${v.condition})`;

/** What a prompt needs of a model: its tokenizer and chat template, and its positions; no weights. */
export interface PromptModel {
  role: ModelRole;
  /** The model source as written in the pair cell. */
  source: string;
  tokenizer: ModelTokenizer;
  /** Where the chat template comes from: tokenizer_config.json, or chat_template.jinja beside it. */
  chatSource: { dir?: string; tokenizerConfig: Record<string, unknown>; chatTemplate?: string };
  maxPositions: number;
}

export function promptModelOf(side: PairSide): PromptModel {
  const { checkpoint } = side;
  return {
    role: side.role,
    source: side.provenance.source,
    tokenizer: side.tokenizer,
    chatSource: { dir: checkpoint.dir, tokenizerConfig: checkpoint.tokenizerConfig, chatTemplate: checkpoint.chatTemplate },
    maxPositions: checkpoint.config.maxPositions,
  };
}

/**
 * The exact text one model receives for each vignette, with its token ids. A fixed date keeps
 * chat templates that print today's date reproducible.
 */
export function renderPrompts(model: PromptModel, set: ScenarioSet, pair: PairSpec, vignettes = set.vignettes, date = new Date(0)): TokenizedPrompt[] {
  const chat: ChatTemplate | undefined = pair.prompt === 'chat' ? chatTemplateFor(model.chatSource) : undefined;
  return vignettes.map((v) => {
    const filled = filledTemplate(v, set);
    if (!chat) return withOffsets(model.tokenizer, { name: vignetteName(v), text: filled.text, ids: model.tokenizer.encode(filled.text) });
    const text = chat.render(filled.message, { system: pair.system, addGenerationPrompt: true, date }) + filled.cue;
    // The template writes its own special tokens (BOS among them).
    return withOffsets(model.tokenizer, { name: vignetteName(v), text, ids: model.tokenizer.encode(text, { addSpecialTokens: false }) });
  });
}

/** What a result records of its prompts: the template, and the first vignette as each model read it. */
export function promptProvenance(pair: ResolvedPair, set: ScenarioSet): Pick<Provenance, 'template' | 'prompts'> {
  const first = set.vignettes.slice(0, 1);
  const prompts = (['pretrained', 'finetuned'] as const).flatMap((role) =>
    renderPrompts(promptModelOf(pair[role]), set, pair.spec, first).map((p) => ({ model: role, vignette: p.name, text: p.text })),
  );
  return { template: set.template, prompts };
}

/**
 * Text and token ids of every vignette for one model. `reserve` is how many positions the run
 * needs after the prompt (answer tokens, generated tokens); a prompt that does not fit the
 * model's positions is refused before anything runs, naming the vignette and the limit.
 */
export function tokenizePrompts(side: PairSide, set: ScenarioSet, pair: PairSpec, opts: { reserve?: number; date?: Date } = {}): TokenizedPrompt[] {
  const model = promptModelOf(side);
  const prompts = renderPrompts(model, set, pair, set.vignettes, opts.date);
  checkLength(model, prompts, opts.reserve ?? 0);
  return prompts;
}

function checkLength(model: PromptModel, prompts: TokenizedPrompt[], reserve: number): void {
  const limit = model.maxPositions;
  const longest = prompts.reduce<TokenizedPrompt | undefined>((a, p) => (a && a.ids.length >= p.ids.length ? a : p), undefined);
  if (!longest || longest.ids.length + reserve <= limit) return;
  const over = prompts.filter((p) => p.ids.length + reserve > limit).length;
  const after = reserve > 0 ? ` and ${reserve} more for its answer` : '';
  throw new StudyError(
    'prompt-too-long',
    `vignette \`${longest.name}\` is ${longest.ids.length} tokens long${after}, but the ${model.role} model \`${model.source}\` has ${limit} positions (max_position_embeddings)${over > 1 ? `; ${over} vignettes do not fit` : ''}`,
    'shorten the vignette (or the template around it), or use a model with more positions',
  );
}

/**
 * Adds each token's character span when the token strings can be laid over the text in order.
 * The tokenizer library reports no offsets, and phrase positions otherwise rely on decoding
 * giving back the text — which normalizing tokenizers (lower-casing, WordPiece spacing around
 * punctuation, as the demo pair's) never do. Byte-level pieces ("Ġthe") do not align here and
 * keep the decoding route, which is exact for them.
 */
function withOffsets(tokenizer: ModelTokenizer, prompt: TokenizedPrompt): TokenizedPrompt {
  const { text, ids } = prompt;
  const pieces = tokenizer.tokenStrings(ids);
  const offsets: [number, number][] = [];
  let at = 0;
  for (const [i, id] of ids.entries()) {
    while (at < text.length && /\s/.test(text[at])) at++;
    const raw = pieces[i];
    if (raw === undefined) return prompt;
    const special = tokenizer.isSpecial(id);
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
