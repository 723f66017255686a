// The sampled protocol on a small plain-TypeScript transformer: reproducible from the seed,
// independent of how samples are batched, and decoding on the cache equals full forwards.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rateSampled } from '../../../src/core/scoring/sample.js';
import { promptBatch } from '../../../src/core/patching/batch.js';
import { ReferenceModel } from '../patching/reference-model.js';

const model = new ReferenceModel({ layers: 2, hidden: 16, heads: 4, kvHeads: 2, intermediate: 24, vocab: 32, maxPositions: 32 }, 5);
// Ids 20..29 are the digits, 30 is a newline, 31 the end of text; the rest are words.
const tokenizer = {
  eosTokenId: 31,
  decode: (ids: number[]) => ids.map((i) => (i >= 20 && i <= 29 ? String(i - 20) : i === 30 ? '\n' : i === 31 ? '' : ` w${i}`)).join(''),
};
const prompts = [[1, 2, 3, 4], [5, 6, 7]];
const base = { samples: 10, maxTokens: 5, seed: 3, min: 0, max: 9, temperature: [0.85, 1.15] as [number, number] };

test('the same seed gives the same samples; another seed others', async () => {
  const a = await rateSampled(model, tokenizer, prompts, base);
  const b = await rateSampled(model, tokenizer, prompts, base);
  const c = await rateSampled(model, tokenizer, prompts, { ...base, seed: 4 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.map((r) => r.texts), c.map((r) => r.texts));
  for (const r of a) {
    assert.equal(r.samples, 10);
    assert.equal(r.texts.length, 10);
    assert.ok(r.temperatures.every((t) => t >= 0.85 && t <= 1.15));
    const parsed = r.values.filter((v) => v !== undefined) as number[];
    assert.equal(r.parsed, parsed.length);
    if (parsed.length) assert.ok(Math.abs(r.mean - parsed.reduce((x, y) => x + y) / parsed.length) < 1e-12);
  }
});

test('results do not depend on how samples are batched', async () => {
  const a = await rateSampled(model, tokenizer, prompts, { ...base, chunk: 64 });
  const b = await rateSampled(model, tokenizer, prompts, { ...base, chunk: 3 });
  assert.deepEqual(a, b);
});

test('greedy decoding on the cache equals argmax of full forwards', async () => {
  const [r] = await rateSampled(model, tokenizer, [prompts[0]], { ...base, samples: 1, temperature: 0, maxTokens: 6 });
  // Rebuild the generated ids from the text by re-running full forwards step by step.
  const ids = [...prompts[0]];
  let text = '';
  for (let t = 0; t < 6; t++) {
    const batch = promptBatch([ids]);
    const { logits } = await model.run(batch, { logitsAt: 'last' });
    let best = 0;
    for (let i = 1; i < logits.data.length; i++) if (logits.data[i] > logits.data[best]) best = i;
    if (best === 31) break;
    ids.push(best);
    text = tokenizer.decode(ids.slice(prompts[0].length));
  }
  assert.equal(r.texts[0], text);
});

test('stop strings cut the text before parsing', async () => {
  const [r] = await rateSampled(model, tokenizer, [prompts[1]], { ...base, stop: [' w'] });
  assert.ok(r.texts.every((t) => !t.includes(' w')));
});

test('bad options are refused', async () => {
  await assert.rejects(rateSampled(model, tokenizer, prompts, { ...base, samples: 0 }), /samples 0/);
  await assert.rejects(rateSampled(model, tokenizer, prompts, { ...base, topP: 2 }), /top-p 2/);
});
