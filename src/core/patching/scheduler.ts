// The sweep scheduler: every patch of a sweep on every prompt, without wasted work, one model at a
// time.
//  - Donor pass: the donor runs once per batch of prompts; its activations at the patched site are
//    kept only for the layers and columns some patch uses (a DonorStore, spilling to disk when
//    large), with its ratings. Then the donor is no longer needed and may be released.
//  - Recipient pass: the recipient runs once per batch; its residual state is kept at each state a
//    patch resumes from (the first state the patch changes), so a patch at layer l recomputes
//    nothing below l.
//  - Columns before the first patched one are unchanged by any patch (attention is causal), so
//    patches run only the columns from there on, on top of the recipient's cached keys/values.
//  - Multi-token answers ride along as extra columns of each row (see extend.ts).
//  - Optionally several patches step side by side, stacked along the batch (see stack.ts).
//  - A batch's caches are dropped before the next batch starts; the memory plan is computed and
//    reported before the sweep starts.
//  - Batches are units of work: a batch recorded by an earlier run is not recomputed, and a shard
//    computes only the batches it owns.
import type { AnswerScores } from '../scoring/expected.js';
import { promptBatch, suffixBatch } from './batch.js';
import { DonorStore, type DonorBatch } from './donor.js';
import { throwIfCancelled } from './errors.js';
import { type ExtendedRows, extendRows, scoresFromTail } from './extend.js';
import { forward } from './forward.js';
import { runStacked, type StackedPatch } from './stack.js';
import { entryState } from './hooks.js';
import type { Act, KV, StepModel } from './model.js';
import { type MemoryPlan, type SweepOutput, type SweepRequest, batches, checkRequest, mixInto, progressReporter } from './plan.js';
import { kvBytes, kvPrefix, sliceColumns } from './tensor.js';

const F32 = 4;

/** What planning needs of a model: its shape, not its weights. */
export type ModelShape = Pick<StepModel, 'numLayers' | 'hiddenSize' | 'kvWidth'>;

/** The outcome of one batch of prompts. */
export interface SweepBatchResult {
  donor: AnswerScores[];
  recipient: AnswerScores[];
  /** Expected rating of the patched recipient, [set][prompt of the batch]. */
  patched: number[][];
}

export interface SweepUnits {
  /** The outcome of batch `g` recorded by an earlier run; its work is skipped. */
  recorded?(g: number): SweepBatchResult | undefined;
  /** Whether this process computes batch `g` (default: every batch). */
  owns?(g: number): boolean;
  /** Sees each computed batch as soon as it is complete. */
  record?(g: number, result: SweepBatchResult): void;
}

export interface SweepModels {
  /** Called once, when the first donor batch must be computed. */
  donor(): Promise<StepModel>;
  /** Called once, after the donor pass, when a recipient batch must be computed. */
  recipient(): Promise<StepModel>;
  /** Called when the donor pass is over (the caller may release the donor). */
  donorDone?(): void | Promise<void>;
}

export interface PhasedOptions {
  units?: SweepUnits;
  /** Donor activations kept across calls (the rounds of a greedy search); reused where it holds a batch. */
  store?: DonorStore;
  /** Layers whose donor activations to keep (default those of the request's sets); give a superset to reuse the store with other sets. */
  storeLayers?: number[];
}

export interface PhasedOutput extends SweepOutput {
  /** Batches owned by other shards and not recorded: when > 0 the scores are incomplete. */
  pending: number;
}

/** First column any patch touches in a batch of extended rows. */
const firstColumn = (ext: ExtendedRows) => Math.min(...ext.cols.map((c) => Math.min(...c)));

function needs(req: SweepRequest, storeLayers?: number[]) {
  const layers = [...new Set([...req.sets.flat(), ...(storeLayers ?? [])])].sort((a, b) => a - b);
  const states = [...new Set(req.sets.map((s) => entryState(req.site, Math.min(...s))))].sort((a, b) => a - b);
  return { layers, states, firstLayer: states[0] >> 1 };
}

/** How many patches step side by side when each takes `tokens` rows × columns. */
function stackSize(req: SweepRequest, tokens: number): number {
  return Math.max(1, Math.min(req.sets.length, Math.floor((req.stackTokens ?? 0) / tokens)));
}

/**
 * The memory the sweep will hold at its peak, before running anything: the donor activations of
 * every batch (they are all computed before the recipient runs; past `donorCap` they go to disk),
 * plus one batch's resume states, keys/values and stacked patches.
 */
