// The answers of a rating scale as token sequences, and the prefix tree over them. Scoring a
// multi-token answer by teacher forcing needs the next-token distribution after the prompt and
// after every proper prefix of every answer; the tree names exactly those contexts, each once,
// so answers that share a first token (" 1" and " 10" in many BPE vocabularies) share the work.
import { ScoringError } from './errors.js';

export interface AnswerSet {
  /** The answers as written on the scale ("0".."10", or "Yes", "No"). */
  answers: string[];
  /** Token ids of each answer as it follows the prompt (the answer prefix, e.g. a space, included). */
  tokens: number[][];
  /** Numeric value of each answer (its number, or for a non-numeric scale 1 for the first answer, 0 for the rest). */
  values: number[];
  /**
   * Contexts (token paths after the prompt) whose next-token distribution the scores need, root
   * (the empty path) first, then by increasing length. Maximal paths are listed in `leaves`.
   */
  contexts: number[][];
  /** The contexts that are not a prefix of another context: running these covers all of them. */
  leaves: number[][];
  /** Distinct first tokens of the answers: the mass outside them is the mass off the scale. */
  firstTokens: number[];
}

/** The integer answers of a range scale: `rangeAnswers(0, 10)` → "0".."10". */
export function rangeAnswers(min: number, max: number): string[] {
  if (!Number.isInteger(min) || !Number.isInteger(max) || max <= min) {
    throw new ScoringError('bad-scale', `scale ${min}..${max} is not an increasing range of integers`);
  }
  return Array.from({ length: max - min + 1 }, (_, i) => String(min + i));
}

/** Value of each answer: its number when every answer is a number, else 1 for the first and 0 for the others. */
export function answerValues(answers: string[]): number[] {
  const nums = answers.map((a) => Number(a.trim()));
  if (nums.every((n, i) => answers[i].trim() !== '' && Number.isFinite(n))) return nums;
  return answers.map((_, i) => (i === 0 ? 1 : 0));
}

/**
 * Builds the answer set. `encode` turns the text that follows the prompt into token ids (no
 * special tokens); `prefix` is put before each answer (a space after a cue like "Answer:").
 */
export function buildAnswerSet(answers: string[], encode: (text: string) => number[], prefix = ' '): AnswerSet {
  if (answers.length < 2) throw new ScoringError('bad-scale', `a scale needs at least two answers, got ${JSON.stringify(answers)}`);
  const tokens = answers.map((a) => {
    const ids = encode(prefix + a);
    if (ids.length === 0) throw new ScoringError('empty-answer', `answer "${a}" encodes to no tokens`);
    return ids;
  });
  const seen = new Map<string, string>();
  tokens.forEach((ids, i) => {
    const key = ids.join(',');
    const other = seen.get(key);
    if (other !== undefined) {
      throw new ScoringError('ambiguous-answers', `answers "${other}" and "${answers[i]}" encode to the same tokens [${key}]`);
    }
    seen.set(key, answers[i]);
  });
  const contextKeys = new Map<string, number[]>([['', []]]);
  for (const ids of tokens) {
    for (let n = 1; n < ids.length; n++) contextKeys.set(ids.slice(0, n).join(','), ids.slice(0, n));
  }
  const contexts = [...contextKeys.values()].sort((a, b) => a.length - b.length);
  const isPrefixOfAnother = (p: number[]) =>
    contexts.some((q) => q.length > p.length && p.every((t, i) => q[i] === t));
  const leaves = contexts.filter((p) => !isPrefixOfAnother(p));
  const firstTokens = [...new Set(tokens.map((ids) => ids[0]))];
  return { answers, tokens, values: answerValues(answers), contexts, leaves, firstTokens };
}

export const contextKey = (path: readonly number[]) => path.join(',');
