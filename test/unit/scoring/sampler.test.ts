import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkSamplingOptions, drawTemperature, sampleToken } from '../../../src/core/scoring/sampler.js';
import { ScoringError } from '../../../src/core/scoring/errors.js';

// A deterministic uniform stream for the tests (a linear congruential generator).
function lcg(seed: number): () => number {
  let s = seed >>> 0;
  return () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32);
}

function frequencies(logits: number[], t: number, k: number, p: number, n = 20000): number[] {
  const u = lcg(7);
  const counts = logits.map(() => 0);
  for (let i = 0; i < n; i++) counts[sampleToken(logits, t, k, p, u)]++;
  return counts.map((c) => c / n);
}
const near = (a: number[], b: number[], tol = 0.015) => a.every((x, i) => Math.abs(x - b[i]) < tol);
const logits = [0.1, 0.2, 0.3, 0.4].map(Math.log);

test('plain sampling follows the softmax', () => assert.ok(near(frequencies(logits, 1, 0, 1), [0.1, 0.2, 0.3, 0.4])));
test('temperature 0.5 squares the probabilities', () => assert.ok(near(frequencies(logits, 0.5, 0, 1), [1, 4, 9, 16].map((x) => x / 30))));
test('top-k keeps the k most likely', () => assert.ok(near(frequencies(logits, 1, 2, 1), [0, 0, 3 / 7, 4 / 7])));
test('top-p keeps the smallest nucleus reaching p', () => assert.ok(near(frequencies(logits, 1, 0, 0.65), [0, 0, 3 / 7, 4 / 7])));
test('top-p keeps at least one token', () => assert.deepEqual(frequencies(logits, 1, 0, 0.01, 100), [0, 0, 0, 1]));
test('temperature 0 is greedy', () => assert.equal(sampleToken([1, 5, 5, 2], 0, 0, 1, () => 0.5), 1));
test('the same stream gives the same draws', () => {
  const a = lcg(3), b = lcg(3);
  const xs = Array.from({ length: 50 }, () => sampleToken(logits, 1, 0, 1, a));
  const ys = Array.from({ length: 50 }, () => sampleToken(logits, 1, 0, 1, b));
  assert.deepEqual(xs, ys);
});
test('a temperature range is drawn uniformly', () => {
  assert.equal(drawTemperature(0.7, () => 0.3), 0.7);
  assert.ok(Math.abs(drawTemperature([0.85, 1.15], () => 0.5) - 1) < 1e-12);
  assert.equal(drawTemperature([0.85, 1.15], () => 0), 0.85);
});
const bad: [string, Parameters<typeof checkSamplingOptions>[0]][] = [
  ['negative temperature', { temperature: -1, topP: 1, topK: 0 }],
  ['reversed range', { temperature: [1.2, 0.8], topP: 1, topK: 0 }],
  ['top-p 0', { temperature: 1, topP: 0, topK: 0 }],
  ['fractional top-k', { temperature: 1, topP: 1, topK: 1.5 }],
];
for (const [name, o] of bad) {
  test(`rejects ${name}`, () => assert.throws(() => checkSamplingOptions(o), (e: unknown) => e instanceof ScoringError && e.code === 'bad-sampling-option'));
}
