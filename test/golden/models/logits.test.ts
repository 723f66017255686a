// Logits of the tiny golden checkpoints against an independent reference. The expected values
// were computed by scripts/golden/models.py: a float64 forward pass written in plain PyTorch from
// each architecture's published equations, reading the same safetensors files (committed under
// fixtures/). Tolerance: 1e-4 absolute.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ARCHITECTURES, loadFixture, maxAbsDiff } from './fixtures.js';
import { makeBatch, type LoadedModel } from '../../../src/core/models/model.js';

const TOL = 1e-4;
const models: LoadedModel[] = [];
after(() => Promise.all(models.map((m) => m.dispose())));

for (const arch of ARCHITECTURES) {
  test(`${arch}: logits of each prompt alone match the reference at every position`, async () => {
    const { model, expected } = await loadFixture(arch);
    models.push(model);
    for (const [i, prompt] of expected.prompts.entries()) {
      const { logits } = await model.run(makeBatch([prompt]), { logitsAt: 'all' });
      assert.deepEqual(logits.dims, [1, prompt.length, model.config.vocabSize]);
      const diff = maxAbsDiff(logits.data, expected.logits[i].flat());
      assert.ok(diff < TOL, `${arch} prompt ${i}: max |Δlogit| = ${diff}`);
    }
  });

  test(`${arch}: a left-padded batch matches the reference at every real position`, async () => {
    const { model, expected } = await loadFixture(arch);
    models.push(model);
    const batch = makeBatch(expected.prompts, 0);
    const { logits } = await model.run(batch, { logitsAt: 'all' });
    const V = model.config.vocabSize;
    expected.prompts.forEach((prompt, b) => {
      const pad = batch.length - prompt.length;
      const got = logits.data.subarray((b * batch.length + pad) * V, (b + 1) * batch.length * V);
      const diff = maxAbsDiff(got, expected.logits[b].flat());
      assert.ok(diff < TOL, `${arch} batched prompt ${b}: max |Δlogit| = ${diff}`);
    });
  });
}
