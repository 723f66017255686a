// The expected rating against brute force, on real tiny checkpoints with a byte-level BPE in which
// " 10" is two tokens (" 1", "0"): every token sequence as long as an answer's tokenization is
// scored by full forward passes (no cache), those that decode to the answer's text are summed, the
// sums normalised over the scale. The scorer (prefix tree, cached continuations, batching) must
// give the same distribution and expected value.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { buildAnswerSet, rangeAnswers } from '../../../src/core/scoring/answers.js';
import { logSoftmax } from '../../../src/core/scoring/expected.js';
import { rateExpected } from '../../../src/core/scoring/rate.js';
import { promptBatch } from '../../../src/core/patching/batch.js';
import { disposeAll, tinyModel } from '../../golden/patching/support.js';

after(disposeAll);

const TEXTS = [' the chairman said harm Answer:', ' How did the program help the environment Answer:', ' on a scale from 0 to 10 Answer:'];

for (const arch of ['llama', 'gpt2', 'gemma2'] as const) {
  test(`${arch}: expected value = brute-force enumeration of continuations`, async () => {
    const { model, tokenizer } = await tinyModel(arch, { seed: 4 });
    const answers = rangeAnswers(0, 10);
    const set = buildAnswerSet(answers, (t) => tokenizer.encode(t, { addSpecialTokens: false }));
    assert.deepEqual(set.tokens.map((t) => t.length), [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 2]);
    const prompts = TEXTS.map((t) => tokenizer.encode(t));
    const scored = await rateExpected(model, set, prompts, { batchSize: 2 });
    const V = model.vocabSize;
    const spell = new Map(answers.map((a, i) => [` ${a}`, i]));
    for (const [p, ids] of prompts.entries()) {
      // Length 1: the distribution after the prompt.
      const root = logSoftmax((await model.run(promptBatch([ids]), { logitsAt: 'last' })).logits.data);
      const mass = new Array(answers.length).fill(0);
      for (let t = 0; t < V; t++) {
        const a = spell.get(tokenizer.decode([t]));
        if (a !== undefined && set.tokens[a].length === 1) mass[a] += Math.exp(root[t]);
      }
      // Length 2: every first token followed by every second, each prefix a full forward.
      const rows = Array.from({ length: V }, (_, t) => [...ids, t]);
      for (let start = 0; start < V; start += 64) {
        const chunk = rows.slice(start, start + 64);
        const { logits } = await model.run(promptBatch(chunk), { logitsAt: 'last' });
        chunk.forEach((_, r) => {
          const t1 = start + r;
          const second = logSoftmax(logits.data.subarray(r * V, (r + 1) * V));
          for (let t2 = 0; t2 < V; t2++) {
            const a = spell.get(tokenizer.decode([t1, t2]));
            if (a !== undefined && set.tokens[a].length === 2) mass[a] += Math.exp(root[t1] + second[t2]);
          }
        });
      }
      const total = mass.reduce((x, y) => x + y, 0);
      const dist = mass.map((m) => m / total);
      const ev = dist.reduce((acc, q, i) => acc + q * i, 0);
      dist.forEach((q, i) => assert.ok(Math.abs(q - scored[p].distribution[i]) < 1e-5, `prompt ${p} answer ${i}: ${q} vs ${scored[p].distribution[i]}`));
      assert.ok(Math.abs(ev - scored[p].expected) < 1e-5, `prompt ${p}: ${ev} vs ${scored[p].expected}`);
      // The two-token answer's mass is small; its log-probability is checked on its own scale.
      mass.forEach((m, i) => assert.ok(Math.abs(Math.log(m) - scored[p].logProbs[i]) < 1e-4, `prompt ${p} log P(answer ${i}): ${Math.log(m)} vs ${scored[p].logProbs[i]}`));
    }
  });
}
