// Batches of ragged prompts: left padding (so the last column is every prompt's last token),
// position ids counted from each prompt's first real token, and the additive attention masks
// (causal, padding, optional sliding window) the attention graphs take.

/** A segment of a left-padded batch: `length` new columns after `past` cached ones. */
export interface Batch {
  /** Number of prompts, B. */
  readonly size: number;
  /** New positions in this segment, S. */
  readonly length: number;
  /** Columns before this segment whose keys/values come from a cache, P. */
  readonly past: number;
  /** [B, S] token ids (pad id in padding). */
  readonly inputIds: BigInt64Array;
  /** [B, S] position of each token within its prompt (0 in padding). */
  readonly positionIds: BigInt64Array;
  /** [B, P + S] 1 where the column holds a real token. */
  readonly keyMask: Uint8Array;
}

/** Masked scores get this instead of -inf so that softmax stays finite everywhere. */
const MASKED = -1e30;

/** Left-pads `prompts` (token-id lists) into one batch. */
export function makeBatch(prompts: readonly (readonly number[])[], padTokenId = 0): Batch {
  if (prompts.length === 0) throw new Error('makeBatch: no prompts');
  prompts.forEach((p, i) => {
    if (p.length === 0) throw new Error(`makeBatch: prompt ${i} has no tokens`);
  });
  const B = prompts.length;
  const S = Math.max(...prompts.map((p) => p.length));
  const inputIds = new BigInt64Array(B * S).fill(BigInt(padTokenId));
  const positionIds = new BigInt64Array(B * S);
  const keyMask = new Uint8Array(B * S);
  prompts.forEach((p, b) => {
    const pad = S - p.length;
    p.forEach((tok, j) => {
      inputIds[b * S + pad + j] = BigInt(tok);
      positionIds[b * S + pad + j] = BigInt(j);
      keyMask[b * S + pad + j] = 1;
    });
  });
  return { size: B, length: S, past: 0, inputIds, positionIds, keyMask };
}

/**
 * Columns [start, end) of a whole batch as a segment whose first `start` columns are cached:
 * run `sliceBatch(b, 0, k)` and then `sliceBatch(b, k, b.length)` with the first run's keys/values.
 */
export function sliceBatch(batch: Batch, start: number, end: number = batch.past + batch.length): Batch {
  const total = batch.past + batch.length;
  if (batch.past !== 0) throw new Error('sliceBatch: slice the whole batch, not a segment');
  if (!(Number.isInteger(start) && Number.isInteger(end) && 0 <= start && start < end && end <= total)) {
    throw new Error(`sliceBatch: columns [${start}, ${end}) are not a non-empty range within 0..${total}`);
  }
  const B = batch.size;
  const S = end - start;
  const inputIds = new BigInt64Array(B * S);
  const positionIds = new BigInt64Array(B * S);
  const keyMask = new Uint8Array(B * end);
  for (let b = 0; b < B; b++) {
    inputIds.set(batch.inputIds.subarray(b * total + start, b * total + end), b * S);
    positionIds.set(batch.positionIds.subarray(b * total + start, b * total + end), b * S);
    keyMask.set(batch.keyMask.subarray(b * total, b * total + end), b * end);
  }
  return { size: B, length: S, past: start, inputIds, positionIds, keyMask };
}

/**
 * Additive mask [B, S, P + S]: query column i sees key column j when j holds a real token, j ≤ i
 * and, with a sliding window w, i − j < w. A padding query sees only itself, so its row stays
 * well defined (its output is never read).
 */
export function attentionMask(batch: Batch, window?: number): Float32Array {
  const { size: B, length: S, past: P, keyMask } = batch;
  const T = P + S;
  const mask = new Float32Array(B * S * T).fill(MASKED);
  for (let b = 0; b < B; b++) {
    for (let s = 0; s < S; s++) {
      const i = P + s;
      const row = (b * S + s) * T;
      if (!keyMask[b * T + i]) {
        mask[row + i] = 0;
        continue;
      }
      const from = window === undefined ? 0 : Math.max(0, i - window + 1);
      for (let j = from; j <= i; j++) if (keyMask[b * T + j]) mask[row + j] = 0;
    }
  }
  return mask;
}
