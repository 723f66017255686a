// The plain path: every patch is a full forward of the donor (collecting its site activations)
// and a full forward of the recipient with those activations replaced in, nothing shared or
// cached. Slow on purpose: it is the reference the scheduler must equal, and the bench's yardstick.
import type { AnswerScores } from '../scoring/expected.js';
import { promptBatch } from './batch.js';
import { throwIfCancelled } from './errors.js';
import { extendRows, scoresFromTail } from './extend.js';
import { hookName } from './hooks.js';
import { actBytes, type HookedModel } from './model.js';
import { type SweepOutput, type SweepRequest, batches, checkRequest, mixInto, progressReporter } from './plan.js';

export async function runSweepPlain(donor: HookedModel, recipient: HookedModel, req: SweepRequest, numLayers: number): Promise<SweepOutput> {
  checkRequest(req, numLayers);
  const groups = batches(req.prompts.length, req.batchSize ?? 8);
  const step = progressReporter(groups.length * (2 + req.sets.length), req.onProgress);
  const out: SweepOutput = {
    donor: [],
    recipient: [],
    patched: req.sets.map(() => []),
    peakBytes: 0,
    plan: { donorBytes: 0, stateBytes: 0, kvBytes: 0, stackBytes: 0, totalBytes: 0 },
  };
  for (const rows of groups) {
    throwIfCancelled(req.signal);
    const ext = extendRows(req, rows);
    const batch = promptBatch(ext.ids, req.padId);
    const S = ext.length;
    const score = (logits: Parameters<typeof scoresFromTail>[2]): AnswerScores[] => scoresFromTail(req, ext, logits, rows);
    out.donor.push(...score((await donor.run(batch, { logitsAt: ext.tail })).logits));
    step();
    out.recipient.push(...score((await recipient.run(batch, { logitsAt: ext.tail })).logits));
    step();
    for (let k = 0; k < req.sets.length; k++) {
      throwIfCancelled(req.signal);
      const names = new Set(req.sets[k].map((l) => hookName(req.site, l)));
      const { collected } = await donor.run(batch, { collect: [...names], logitsAt: 'last' });
      let held = 0;
      for (const a of collected.values()) held += actBytes(a);
      out.peakBytes = Math.max(out.peakBytes, held);
      const { logits } = await recipient.run(batch, {
        logitsAt: ext.tail,
        replace: (hook, act) => (names.has(hook) ? mixInto(act, collected.get(hook)!.data, 0, S, 0, ext.cols, req.mix) : undefined),
      });
      score(logits).forEach((s) => out.patched[k].push(s.expected));
      step();
    }
  }
  return out;
}
