// The sweep scheduler on the real ONNX runtime equals the plain path (a full forward with hook
// replacement per patch, nothing shared) to 1e-5, on every supported architecture (Gemma-2 and
// Mistral with sliding windows shorter than the prompts), for every site and position choice,
// with the multi-token answer " 10".
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { SUPPORTED_ARCHITECTURES, type Architecture } from '../../../src/core/models/types.js';
import { buildAnswerSet, rangeAnswers } from '../../../src/core/scoring/answers.js';
import { rateExpected } from '../../../src/core/scoring/rate.js';
import { runSweep } from '../../../src/core/patching/scheduler.js';
import { runSweepPlain } from '../../../src/core/patching/plain.js';
import { LAYER_SITES } from '../../../src/core/patching/hooks.js';
import type { SweepRequest } from '../../../src/core/patching/plan.js';
import type { PositionSpec, TokenizedPrompt } from '../../../src/core/patching/positions.js';
import { disposeAll, tinyModel, type Loaded } from './support.js';

after(disposeAll);

const TEXTS = [
  ' the chairman said harm to the environment Answer:',
  ' How intentionally did the chairman help the environment Answer:',
  ' The program will not harm a profit Answer:',
];
const positions: [string, PositionSpec][] = [
  ['all', { kind: 'all' }],
  ['last', { kind: 'last' }],
  ['the phrase "the environment"', { kind: 'phrase', phrase: 'the environment' }],
];
// " the environment" is absent from the third prompt; the phrase case uses the first two.
const pairs = new Map<Architecture, Promise<[Loaded, Loaded]>>();
const pairOf = (arch: Architecture) => {
  if (!pairs.has(arch)) pairs.set(arch, Promise.all([tinyModel(arch, { seed: 2 }), tinyModel(arch, { seed: 1 })]));
  return pairs.get(arch)!;
};

function request(r: Loaded, over: Partial<SweepRequest>, texts = TEXTS): SweepRequest {
  const prompts: TokenizedPrompt[] = texts.map((text, i) => ({ name: `p${i}`, text, ids: r.tokenizer.encode(text) }));
  const answers = buildAnswerSet(rangeAnswers(0, 10), (t) => r.tokenizer.encode(t, { addSpecialTokens: false }));
  return { site: 'resid_post', sets: [[0]], positions: { kind: 'all' }, mix: 1, prompts, answers, batchSize: 2, decode: (ids) => r.tokenizer.decode(ids), ...over };
}

for (const arch of SUPPORTED_ARCHITECTURES) {
  test(`${arch}: " 10" is two tokens and the expected rating matches a fresh rating run`, async () => {
    const [, r] = await pairOf(arch);
    const req = request(r, {});
    assert.equal(req.answers.tokens[10].length, 2);
    const fast = await runSweep((await pairOf(arch))[0].model, r.model, req);
    const direct = await rateExpected(r.model, req.answers, req.prompts.map((p) => p.ids), { batchSize: 1 });
    direct.forEach((s, i) => assert.ok(Math.abs(s.expected - fast.recipient[i].expected) < 1e-5));
  });
  for (const site of LAYER_SITES) {
    for (const [pname, pos] of positions) {
      test(`${arch}: optimized = plain, ${site}, positions ${pname}`, async () => {
        const [d, r] = await pairOf(arch);
        const L = r.model.numLayers;
        const sets = [...Array.from({ length: L }, (_, l) => [l]), [0, L - 1]];
        // Patches step side by side in several stacks (all positions), in one stack on top of cached
        // keys/values (last position), or one at a time (a phrase).
        const req = request(r, { site, positions: pos, sets, mix: pname === 'last' ? 0.6 : 1, stackTokens: pos.kind === 'all' ? 100 : pos.kind === 'last' ? 10000 : undefined }, pos.kind === 'phrase' ? TEXTS.slice(0, 2) : TEXTS);
        const fast = await runSweep(d.model, r.model, req);
        const plain = await runSweepPlain(d.model, r.model, req, L);
        let moved = 0;
        fast.patched.forEach((row, k) =>
          row.forEach((v, i) => {
            assert.ok(Math.abs(v - plain.patched[k][i]) < 1e-5, `set ${sets[k]} prompt ${i}: ${v} vs ${plain.patched[k][i]}`);
            moved = Math.max(moved, Math.abs(v - plain.recipient[i].expected));
          }),
        );
        fast.donor.forEach((s, i) => assert.ok(Math.abs(s.expected - plain.donor[i].expected) < 1e-5));
        assert.ok(moved > 1e-4, 'the patches move the ratings');
      });
    }
  }
}