export function planSweep(req: SweepRequest, model: ModelShape, storeLayers?: number[], donorCap = Infinity): MemoryPlan {
  checkRequest(req, model.numLayers);
  const { layers, states, firstLayer } = needs(req, storeLayers);
  let donorBytes = 0;
  let worst = { stateBytes: 0, kvBytes: 0, stackBytes: 0 };
  for (const rows of batches(req.prompts.length, req.batchSize ?? 8)) {
    const ext = extendRows(req, rows);
    const from = firstColumn(ext);
    const window = ext.ids.length * (ext.length - from) * model.hiddenSize * F32;
    donorBytes += layers.length * window;
    const p = {
      stateBytes: states.length * window,
      kvBytes: 2 * (model.numLayers - firstLayer) * ext.ids.length * from * model.kvWidth * F32,
      stackBytes: stackSize(req, ext.ids.length * (ext.length - from)) * window,
    };
    if (p.stateBytes + p.kvBytes + p.stackBytes > worst.stateBytes + worst.kvBytes + worst.stackBytes) worst = p;
  }
  const inMemory = Math.min(donorBytes, donorCap);
  return { donorBytes: inMemory, donorSpillBytes: donorBytes - inMemory, ...worst, totalBytes: inMemory + worst.stateBytes + worst.kvBytes + worst.stackBytes };
}

/** Logits at the tail columns (counted from the end) of a [B, n, H] state. */
async function tailLogits(model: StepModel, x: Act, tail: number[]): Promise<Act> {
  const n = x.dims[1];
  return model.logits(sliceColumns(x, n + tail[0], n), 'all');
}

/** The donor's pass over one batch: its ratings and its site activations at the kept layers. */
async function donorBatch(donor: StepModel, req: SweepRequest, ext: ExtendedRows, rows: number[], layers: Set<number>): Promise<DonorBatch> {
  const S = ext.length;
  const from = firstColumn(ext);
  const acts = new Map<number, Act>();
  const final = await forward(donor, promptBatch(ext.ids, req.padId), {
    hook: (site, layer, act) => {
      if (site === req.site && layers.has(layer)) acts.set(layer, sliceColumns(act, from, S));
      return undefined;
    },
  });
  return { acts, scores: scoresFromTail(req, ext, await tailLogits(donor, final, ext.tail), rows) };
}

/** The recipient's pass over one batch: unpatched ratings, then every patch resumed from its entry state. */
async function recipientBatch(
  recipient: StepModel,
  req: SweepRequest,
  ext: ExtendedRows,
  rows: number[],
  donor: DonorBatch,
  held: number,
  onBytes: (bytes: number) => void,
  step: () => void,
): Promise<{ recipient: AnswerScores[]; patched: number[][] }> {
  const { states, firstLayer } = needs(req);
  const stateSet = new Set(states);
  const S = ext.length;
  const from = firstColumn(ext);
  const batch = promptBatch(ext.ids, req.padId);

  // One full pass; keep the states patches resume from and the keys/values they reuse.
  const resume = new Map<number, Act>();
  const pastKv: KV[] = [];
  const final = await forward(recipient, batch, {
    onState: (s, act) => {
      if (stateSet.has(s)) resume.set(s, sliceColumns(act, from, S));
    },
    onPresent: from > 0 ? (l, kv) => l >= firstLayer && (pastKv[l] = kvPrefix(kv, from)) : undefined,
  });
  const unpatched = scoresFromTail(req, ext, await tailLogits(recipient, final, ext.tail), rows);
  for (const a of resume.values()) held += a.data.byteLength;
  for (const kv of pastKv) if (kv) held += kvBytes(kv);
  onBytes(held);
  step();

  // Patches: each resumes at its entry state over columns [from, S); several step side by side.
  const patched: number[][] = req.sets.map(() => []);
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
          site === req.site && set.has(layer) ? mixInto(act, donor.acts.get(layer)!.data, from, S - from, from, ext.cols, req.mix) : undefined,
      };
    });
    const finals = await runStacked(recipient, segment, from > 0 ? (l) => pastKv[l] : undefined, patches, (b) => onBytes(held + b));
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
  return { recipient: unpatched, patched };
}

