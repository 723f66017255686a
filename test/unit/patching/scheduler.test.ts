// The optimized scheduler against the plain path (a full forward per patch, nothing shared), on a
// small plain-TypeScript transformer pair, for every site, several position choices, layer sets
// and mixes, with single- and multi-token answers.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAnswerSet, rangeAnswers } from '../../../src/core/scoring/answers.js';
import { runSweep, planSweep } from '../../../src/core/patching/scheduler.js';
import { runSweepPlain } from '../../../src/core/patching/plain.js';
import { CancelledError, PatchError } from '../../../src/core/patching/errors.js';
import { LAYER_SITES } from '../../../src/core/patching/hooks.js';
import type { SweepRequest } from '../../../src/core/patching/plan.js';
import type { PositionSpec, TokenizedPrompt } from '../../../src/core/patching/positions.js';
import { ReferenceModel, type RefShape } from './reference-model.js';

const shape: RefShape = { layers: 4, hidden: 16, heads: 4, kvHeads: 2, intermediate: 24, vocab: 40, maxPositions: 32 };
const recipient = new ReferenceModel(shape, 1);
const donor = ReferenceModel.withEdits(recipient, 2, [{ layer: 1, part: 'mlp' }, { layer: 2, part: 'attn' }]);

// Digits "0".."9" are tokens 20..29 and " 10" is two tokens (" 1" then "0"), as in many BPE vocabularies.
const multi = buildAnswerSet(rangeAnswers(0, 10), (t) => t.trim().split('').map((c) => 20 + Number(c)));
const single = buildAnswerSet(rangeAnswers(0, 9), (t) => [20 + Number(t.trim())]);

const words = Array.from({ length: 40 }, (_, i) => ` w${i}`);
const mkPrompt = (name: string, ids: number[]): TokenizedPrompt => ({ name, ids, text: ids.map((i) => words[i]).join('') });
const prompts = [
  mkPrompt('a', [1, 5, 9, 3, 7, 2, 8]),
  mkPrompt('b', [1, 4, 6, 2, 9]),
  mkPrompt('c', [1, 3, 3, 8, 5, 6, 2, 4, 7]),
  mkPrompt('d', [1, 7, 2]),
  mkPrompt('e', [1, 9, 8, 2, 7, 6, 5]),
];
const decode = (ids: number[]) => ids.map((i) => words[i]).join('');

function request(over: Partial<SweepRequest>): SweepRequest {
  return { site: 'resid_post', sets: [[0], [1], [2], [3]], positions: { kind: 'all' }, mix: 1, prompts, answers: multi, batchSize: 3, decode, ...over };
}

async function agree(over: Partial<SweepRequest>) {
  const req = request(over);
  const fast = await runSweep(donor, recipient, req);
  const plain = await runSweepPlain(donor, recipient, req, shape.layers);
  let moved = 0;
  fast.patched.forEach((row, k) =>
    row.forEach((v, i) => {
      assert.ok(Math.abs(v - plain.patched[k][i]) < 1e-5, `set ${req.sets[k]} prompt ${i}: ${v} vs ${plain.patched[k][i]}`);
      moved = Math.max(moved, Math.abs(v - fast.recipient[i].expected));
    }),
  );
  fast.recipient.forEach((s, i) => assert.ok(Math.abs(s.expected - plain.recipient[i].expected) < 1e-5));
  fast.donor.forEach((s, i) => assert.ok(Math.abs(s.expected - plain.donor[i].expected) < 1e-5));
  return { fast, plain, moved };
}

