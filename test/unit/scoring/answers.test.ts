import { test } from 'node:test';
import assert from 'node:assert/strict';
import { answerValues, buildAnswerSet, rangeAnswers } from '../../../src/core/scoring/answers.js';
import { logSoftmax, scoreAnswers } from '../../../src/core/scoring/expected.js';
import { ScoringError } from '../../../src/core/scoring/errors.js';

// A toy vocabulary where " 10" is two tokens (" 1", "0"), as in many BPE vocabularies.
const VOCAB = [' 0', ' 1', ' 2', '0', 'x', ' Yes', ' No'];
const encode = (text: string): number[] => {
  const out: number[] = [];
  let rest = text;
  while (rest.length > 0) {
    const id = VOCAB.map((v, i) => [v, i] as const).filter(([v]) => rest.startsWith(v)).sort((a, b) => b[0].length - a[0].length)[0];
    if (!id) throw new Error(`cannot encode ${rest}`);
    out.push(id[1]);
    rest = rest.slice(id[0].length);
  }
  return out;
};

test('range scales and answer values', () => {
  assert.deepEqual(rangeAnswers(0, 3), ['0', '1', '2', '3']);
  assert.deepEqual(answerValues(['0', '5', '10']), [0, 5, 10]);
  assert.deepEqual(answerValues(['Yes', 'No', 'Maybe']), [1, 0, 0]);
  assert.throws(() => rangeAnswers(3, 3), (e: unknown) => e instanceof ScoringError && e.code === 'bad-scale');
});

test('the prefix tree names each context once, root first', () => {
  const set = buildAnswerSet(['0', '1', '2', '10'], encode);
  assert.deepEqual(set.tokens, [[0], [1], [2], [1, 3]]);
  assert.deepEqual(set.contexts, [[], [1]]);
  assert.deepEqual(set.leaves, [[1]]);
  assert.deepEqual(set.firstTokens, [0, 1, 2]);
});

test('answers with identical tokens are rejected, naming both', () => {
  assert.throws(
    () => buildAnswerSet(['1', '1'], encode),
    (e: unknown) => e instanceof ScoringError && e.code === 'ambiguous-answers' && /"1" and "1"/.test(e.message),
  );
});

test('teacher forcing multiplies the probabilities of all of an answer\'s tokens', () => {
  const set = buildAnswerSet(['0', '1', '2', '10'], encode);
  // After the prompt: P(" 0")=.1, P(" 1")=.4, P(" 2")=.2, P("x")=.3. After " 1": P("0")=.25.
  const root = [0.1, 0.4, 0.2, 0, 0.3, 0, 0].map(Math.log);
  const after1 = [0.25, 0.25, 0.25, 0.25, 0, 0, 0].map(Math.log);
  const s = scoreAnswers(set, (k) => (k === '' ? root : after1));
  const raw = [0.1, 0.4, 0.2, 0.4 * 0.25];
  const z = raw.reduce((a, b) => a + b);
  raw.forEach((r, i) => assert.ok(Math.abs(s.distribution[i] - r / z) < 1e-12, `answer ${i}`));
  assert.ok(Math.abs(s.expected - (0 * 0.1 + 1 * 0.4 + 2 * 0.2 + 10 * 0.1) / z) < 1e-12);
  assert.ok(Math.abs(s.outsideMass - 0.3) < 1e-12);
});

test('log-softmax is normalised and shift invariant', () => {
  const a = logSoftmax([1, 2, 3]);
  const b = logSoftmax([1001, 1002, 1003]);
  assert.ok(Math.abs([...a].reduce((s, x) => s + Math.exp(x), 0) - 1) < 1e-12);
  a.forEach((x, i) => assert.ok(Math.abs(x - b[i]) < 1e-9));
});

test('a choice scale rates by the probability of its first answer, with the mass off the choices', () => {
  const set = buildAnswerSet(['Yes', 'No'], encode);
  assert.deepEqual(set.tokens, [[5], [6]]);
  const root = [0, 0, 0, 0, 0.2, 0.6, 0.2].map(Math.log);
  const s = scoreAnswers(set, () => root);
  assert.ok(Math.abs(s.distribution[0] - 0.75) < 1e-12);
  assert.ok(Math.abs(s.expected - 0.75) < 1e-12);
  assert.ok(Math.abs(s.outsideMass - 0.2) < 1e-12);
});
