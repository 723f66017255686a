// Graphs too large for one protobuf message keep their weights as ONNX external data. Forcing
// every graph of the golden checkpoints to spill must give the same logits as in-memory graphs.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fixture, maxAbsDiff } from './fixtures.js';
import { LoadedModel, makeBatch } from '../../../src/core/models/model.js';

const spillDirs = () => readdirSync(tmpdir()).filter((n) => n.startsWith('knobe-graph-')).sort();

for (const arch of ['gemma2', 'gpt2'] as const) {
  test(`${arch}: graphs with external weights give the same logits as in-memory graphs`, async () => {
    const { config, weights, expected } = fixture(arch);
    const before = spillDirs();
    const spilled = await LoadedModel.fromWeights(config, weights, { threads: 1, externalDataLimit: 0, externalDataMinSize: 0 });
    assert.deepEqual(spillDirs(), before, 'the temporary weight files are removed once sessions are open');
    const inMemory = await LoadedModel.fromWeights(config, weights, { threads: 1 });
    try {
      const batch = makeBatch(expected.prompts);
      const a = await spilled.run(batch, { logitsAt: 'all' });
      const b = await inMemory.run(batch, { logitsAt: 'all' });
      assert.deepEqual(a.logits.data, b.logits.data);
      const alone = await spilled.run(makeBatch([expected.prompts[0]]), { logitsAt: 'all' });
      assert.ok(maxAbsDiff(alone.logits.data, expected.logits[0].flat()) < 1e-4);
    } finally {
      await spilled.dispose();
      await inMemory.dispose();
    }
  });
}
