// Expected-value ratings on a model: one forward pass over the prompts, then the answers' later
// tokens run on top of the prompts' cached keys/values, so a prompt is never recomputed for its
// multi-token answers. Every prompt of a batch and every continuation of it share one call.
import { type AnswerSet, contextKey } from './answers.js';
import { type AnswerScores, logSoftmax, scoreAnswers } from './expected.js';
import { continuationBatch, promptBatch } from '../patching/batch.js';
import { forward } from '../patching/forward.js';
import type { Act, KV, StepBatch, StepModel } from '../patching/model.js';
import { kvRows } from '../patching/tensor.js';
import { throwIfCancelled } from '../patching/errors.js';

/** Log-probabilities of row `row`, column `col` of [B, S, V] logits. */
function rowLogProbs(logits: Act, row: number, col: number): Float64Array {
  const [, S, V] = logits.dims;
  return logSoftmax(logits.data.subarray((row * S + col) * V, (row * S + col + 1) * V));
}

/**
 * Scores every prompt of a batch from the state after the last block (`final`, any window of
 * columns ending at the last one) and the keys/values of every layer over all the batch's columns.
 */
export async function scoreFinal(
  model: StepModel,
  set: AnswerSet,
  batch: StepBatch,
  final: Act,
  kvAt: (layer: number) => KV,
): Promise<AnswerScores[]> {
  const root = await model.logits(final, 'last');
  const B = batch.size;
  const dists: Map<string, Float64Array>[] = Array.from({ length: B }, (_, b) => new Map([['', rowLogProbs(root, b, 0)]]));
  if (set.contexts.length > 1) {
    const rows: number[] = [];
    const tokens: number[][] = [];
    for (let b = 0; b < B; b++) {
      for (const leaf of set.leaves) {
        rows.push(b);
        tokens.push(leaf);
      }
    }
    const cont = continuationBatch(batch, rows, tokens);
    const out = await forward(model, cont, { past: (l) => kvRows(kvAt(l), rows) });
    const logits = await model.logits(out, 'all');
    rows.forEach((b, i) => {
      // Column j holds the distribution after the leaf's first j + 1 tokens.
      for (let j = 0; j < tokens[i].length; j++) dists[b].set(contextKey(tokens[i].slice(0, j + 1)), rowLogProbs(logits, i, j));
    });
  }
  return dists.map((d) =>
    scoreAnswers(set, (key) => {
      const lp = d.get(key);
      if (!lp) throw new Error(`internal: no distribution for context [${key}]`);
      return lp;
    }),
  );
}

/** Expected-value ratings of token-id prompts, `batchSize` prompts per forward pass. */
export async function rateExpected(
  model: StepModel,
  set: AnswerSet,
  prompts: number[][],
  opts: { batchSize?: number; padId?: number; signal?: AbortSignal; onBatch?: (prompts: number) => void } = {},
): Promise<AnswerScores[]> {
  const size = opts.batchSize ?? 8;
  const out: AnswerScores[] = [];
  for (let i = 0; i < prompts.length; i += size) {
    throwIfCancelled(opts.signal);
    const batch = promptBatch(prompts.slice(i, i + size), opts.padId);
    const kvs: KV[] = [];
    const keep = set.contexts.length > 1;
    const final = await forward(model, batch, { onPresent: keep ? (l, kv) => (kvs[l] = kv) : undefined });
    out.push(...(await scoreFinal(model, set, batch, final, (l) => kvs[l])));
    opts.onBatch?.(batch.size);
  }
  return out;
}
