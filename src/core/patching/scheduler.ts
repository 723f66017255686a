// The sweep scheduler: every patch of a sweep on every prompt, without wasted work.
//  - The donor runs once per batch of prompts; its activations at the patched site are kept only
//    for the layers and columns some patch uses, and shared by every patch.
//  - The recipient runs once per batch; its residual state is kept at each state a patch resumes
//    from (the first state the patch changes), so a patch at layer l recomputes nothing below l.
//  - Columns before the first patched one are unchanged by any patch (attention is causal), so
//    patches run only the columns from there on, on top of the recipient's cached keys/values.
//  - Multi-token answers ride along as extra columns of each row (see extend.ts).
//  - Optionally several patches step side by side, stacked along the batch (see stack.ts).
//  - A batch's caches are dropped before the next batch starts: memory is bounded by one batch,
//    and the bound is computed and reported before the sweep starts.
import type { AnswerScores } from '../scoring/expected.js';
import { promptBatch, suffixBatch } from './batch.js';
import { throwIfCancelled } from './errors.js';
import { type ExtendedRows, extendRows, scoresFromTail } from './extend.js';
import { forward } from './forward.js';
import { runStacked, type StackedPatch } from './stack.js';
import { entryState } from './hooks.js';
import type { Act, KV, StepModel } from './model.js';
import { type MemoryPlan, type SweepOutput, type SweepRequest, batches, checkRequest, mixInto, progressReporter } from './plan.js';
import { kvBytes, kvPrefix, sliceColumns } from './tensor.js';

const F32 = 4;

/** First column any patch touches in a batch of extended rows. */
const firstColumn = (ext: ExtendedRows) => Math.min(...ext.cols.map((c) => Math.min(...c)));

function needs(req: SweepRequest) {
  const layers = [...new Set(req.sets.flat())].sort((a, b) => a - b);
  const states = [...new Set(req.sets.map((s) => entryState(req.site, Math.min(...s))))].sort((a, b) => a - b);
  return { layers, states, firstLayer: states[0] >> 1 };
}

/** Bytes one batch holds: donor site activations, resume states, keys/values of the columns before the window. */
function batchBytes(req: SweepRequest, model: StepModel, ext: ExtendedRows): MemoryPlan {
  const { layers, states, firstLayer } = needs(req);
  const rows = ext.ids.length;
  const from = firstColumn(ext);
  const window = rows * (ext.length - from) * model.hiddenSize * F32;
  const donorBytes = layers.length * window;
  const stateBytes = states.length * window;
  const kv = 2 * (model.numLayers - firstLayer) * rows * from * model.kvWidth * F32;
  const stackBytes = stackSize(req, rows * (ext.length - from)) * window;
  return { donorBytes, stateBytes, kvBytes: kv, stackBytes, totalBytes: donorBytes + stateBytes + kv + stackBytes };
}

/** How many patches step side by side when each takes `tokens` rows × columns. */
function stackSize(req: SweepRequest, tokens: number): number {
  return Math.max(1, Math.min(req.sets.length, Math.floor((req.stackTokens ?? 0) / tokens)));
}

/** The memory the sweep will hold at its peak batch, before running anything. */
export function planSweep(req: SweepRequest, model: StepModel): MemoryPlan {
  checkRequest(req, model.numLayers);
  let worst: MemoryPlan = { donorBytes: 0, stateBytes: 0, kvBytes: 0, stackBytes: 0, totalBytes: 0 };
  for (const rows of batches(req.prompts.length, req.batchSize ?? 8)) {
    const p = batchBytes(req, model, extendRows(req, rows));
    if (p.totalBytes > worst.totalBytes) worst = p;
  }
  return worst;
}

/** Logits at the tail columns (counted from the end) of a [B, n, H] state. */
async function tailLogits(model: StepModel, x: Act, tail: number[]): Promise<Act> {
  const n = x.dims[1];
  return model.logits(sliceColumns(x, n + tail[0], n), 'all');
}

