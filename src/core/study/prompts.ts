// The text each model is asked, and its tokens. The same text goes to both models of a pair;
// `prompt: chat` wraps the vignette and question in each model's chat template and then opens the
// answer with the set's cue, `prompt: raw` sends them as written.
import type { PairSpec, ScenarioSet, Vignette } from '../format/specs.js';
import { chatTemplateFor } from '../models/chat.js';
import type { TokenizedPrompt } from '../patching/positions.js';
import { buildAnswerSet, type AnswerSet } from '../scoring/answers.js';
import type { PairSide } from './models.js';

/** Vignette, question and the answer cue, as the model reads them in `prompt: raw`. */
export function rawPrompt(v: Vignette, set: ScenarioSet): string {
  return `${v.text}\n${v.question}\n${set.answer}`;
}

/** A stable name for one vignette in errors and result rows. */
export const vignetteName = (v: Vignette) => `${v.item} (${v.condition})`;

/** Text and token ids of every vignette for one model. */
export function tokenizePrompts(side: PairSide, set: ScenarioSet, pair: PairSpec, date = new Date(0)): TokenizedPrompt[] {
  const chat = pair.prompt === 'chat' ? chatTemplateFor({ dir: side.checkpoint.dir, tokenizerConfig: side.checkpoint.tokenizerConfig }) : undefined;
  return set.vignettes.map((v) => {
    if (!chat) {
      const text = rawPrompt(v, set);
      return { name: vignetteName(v), text, ids: side.tokenizer.encode(text) };
    }
    // A fixed date keeps templates that print today's date reproducible.
    const text = chat.render(`${v.text}\n${v.question}`, { system: pair.system, addGenerationPrompt: true, date }) + set.answer;
    // The template writes its own special tokens (BOS among them).
    return { name: vignetteName(v), text, ids: side.tokenizer.encode(text, { addSpecialTokens: false }) };
  });
}

/** The scale's answers as the tokens that follow the cue (" 7"), for teacher forcing. */
export function answerSet(side: PairSide, set: ScenarioSet): AnswerSet {
  return buildAnswerSet(set.scale, (text) => side.tokenizer.encode(text, { addSpecialTokens: false }));
}
