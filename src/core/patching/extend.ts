// Prompts extended by their answers' prefixes. Scoring a multi-token answer needs the next-token
// distribution after every proper prefix of it; appending each maximal prefix (a leaf of the
// answer tree) to the prompt gives them all from one sequence's last columns. Patches touch only
// the prompt's columns, so the appended ones ride along in every pass the patch makes, and no
// separate continuation pass is needed. With single-token answers the rows are just the prompts.
import { contextKey } from '../scoring/answers.js';
import { type AnswerScores, logSoftmax, scoreAnswers } from '../scoring/expected.js';
import type { Act } from './model.js';
import type { SweepRequest } from './plan.js';
import { resolvePositions } from './positions.js';

export interface ExtendedRows {
  /** Token ids of each row: a prompt followed by one leaf of the answer tree. */
  ids: number[][];
  /** Index (into the request's prompts) of each row's prompt. */
  prompt: number[];
  leaf: number[][];
  /** Padded length of the batch of rows. */
  length: number;
  /** Patched (padded) columns of each row. */
  cols: number[][];
  /** Columns, counted from the end (−1 the last), whose logits the scores need. */
  tail: number[];
}

export function extendRows(req: SweepRequest, prompts: number[]): ExtendedRows {
  const leaves = req.answers.contexts.length > 1 ? req.answers.leaves : [[]];
  const ids: number[][] = [];
  const prompt: number[] = [];
  const leaf: number[][] = [];
  for (const i of prompts) {
    for (const l of leaves) {
      ids.push([...req.prompts[i].ids, ...l]);
      prompt.push(i);
      leaf.push(l);
    }
  }
  const length = Math.max(...ids.map((r) => r.length));
  const cols = prompt.map((i, r) => {
    const pad = length - ids[r].length;
    return resolvePositions(req.positions, req.prompts[i], req.decode).map((c) => pad + c);
  });
  const m = Math.max(...leaves.map((l) => l.length));
  const tail = Array.from({ length: m + 1 }, (_, j) => j - m - 1);
  return { ids, prompt, leaf, length, cols, tail };
}

/** Scores of each prompt (in the order of `prompts`) from [rows, tail, V] logits of the rows' tail columns. */
export function scoresFromTail(req: SweepRequest, ext: ExtendedRows, logits: Act, prompts: number[]): AnswerScores[] {
  const [, S, V] = logits.dims;
  const dists = new Map<number, Map<string, Float64Array>>(prompts.map((i) => [i, new Map()]));
  ext.ids.forEach((_, r) => {
    const leaf = ext.leaf[r];
    const d = dists.get(ext.prompt[r])!;
    for (let j = 0; j <= leaf.length; j++) {
      // The prompt's last token sits leaf.length columns before the end.
      const col = S - leaf.length - 1 + j;
      d.set(contextKey(leaf.slice(0, j)), logSoftmax(logits.data.subarray((r * S + col) * V, (r * S + col + 1) * V)));
    }
  });
  return prompts.map((i) => scoreAnswers(req.answers, (k) => dists.get(i)!.get(k)!));
}
