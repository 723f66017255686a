// Sampling on the ONNX runtime: decoding one token at a time on the prompt's cached keys/values
// gives the same tokens as full forward passes (greedy), on architectures with rotary, learned and
// sliding-window positions.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { rateSampled } from '../../../src/core/scoring/sample.js';
import { promptBatch } from '../../../src/core/patching/batch.js';
import { disposeAll, tinyModel } from '../../golden/patching/support.js';

after(disposeAll);

for (const arch of ['llama', 'gpt2', 'gemma2', 'mistral'] as const) {
  test(`${arch}: greedy decoding on the cache equals argmax of full forwards`, async () => {
    const { model, tokenizer } = await tinyModel(arch, { seed: 3 });
    const prompt = tokenizer.encode(' the chairman said harm to the environment Answer:');
    const [r] = await rateSampled(model, { decode: (ids, o) => tokenizer.decode(ids, o) }, [prompt], { samples: 2, temperature: 0, maxTokens: 6, seed: 1, min: 0, max: 10 });
    const ids = [...prompt];
    for (let t = 0; t < 6; t++) {
      const { logits } = await model.run(promptBatch([ids]), { logitsAt: 'last' });
      let best = 0;
      for (let i = 1; i < logits.data.length; i++) if (logits.data[i] > logits.data[best]) best = i;
      ids.push(best);
    }
    const want = tokenizer.decode(ids.slice(prompt.length), { skipSpecialTokens: true });
    assert.equal(r.texts[0], want);
    assert.equal(r.texts[1], want);
  });
}
