// The sweep as two passes over units of work: the donor pass over every batch, then the recipient
// pass; batches recorded by an earlier run are skipped, a shard computes the batches it owns, and
// donor activations spilled to disk give the same numbers as those kept in memory.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildAnswerSet, rangeAnswers } from '../../../src/core/scoring/answers.js';
import { DonorStore } from '../../../src/core/patching/donor.js';
import { runSweep, runSweepPhased, type SweepBatchResult } from '../../../src/core/patching/scheduler.js';
import type { SweepRequest } from '../../../src/core/patching/plan.js';
import type { TokenizedPrompt } from '../../../src/core/patching/positions.js';
import { ReferenceModel, type RefShape } from './reference-model.js';

const shape: RefShape = { layers: 4, hidden: 16, heads: 4, kvHeads: 2, intermediate: 24, vocab: 40, maxPositions: 32 };
const recipient = new ReferenceModel(shape, 3);
const donor = ReferenceModel.withEdits(recipient, 4, [{ layer: 2, part: 'mlp' }]);
const answers = buildAnswerSet(rangeAnswers(0, 10), (t) => t.trim().split('').map((c) => 20 + Number(c)));
const prompts: TokenizedPrompt[] = [[1, 5, 9, 3], [1, 4, 6, 2, 9, 7], [1, 3, 8], [1, 7, 2, 2, 5], [1, 9, 8]].map((ids, i) => ({ name: `p${i}`, ids, text: '' }));
const request = (over: Partial<SweepRequest> = {}): SweepRequest => ({ site: 'mlp_out', sets: [[1], [2], [3]], positions: { kind: 'all' }, mix: 1, prompts, answers, batchSize: 2, ...over });

/** The models as a sweep asks for them, with the order of the asks and of the passes' calls. */
function tracked() {
  const log: string[] = [];
  return {
    log,
    models: {
      donor: async () => (log.push('donor'), donor),
      recipient: async () => (log.push('recipient'), recipient),
      donorDone: () => void log.push('donor done'),
    },
  };
}

test('the donor pass ends before the recipient is asked for, and the numbers equal the one-call sweep', async () => {
  const whole = await runSweep(donor, recipient, request());
  const { log, models } = tracked();
  const phased = await runSweepPhased(models, recipient, request());
  assert.deepEqual(log, ['donor', 'donor done', 'recipient']);
  assert.equal(phased.pending, 0);
  assert.deepEqual(phased.patched, whole.patched);
  assert.deepEqual(phased.donor, whole.donor);
});

test('recorded batches are not recomputed; with every batch recorded no model is asked for', async () => {
  const recorded = new Map<number, SweepBatchResult>();
  const first = await runSweepPhased(tracked().models, recipient, request(), { units: { record: (g, r) => recorded.set(g, r) } });
  assert.equal(recorded.size, 3);
  // An interrupted run that finished batch 1 only.
  const partial = new Map([[1, recorded.get(1)!]]);
  donor.calls = recipient.calls = 0;
  const resumed = await runSweepPhased(tracked().models, recipient, request(), { units: { recorded: (g) => partial.get(g) } });
  assert.deepEqual(resumed.patched, first.patched);
  const resumedCalls = donor.calls + recipient.calls;
  donor.calls = recipient.calls = 0;
  await runSweepPhased(tracked().models, recipient, request());
  assert.ok(resumedCalls < donor.calls + recipient.calls, `${resumedCalls} < ${donor.calls + recipient.calls}`);
  const { log, models } = tracked();
  const all = await runSweepPhased(models, recipient, request(), { units: { recorded: (g) => recorded.get(g) } });
  assert.deepEqual(log, ['donor done']);
  assert.deepEqual(all.patched, first.patched);
});

test('shards compute the batches they own; their records together give the whole sweep', async () => {
  const whole = await runSweepPhased(tracked().models, recipient, request());
  const recorded = new Map<number, SweepBatchResult>();
  for (const shard of [0, 1]) {
    const out = await runSweepPhased(tracked().models, recipient, request(), { units: { owns: (g) => g % 2 === shard, record: (g, r) => recorded.set(g, r) } });
    assert.equal(out.pending, shard === 0 ? 1 : 2);
    assert.deepEqual(out.patched, [[], [], []]);
  }
  const merged = await runSweepPhased(tracked().models, recipient, request(), { units: { recorded: (g) => recorded.get(g), owns: () => false } });
  assert.equal(merged.pending, 0);
  assert.deepEqual(merged.patched, whole.patched);
});

test('donor activations spilled to disk give the same numbers; a shared store serves later rounds without the donor', async () => {
  const inMemory = await runSweepPhased(tracked().models, recipient, request());
  const store = new DonorStore({ memoryCap: 0 });
  try {
    const spilled = await runSweepPhased(tracked().models, recipient, request(), { store, storeLayers: [0, 1, 2, 3] });
    assert.ok(store.spilledBytes > 0 && store.memoryBytes === 0);
    assert.deepEqual(spilled.patched, inMemory.patched);
    // A later round with other sets reuses the stored donor side.
    const { log, models } = tracked();
    const round = await runSweepPhased(models, recipient, request({ sets: [[0, 3]] }), { store, storeLayers: [0, 1, 2, 3] });
    assert.deepEqual(log, ['donor done', 'recipient']);
    const fresh = await runSweep(donor, recipient, request({ sets: [[0, 3]] }));
    assert.deepEqual(round.patched, fresh.patched);
  } finally {
    store.dispose();
  }
});
