// Batches the scheduler builds: left-padded prompts, a window of their columns run on top of a
// cache of the earlier ones, and continuations (answer prefixes) run on top of a prompt's cache.
import { makeBatch } from '../models/graph/batch.js';
import type { StepBatch } from './model.js';

/** Left-pads token-id lists into one batch (the last column is every prompt's last token): the runtime's own batching. */
export function promptBatch(prompts: readonly (readonly number[])[], padId = 0): StepBatch {
  return makeBatch(prompts, padId);
}

/** Columns [from, S) of a whole batch, the columns before them coming from a cache. */
export function suffixBatch(batch: StepBatch, from: number): StepBatch {
  if (from === 0) return batch;
  const { size: B, length: S } = batch;
  const n = S - from;
  const inputIds = new BigInt64Array(B * n);
  const positionIds = new BigInt64Array(B * n);
  for (let b = 0; b < B; b++) {
    inputIds.set(batch.inputIds.subarray(b * S + from, (b + 1) * S), b * n);
    positionIds.set(batch.positionIds.subarray(b * S + from, (b + 1) * S), b * n);
  }
  return { size: B, length: n, past: from, inputIds, positionIds, keyMask: batch.keyMask };
}

/**
 * Continuations after whole prompts: row i continues prompt `rows[i]` of `prompts` with
 * `tokens[i]`, right-padded to the longest (causal attention keeps the padding invisible to the
 * real columns before it, so it needs no masking).
 */
export function continuationBatch(prompts: StepBatch, rows: number[], tokens: number[][], padId = 0): StepBatch {
  const T = prompts.length;
  const n = Math.max(...tokens.map((t) => t.length));
  const B = rows.length;
  const inputIds = new BigInt64Array(B * n).fill(BigInt(padId));
  const positionIds = new BigInt64Array(B * n);
  const keyMask = new Uint8Array(B * (T + n));
  rows.forEach((r, i) => {
    const mask = prompts.keyMask.subarray(r * T, (r + 1) * T);
    keyMask.set(mask, i * (T + n));
    keyMask.fill(1, i * (T + n) + T, (i + 1) * (T + n));
    let real = 0;
    for (const m of mask) real += m;
    for (let j = 0; j < n; j++) {
      if (j < tokens[i].length) inputIds[i * n + j] = BigInt(tokens[i][j]);
      positionIds[i * n + j] = BigInt(real + j);
    }
  });
  return { size: B, length: n, past: T, inputIds, positionIds, keyMask };
}
