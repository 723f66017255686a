// Batches and masks as tables: left padding, position ids, and which keys each query sees.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { attentionMask, makeBatch, sliceBatch, type Batch } from '../../../src/core/models/graph/batch.js';
import { inverseFrequencies } from '../../../src/core/models/graph/rope.js';
import type { ModelConfig } from '../../../src/core/models/types.js';

/** The mask as rows of '1' (visible) / '.' (masked), one string per query, per prompt. */
function seen(batch: Batch, window?: number): string[][] {
  const m = attentionMask(batch, window);
  const T = batch.past + batch.length;
  return Array.from({ length: batch.size }, (_, b) =>
    Array.from({ length: batch.length }, (_, s) =>
      Array.from({ length: T }, (_, j) => (m[(b * batch.length + s) * T + j] === 0 ? '1' : '.')).join(''),
    ),
  );
}
const ids = (b: Batch) => Array.from(b.inputIds, Number);
const pos = (b: Batch) => Array.from(b.positionIds, Number);

test('left padding, position ids and key mask', () => {
  const b = makeBatch([[4, 5, 6], [7]], 9);
  assert.deepEqual([b.size, b.length, b.past], [2, 3, 0]);
  assert.deepEqual(ids(b), [4, 5, 6, 9, 9, 7]);
  assert.deepEqual(pos(b), [0, 1, 2, 0, 0, 0]);
  assert.deepEqual([...b.keyMask], [1, 1, 1, 0, 0, 1]);
});

test('masks: causal, padding, sliding window', () => {
  const b = makeBatch([[1, 2, 3, 4], [1, 2]]);
  assert.deepEqual(seen(b), [
    ['1...', '11..', '111.', '1111'],
    // padding queries see only themselves; real queries never see padding
    ['1...', '.1..', '..1.', '..11'],
  ]);
  assert.deepEqual(seen(b, 2)[0], ['1...', '11..', '.11.', '..11']);
  assert.deepEqual(seen(b, 1)[0], ['1...', '.1..', '..1.', '...1']);
});

test('slices continue the whole batch on cached columns', () => {
  const b = makeBatch([[1, 2, 3, 4], [5, 6]]);
  const tail = sliceBatch(b, 3);
  assert.deepEqual([tail.size, tail.length, tail.past], [2, 1, 3]);
  assert.deepEqual(ids(tail), [4, 6]);
  assert.deepEqual(pos(tail), [3, 1]);
  assert.deepEqual(seen(tail), [['1111'], ['..11']]);
  assert.deepEqual(seen(tail, 2), [['..11'], ['..11']]);
  const head = sliceBatch(b, 0, 2);
  assert.deepEqual(seen(head), [['1.', '11'], ['1.', '.1']]);
});

test('bad batches are refused with the culprit named', () => {
  assert.throws(() => makeBatch([]), /no prompts/);
  assert.throws(() => makeBatch([[1], []]), /prompt 1 has no tokens/);
  const b = makeBatch([[1, 2, 3]]);
  assert.throws(() => sliceBatch(b, 2, 2), /\[2, 2\)/);
  assert.throws(() => sliceBatch(b, 0, 4), /\[0, 4\)/);
  assert.throws(() => sliceBatch(sliceBatch(b, 1), 1), /whole batch/);
});

test('Llama 3 rope scaling keeps short wavelengths, divides long ones, blends the band between', () => {
  const config = {
    headDim: 8,
    ropeTheta: 10000,
    ropeScaling: { type: 'llama3', factor: 8, lowFreqFactor: 1, highFreqFactor: 4, originalMaxPositions: 64 },
  } as ModelConfig;
  const f = inverseFrequencies(config);
  // Unscaled: 1, 0.1, 0.01, 0.001 → wavelengths 6.3 (< 16: kept), 62.8 (between 16 and 64:
  // blended with smooth = (64/62.83 − 1)/3), 628 and 6283 (> 64: divided by 8).
  const smooth = (64 / (2 * Math.PI / 0.1) - 1) / 3;
  const want = [1, (1 - smooth) * 0.1 / 8 + smooth * 0.1, 0.01 / 8, 0.001 / 8];
  f.forEach((v, i) => assert.ok(Math.abs(v - want[i]) < 1e-12 * want[i], `frequency ${i}: ${v} vs ${want[i]}`));
});