const positions: [string, PositionSpec][] = [
  ['all', { kind: 'all' }],
  ['last', { kind: 'last' }],
  ['indexes', { kind: 'indexes', indexes: [1, -2] }],
  ['a phrase', { kind: 'phrase', phrase: 'w2' }],
];
for (const site of LAYER_SITES) {
  for (const [pname, pos] of positions) {
    test(`optimized = plain: ${site}, positions ${pname}, multi-token answers`, async () => {
      const { moved } = await agree({ site, positions: pos, sets: [[0], [1], [2], [3], [1, 3]] });
      if (pname === 'all' && site !== 'resid_pre') assert.ok(moved > 1e-3, 'the patches change the ratings');
    });
  }
}
test('optimized = plain: single-token answers, windows, partial mix', async () => {
  await agree({ answers: single, sets: [[0, 1], [1, 2], [2, 3]], mix: 0.4 });
  await agree({ answers: single, site: 'attn_out', positions: { kind: 'last' }, sets: [[2], [0, 3]], mix: 0.7 });
});

test('optimized = plain whether patches step one at a time, a few or all side by side', async () => {
  for (const stackTokens of [1, 40, 100000]) {
    await agree({ stackTokens, sets: [[3], [0], [2, 3], [1]], site: 'mlp_out' });
    await agree({ stackTokens, sets: [[3], [0], [2, 3], [1]], site: 'resid_pre', positions: { kind: 'last' } });
  }
});

test('patching every layer\'s resid_post with mix 1 at all positions gives the donor\'s ratings', async () => {
  const { fast } = await agree({ sets: [[3]], answers: single });
  fast.patched[0].forEach((v, i) => assert.ok(Math.abs(v - fast.donor[i].expected) < 1e-5));
});

test('patching layers below the first edit changes nothing', async () => {
  const { fast } = await agree({ site: 'resid_pre', sets: [[0], [1]] });
  fast.patched.forEach((row) => row.forEach((v, i) => assert.ok(Math.abs(v - fast.recipient[i].expected) < 1e-5)));
});

test('the memory plan is reported first and bounds what is held', async () => {
  let planned = -1;
  const out = await runSweep(donor, recipient, request({ positions: { kind: 'last' }, onPlan: (p) => (planned = p.totalBytes) }));
  assert.equal(planned, out.plan.totalBytes);
  assert.ok(out.peakBytes > 0 && out.peakBytes <= planned, `${out.peakBytes} ≤ ${planned}`);
  // Last-position patches with single-token answers hold one column of states and a cache prefix;
  // the donor's column is kept for all five prompts, since the donor pass ends before the recipient's.
  const p = planSweep(request({ positions: { kind: 'last' }, answers: single, sets: [[2]] }), recipient);
  assert.equal(p.donorBytes, 5 * 1 * 16 * 4);
  assert.equal(p.stateBytes, 3 * 1 * 16 * 4);
  // resid_post of layer 2 resumes at layer 3: one layer's keys and values, 8 columns before the last.
  assert.equal(p.kvBytes, 2 * 1 * 3 * 8 * 8 * 4);
});

test('progress counts every step and cancellation stops between batches', async () => {
  const seen: number[] = [];
  await runSweep(donor, recipient, request({ onProgress: (p) => seen.push(p.done) }));
  assert.deepEqual(seen, Array.from({ length: 2 * 6 + 1 }, (_, i) => i));
  const ac = new AbortController();
  await assert.rejects(
    runSweep(donor, recipient, request({ signal: ac.signal, onProgress: (p) => p.done === 3 && ac.abort() })),
    (e: unknown) => e instanceof CancelledError,
  );
});

test('differently tokenized prompts are refused, naming the prompt', async () => {
  const donorIds = prompts.map((p) => p.ids);
  donorIds[2] = [...donorIds[2].slice(0, -1), 5];
  await assert.rejects(runSweep(donor, recipient, request({ donorIds })), (e: unknown) => e instanceof PatchError && e.code === 'tokenization-mismatch' && /"c"/.test(e.message));
});

test('the patches resume: far fewer step calls than the plain path', async () => {
  recipient.calls = 0;
  donor.calls = 0;
  await runSweep(donor, recipient, request({ answers: single }));
  const fast = recipient.calls + donor.calls;
  recipient.calls = 0;
  donor.calls = 0;
  await runSweepPlain(donor, recipient, request({ answers: single }), shape.layers);
  const plain = recipient.calls + donor.calls;
  assert.ok(fast < plain / 2, `${fast} vs ${plain}`);
});