/** Computes the donor side of the batches `which` that the store lacks; returns the batches computed. */
async function fillDonor(
  donorOf: () => Promise<StepModel>,
  req: SweepRequest,
  store: DonorStore,
  layers: number[],
  which: number[],
  exts: ExtendedRows[],
  onBatch: () => void,
): Promise<number[]> {
  const groups = batches(req.prompts.length, req.batchSize ?? 8);
  const missing = which.filter((g) => !store.has(g));
  if (missing.length === 0) return [];
  const donor = await donorOf();
  const layerSet = new Set(layers);
  for (const g of missing) {
    throwIfCancelled(req.signal);
    store.put(g, await donorBatch(donor, req, exts[g], groups[g], layerSet));
    onBatch();
  }
  return missing;
}

/**
 * The donor pass alone, into `store`, for the batches a later `runSweepPhased` with the same
 * request will compute: lets a cell run the donor for every site before it asks for the recipient.
 */
export async function runDonorPass(donor: () => Promise<StepModel>, req: SweepRequest, store: DonorStore, opts: Pick<PhasedOptions, 'units' | 'storeLayers'> = {}): Promise<void> {
  const groups = batches(req.prompts.length, req.batchSize ?? 8);
  const which = groups.map((_, g) => g).filter((g) => !opts.units?.recorded?.(g) && (opts.units?.owns?.(g) ?? true));
  const exts = groups.map((rows) => extendRows(req, rows));
  await fillDonor(donor, req, store, needs(req, opts.storeLayers).layers, which, exts, () => undefined);
}

/**
 * Runs every patch of the sweep: the donor pass over every batch first, then the recipient pass.
 * Each model is asked for only when some batch needs it. Batches recorded earlier are skipped;
 * batches another shard owns are left pending.
 */
export async function runSweepPhased(models: SweepModels, shape: ModelShape, req: SweepRequest, opts: PhasedOptions = {}): Promise<PhasedOutput> {
  const store = opts.store ?? new DonorStore();
  const ownStore = !opts.store;
  try {
    const plan = planSweep(req, shape, opts.storeLayers);
    req.onPlan?.(plan);
    const { layers } = needs(req, opts.storeLayers);
    const groups = batches(req.prompts.length, req.batchSize ?? 8);
    const perBatch = 2 + req.sets.length;
    const step = progressReporter(groups.length * perBatch, req.onProgress);
    const results: (SweepBatchResult | undefined)[] = groups.map((_, g) => opts.units?.recorded?.(g));
    const todo = groups.map((_, g) => !results[g] && (opts.units?.owns?.(g) ?? true));
    const pending = groups.filter((_, g) => !results[g] && !todo[g]).length;
    for (const [g] of groups.entries()) if (!todo[g]) for (let i = 0; i < perBatch; i++) step();
    let peakBytes = 0;

    // Donor pass, for the batches whose donor side the store does not hold yet.
    const exts = groups.map((rows) => extendRows(req, rows));
    const filled = await fillDonor(models.donor, req, store, layers, groups.map((_, g) => g).filter((g) => todo[g]), exts, () => {
      peakBytes = Math.max(peakBytes, store.memoryBytes);
      step();
    });
    for (const [g] of groups.entries()) if (todo[g] && !filled.includes(g)) step();
    await models.donorDone?.();

    // Recipient pass.
    if (todo.some(Boolean)) {
      const recipient = await models.recipient();
      for (const [g, rows] of groups.entries()) {
        if (!todo[g]) continue;
        throwIfCancelled(req.signal);
        const d = store.get(g);
        const r = await recipientBatch(recipient, req, exts[g], rows, d, store.memoryBytes, (b) => (peakBytes = Math.max(peakBytes, b)), step);
        results[g] = { donor: d.scores, ...r };
        opts.units?.record?.(g, results[g]!);
      }
    }

    const out: PhasedOutput = { donor: [], recipient: [], patched: req.sets.map(() => []), peakBytes, plan, pending };
    if (pending > 0) return out;
    for (const r of results as SweepBatchResult[]) {
      out.donor.push(...r.donor);
      out.recipient.push(...r.recipient);
      r.patched.forEach((p, k) => out.patched[k].push(...p));
    }
    return out;
  } finally {
    if (ownStore) store.dispose();
  }
}

/** Runs every patch of the sweep on two loaded models (donor pass, then recipient pass). */
export async function runSweep(donor: StepModel, recipient: StepModel, req: SweepRequest): Promise<SweepOutput> {
  const { pending: _, ...out } = await runSweepPhased({ donor: async () => donor, recipient: async () => recipient }, recipient, req);
  return out;
}
