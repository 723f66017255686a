// The sweep scheduler: every patch of a sweep on every prompt, without wasted work.
//  - The donor runs once per batch of prompts; its activations at the patched site are kept only
//    for the layers and columns some patch uses, and shared by every patch.
//  - The recipient runs once per batch; its residual state is kept at each state a patch resumes
//    from (the first state the patch changes), so a patch at layer l recomputes nothing below l.
//  - Columns before the first patched one are unchanged by any patch (attention is causal), so
//    patches run only the columns from there on, on top of the recipient's cached keys/values.
//  - A batch's caches are dropped before the next batch starts: memory is bounded by one batch,
//    and the bound is computed and reported before the sweep starts.
import type { AnswerScores } from '../scoring/expected.js';
import { scoreFinal } from '../scoring/rate.js';
import { promptBatch, suffixBatch } from './batch.js';
import { throwIfCancelled } from './errors.js';
import { forward, walk } from './forward.js';
import { entryState } from './hooks.js';
import type { Act, KV, StepModel } from './model.js';
import { type MemoryPlan, type SweepOutput, type SweepRequest, batches, checkRequest, mixInto, paddedColumns, progressReporter } from './plan.js';
import { kvBytes, kvPrefix, sliceColumns } from './tensor.js';

const F32 = 4;

interface BatchShape {
  size: number;
  length: number;
  /** First column any patch touches. */
  from: number;
}

function shapeOf(req: SweepRequest, rows: number[]): BatchShape & { cols: number[][] } {
  const prompts = rows.map((i) => req.prompts[i]);
  const S = Math.max(...prompts.map((p) => p.ids.length));
  const cols = paddedColumns(req, prompts, S);
  const from = Math.min(...cols.map((c) => Math.min(...c)));
  return { size: rows.length, length: S, from, cols };
}

function needs(req: SweepRequest) {
  const layers = [...new Set(req.sets.flat())].sort((a, b) => a - b);
  const states = [...new Set(req.sets.map((s) => entryState(req.site, Math.min(...s))))].sort((a, b) => a - b);
  const continuations = req.answers.contexts.length > 1;
  return { layers, states, continuations, firstLayer: states[0] >> 1 };
}

/** Bytes one batch of this shape holds: donor site activations, resume states, keys/values. */
function batchBytes(req: SweepRequest, model: StepModel, s: BatchShape): MemoryPlan {
  const { layers, states, continuations, firstLayer } = needs(req);
  const window = s.size * (s.length - s.from) * model.hiddenSize * F32;
  const donorBytes = layers.length * window;
  const stateBytes = states.length * window;
  const kvLayers = continuations ? model.numLayers : model.numLayers - firstLayer;
  const kvColumns = continuations ? s.length : s.from;
  const kvBytesTotal = 2 * kvLayers * s.size * kvColumns * model.kvWidth * F32;
  return { donorBytes, stateBytes, kvBytes: kvBytesTotal, totalBytes: donorBytes + stateBytes + kvBytesTotal };
}

/** The memory the sweep will hold at its peak batch, before running anything. */
export function planSweep(req: SweepRequest, model: StepModel): MemoryPlan {
  checkRequest(req, model.numLayers);
  let worst: MemoryPlan = { donorBytes: 0, stateBytes: 0, kvBytes: 0, totalBytes: 0 };
  for (const rows of batches(req.prompts.length, req.batchSize ?? 8)) {
    const p = batchBytes(req, model, shapeOf(req, rows));
    if (p.totalBytes > worst.totalBytes) worst = p;
  }
  return worst;
}

/** Runs every patch of the sweep with shared donor activations, resumed recipients and cached prefixes. */
export async function runSweep(donor: StepModel, recipient: StepModel, req: SweepRequest): Promise<SweepOutput> {
  const plan = planSweep(req, recipient);
  req.onPlan?.(plan);
  const { layers, states, continuations, firstLayer } = needs(req);
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
    const shape = shapeOf(req, rows);
    const { from, cols, length: S } = shape;
    const batch = promptBatch(rows.map((i) => req.prompts[i].ids), req.padId);
    let held = 0;

    // Donor: one full pass; keep its site activations for the swept layers, columns from `from`.
    const donorActs = new Map<number, Act>();
    let donorKv: KV[] = [];
    const donorFinal = await forward(donor, batch, {
      hook: (site, layer, act) => {
        if (site === req.site && layerSet.has(layer)) donorActs.set(layer, sliceColumns(act, from, S));
        return undefined;
      },
      onPresent: continuations ? (l, kv) => (donorKv[l] = kv) : undefined,
    });
    donorScores.push(...(await scoreFinal(donor, req.answers, batch, donorFinal, (l) => donorKv[l])));
    donorKv = [];
    for (const a of donorActs.values()) held += a.data.byteLength;
    step();
    throwIfCancelled(req.signal);

    // Recipient: one full pass; keep the states patches resume from and the keys/values they reuse.
    const resume = new Map<number, Act>();
    const fullKv: KV[] = [];
    const recipientFinal = await forward(recipient, batch, {
      onState: (s, act) => {
        if (stateSet.has(s)) resume.set(s, sliceColumns(act, from, S));
      },
      onPresent: (l, kv) => {
        if (continuations) fullKv[l] = kv;
        else if (from > 0 && l >= firstLayer) fullKv[l] = kvPrefix(kv, from);
      },
    });
    recipientScores.push(...(await scoreFinal(recipient, req.answers, batch, recipientFinal, (l) => fullKv[l])));
    for (const a of resume.values()) held += a.data.byteLength;
    for (const kv of fullKv) if (kv) held += kvBytes(kv);
    peakBytes = Math.max(peakBytes, held);
    step();

    // Patches: each resumes at its entry state over columns [from, S).
    const segment = suffixBatch(batch, from);
    const pastKv = continuations && from > 0 ? fullKv.map((kv) => kv && kvPrefix(kv, from)) : fullKv;
    for (let k = 0; k < req.sets.length; k++) {
      throwIfCancelled(req.signal);
      const set = new Set(req.sets[k]);
      const entry = entryState(req.site, Math.min(...req.sets[k]));
      const presents: KV[] = [];
      const final = await walk(recipient, segment, entry, resume.get(entry)!, {
        hook: (site, layer, act) => {
          if (site !== req.site || !set.has(layer)) return undefined;
          return mixInto(act, donorActs.get(layer)!.data, from, S - from, from, cols, req.mix);
        },
        past: from > 0 ? (l) => pastKv[l] : undefined,
        onPresent: continuations ? (l, kv) => (presents[l] = kv) : undefined,
      });
      const scores = await scoreFinal(recipient, req.answers, batch, final, (l) => presents[l] ?? fullKv[l]);
      scores.forEach((s) => patched[k].push(s.expected));
      step();
    }
  }
  return { donor: donorScores, recipient: recipientScores, patched, peakBytes, plan };
}
