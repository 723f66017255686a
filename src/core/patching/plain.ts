// The plain path: every patch is a full forward of the donor (collecting its site activations)
// and a full forward of the recipient with those activations replaced in, nothing shared or
// cached. Slow on purpose: it is the reference the scheduler must equal, and the bench's yardstick.
// Multi-token answers are scored by running each prompt followed by each answer prefix as its own
// sequence, so this path shares no key/value cache either.
import { contextKey } from '../scoring/answers.js';
import { type AnswerScores, logSoftmax, scoreAnswers } from '../scoring/expected.js';
import { promptBatch } from './batch.js';
import { throwIfCancelled } from './errors.js';
import { hookName } from './hooks.js';
import type { Act, HookedModel } from './model.js';
import { type SweepOutput, type SweepRequest, batches, checkRequest, mixInto, paddedColumns, progressReporter } from './plan.js';
import { actBytes } from './model.js';

interface Extended {
  /** Rows: every prompt followed by every leaf context (or just the prompt). */
  ids: number[][];
  prompt: number[];
  leaf: number[][];
}

function extend(req: SweepRequest, rows: number[]): Extended {
  const leaves = req.answers.contexts.length > 1 ? req.answers.leaves : [[]];
  const out: Extended = { ids: [], prompt: [], leaf: [] };
  for (const i of rows) {
    for (const leaf of leaves) {
      out.ids.push([...req.prompts[i].ids, ...leaf]);
      out.prompt.push(i);
      out.leaf.push(leaf);
    }
  }
  return out;
}

/** The last columns of the extended rows: where the prompt ends and where its answer prefixes do. */
function tailColumns(ext: Extended): number[] {
  const m = Math.max(...ext.leaf.map((l) => l.length));
  return Array.from({ length: m + 1 }, (_, j) => j - m - 1);
}

/** Scores prompts from [B, S, V] logits of the last columns of their extended rows. */
function scoresFrom(req: SweepRequest, ext: Extended, logits: Act, rows: number[]): AnswerScores[] {
  const [, S, V] = logits.dims;
  const dists = new Map<number, Map<string, Float64Array>>(rows.map((i) => [i, new Map()]));
  ext.ids.forEach((_, r) => {
    const leaf = ext.leaf[r];
    const d = dists.get(ext.prompt[r])!;
    for (let j = 0; j <= leaf.length; j++) {
      const col = S - leaf.length - 1 + j;
      d.set(contextKey(leaf.slice(0, j)), logSoftmax(logits.data.subarray((r * S + col) * V, (r * S + col + 1) * V)));
    }
  });
  return rows.map((i) => scoreAnswers(req.answers, (k) => dists.get(i)!.get(k)!));
}

export async function runSweepPlain(donor: HookedModel, recipient: HookedModel, req: SweepRequest, numLayers: number): Promise<SweepOutput> {
  checkRequest(req, numLayers);
  const groups = batches(req.prompts.length, req.batchSize ?? 8);
  const step = progressReporter(groups.length * (2 + req.sets.length), req.onProgress);
  const out: SweepOutput = {
    donor: [],
    recipient: [],
    patched: req.sets.map(() => []),
    peakBytes: 0,
    plan: { donorBytes: 0, stateBytes: 0, kvBytes: 0, totalBytes: 0 },
  };
  for (const rows of groups) {
    throwIfCancelled(req.signal);
    const ext = extend(req, rows);
    const batch = promptBatch(ext.ids, req.padId);
    const S = batch.length;
    const tail = tailColumns(ext);
    const prompts = ext.prompt.map((i) => req.prompts[i]);
    // Patched columns of each extended row: the prompt's columns shifted by the row's padding.
    const cols = paddedColumns(req, prompts, S).map((c, r) => c.map((x) => x - ext.leaf[r].length));
    out.donor.push(...scoresFrom(req, ext, (await donor.run(batch, { logitsAt: tail })).logits, rows));
    step();
    out.recipient.push(...scoresFrom(req, ext, (await recipient.run(batch, { logitsAt: tail })).logits, rows));
    step();
    for (let k = 0; k < req.sets.length; k++) {
      throwIfCancelled(req.signal);
      const names = new Map(req.sets[k].map((l) => [hookName(req.site, l), l]));
      const { collected } = await donor.run(batch, { collect: [...names.keys()], logitsAt: 'last' });
      let held = 0;
      for (const a of collected.values()) held += actBytes(a);
      out.peakBytes = Math.max(out.peakBytes, held);
      const { logits } = await recipient.run(batch, {
        logitsAt: tail,
        replace: (hook, act) => (names.has(hook) ? mixInto(act, collected.get(hook)!.data, 0, S, 0, cols, req.mix) : undefined),
      });
      scoresFrom(req, ext, logits, rows).forEach((s) => out.patched[k].push(s.expected));
      step();
    }
  }
  return out;
}
