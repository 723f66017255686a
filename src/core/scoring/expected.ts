// Expected value and distribution over a scale's answers from next-token distributions. Each
// answer is scored by teacher forcing ALL of its tokens: log P(answer | prompt) = Σ_i log P(t_i |
// prompt, t_<i). The answers' probabilities are then normalised over the scale; the first-token
// mass that no answer starts with is reported as the mass outside the scale.
import { type AnswerSet, contextKey } from './answers.js';

export interface AnswerScores {
  /** Normalised probability of each answer, in scale order. */
  distribution: number[];
  /** Σ value · probability. */
  expected: number;
  /** 1 − the next-token mass of the answers' first tokens. */
  outsideMass: number;
  /** Unnormalised log P(answer | prompt) of each answer. */
  logProbs: number[];
}

/** Log-softmax of one row of logits, in float64 for a stable sum over a large vocabulary. */
export function logSoftmax(logits: ArrayLike<number>): Float64Array {
  let max = -Infinity;
  for (let i = 0; i < logits.length; i++) if (logits[i] > max) max = logits[i];
  let sum = 0;
  for (let i = 0; i < logits.length; i++) sum += Math.exp(logits[i] - max);
  const lse = max + Math.log(sum);
  const out = new Float64Array(logits.length);
  for (let i = 0; i < logits.length; i++) out[i] = logits[i] - lse;
  return out;
}

/**
 * Scores one prompt. `logProbsAfter(key)` returns the next-token log-probabilities after the
 * prompt followed by the context whose `contextKey` is `key` (every context of the set is asked).
 */
export function scoreAnswers(set: AnswerSet, logProbsAfter: (key: string) => ArrayLike<number>): AnswerScores {
  const logProbs = set.tokens.map((ids) => {
    let lp = 0;
    for (let i = 0; i < ids.length; i++) lp += logProbsAfter(contextKey(ids.slice(0, i)))[ids[i]];
    return lp;
  });
  const max = Math.max(...logProbs);
  const weights = logProbs.map((lp) => Math.exp(lp - max));
  const total = weights.reduce((a, b) => a + b, 0);
  const distribution = weights.map((w) => w / total);
  const expected = distribution.reduce((acc, p, i) => acc + p * set.values[i], 0);
  const root = logProbsAfter('');
  let covered = 0;
  for (const t of set.firstTokens) covered += Math.exp(root[t]);
  return { distribution, expected, outsideMass: Math.max(0, 1 - covered), logProbs };
}