/** Runs every patch of the sweep with shared donor activations, resumed recipients and cached prefixes. */
export async function runSweep(donor: StepModel, recipient: StepModel, req: SweepRequest): Promise<SweepOutput> {
  const plan = planSweep(req, recipient);
  req.onPlan?.(plan);
  const { layers, states, firstLayer } = needs(req);
  const layerSet = new Set(layers);
  const stateSet = new Set(states);
  const groups = batches(req.prompts.length, req.batchSize ?? 8);
  const step = progressReporter(groups.length * (2 + req.sets.length), req.onProgress);
  const donorScores: AnswerScores[] = [];
  const recipientScores: AnswerScores[] = [];
  const patched: number[][] = req.sets.map(() => []);
  let peakBytes = 0;

  for (const rows of groups) {
    throwIfCancelled(req.signal);
    const ext = extendRows(req, rows);
    const S = ext.length;
    const from = firstColumn(ext);
    const batch = promptBatch(ext.ids, req.padId);
    let held = 0;

    // Donor: one full pass; keep its site activations for the swept layers, columns from `from`.
    const donorActs = new Map<number, Act>();
    const donorFinal = await forward(donor, batch, {
      hook: (site, layer, act) => {
        if (site === req.site && layerSet.has(layer)) donorActs.set(layer, sliceColumns(act, from, S));
        return undefined;
      },
    });
    donorScores.push(...scoresFromTail(req, ext, await tailLogits(donor, donorFinal, ext.tail), rows));
    for (const a of donorActs.values()) held += a.data.byteLength;
    step();
    throwIfCancelled(req.signal);

    // Recipient: one full pass; keep the states patches resume from and the keys/values they reuse.
    const resume = new Map<number, Act>();
    const pastKv: KV[] = [];
    const recipientFinal = await forward(recipient, batch, {
      onState: (s, act) => {
        if (stateSet.has(s)) resume.set(s, sliceColumns(act, from, S));
      },
      onPresent: from > 0 ? (l, kv) => l >= firstLayer && (pastKv[l] = kvPrefix(kv, from)) : undefined,
    });
    recipientScores.push(...scoresFromTail(req, ext, await tailLogits(recipient, recipientFinal, ext.tail), rows));
    for (const a of resume.values()) held += a.data.byteLength;
    for (const kv of pastKv) if (kv) held += kvBytes(kv);
    peakBytes = Math.max(peakBytes, held);
    step();

    // Patches: each resumes at its entry state over columns [from, S); several step side by side.
    const segment = suffixBatch(batch, from);
    const per = stackSize(req, ext.ids.length * (S - from));
    for (let k0 = 0; k0 < req.sets.length; k0 += per) {
      throwIfCancelled(req.signal);
      const ks = Array.from({ length: Math.min(per, req.sets.length - k0) }, (_, i) => k0 + i);
      const patches: StackedPatch[] = ks.map((k) => {
        const set = new Set(req.sets[k]);
        const entry = entryState(req.site, Math.min(...req.sets[k]));
        return {
          entry,
          start: resume.get(entry)!,
          hook: (site, layer, act) =>
            site === req.site && set.has(layer) ? mixInto(act, donorActs.get(layer)!.data, from, S - from, from, ext.cols, req.mix) : undefined,
        };
      });
      const finals = await runStacked(recipient, segment, from > 0 ? (l) => pastKv[l] : undefined, patches, (b) => (peakBytes = Math.max(peakBytes, held + b)));
      // One logits call for the whole stack: the tails of every patch's rows, block after block.
      const R = ext.ids.length;
      const n = S - from;
      const tails = finals.map((f) => sliceColumns(f, n + ext.tail[0], n));
      const joined = new Float32Array(tails.reduce((a, t) => a + t.data.length, 0));
      tails.reduce((off, t) => (joined.set(t.data, off), off + t.data.length), 0);
      const logits = await recipient.logits({ data: joined, dims: [R * tails.length, ext.tail.length, recipient.hiddenSize] }, 'all');
      const size = R * ext.tail.length * recipient.vocabSize;
      for (const [j, k] of ks.entries()) {
        const block = { data: logits.data.subarray(j * size, (j + 1) * size), dims: [R, ext.tail.length, recipient.vocabSize] };
        scoresFromTail(req, ext, block, rows).forEach((sc) => patched[k].push(sc.expected));
        step();
      }
    }
  }
  return { donor: donorScores, recipient: recipientScores, patched, peakBytes, plan };
}
