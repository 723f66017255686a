// A sweep cell: the recipient model runs with the donor's activations patched into chosen layers,
// sites and positions; each patch's Δ_Knobe, the fraction of the effect it removes (with a
// bootstrap CI over items) and, on request, a greedy search for the smallest layer set that
// removes a target fraction. All patches of a site share one scheduler pass (see patching/).
// One model at a time: the donor runs for every site first (its activations kept, on disk when
// large), then the recipient; with a small memory budget the pool releases the donor in between.
// Each batch of prompts of each site (and of each search round) is a unit of work: recorded
// units are not recomputed, and a shard computes only the units it owns.
import type { ModelRole, PatchRow, SweepResult } from '../../common/results.js';
import type { ScenarioSet, SweepSpec } from '../format/specs.js';
import { asStepModel } from '../patching/adapter.js';
import type { LayerSite } from '../patching/hooks.js';
import { describePositions, type PositionSpec } from '../patching/positions.js';
import { DonorStore } from '../patching/donor.js';
import { runDonorPass, runSweepPhased, type SweepBatchResult, type SweepModels, type SweepUnits } from '../patching/scheduler.js';
import type { SweepRequest } from '../patching/plan.js';
import { CellUnits, MemoryLedger } from './ledger.js';
import { allLayers, expandFamily, greedySmallest, layerLabel, type SweepFamily } from '../patching/sweep.js';
import { fractionRemoved, mean, requireFinite, StatsError, tostPaired, tostTwoSample, type EquivalenceBounds } from '../stats/index.js';
import type { ModelPool, ResolvedPair } from './models.js';
import { StepProgress, type CellProgress } from './progress.js';
import { answerSet, tokenizePrompts } from './prompts.js';
import { deltaOf, isPaired } from './ratings.js';
import { StudyError } from './errors.js';

export interface SweepContext {
  pool: ModelPool;
  pair: ResolvedPair;
  set: ScenarioSet;
  /** The earlier sweep named by `top: K of CELL`. */
  topOf?: SweepResult;
  signal?: AbortSignal;
  progress: CellProgress;
  /** Bootstrap resamples and seed for the fraction-removed CIs (the cell's `bootstrap` and `seed`). */
  bootstrap?: { replicates: number; seed: number };
  /** Finished units of this cell (resume, shards); default: none recorded. */
  units?: CellUnits;
  /** Folder for donor activations that do not fit in memory; and how many bytes may stay in memory. */
  spillDir?: string;
  donorMemory?: number;
}

export async function runSweepCell(spec: SweepSpec, ctx: SweepContext): Promise<SweepResult> {
  const { pair, set } = ctx;
  const [donorRole, recipientRole]: [ModelRole, ModelRole] = spec.direction === 'pretrained->finetuned' ? ['pretrained', 'finetuned'] : ['finetuned', 'pretrained'];
  const donorSide = pair[donorRole];
  const recipientSide = pair[recipientRole];
  const units = ctx.units ?? new CellUnits(spec.name, new MemoryLedger());
  // Asked of the pool at the start of each pass and not kept past it, so the pool may release the
  // donor to make room for the recipient.
  const models: SweepModels = {
    donor: async () => asStepModel(await ctx.pool.model(donorSide, pair.precision)),
    recipient: async () => asStepModel(await ctx.pool.model(recipientSide, pair.precision)),
  };
  const shape = { numLayers: recipientSide.checkpoint.config.numLayers, hiddenSize: recipientSide.checkpoint.config.hiddenSize, kvWidth: recipientSide.checkpoint.config.numKvHeads * recipientSide.checkpoint.config.headDim };
  const L = shape.numLayers;
  const answers = answerSet(recipientSide, set);
  const reserve = Math.max(...answers.tokens.map((t) => t.length)) - 1;
  const prompts = tokenizePrompts(recipientSide, set, pair.spec, { reserve });
  const donorIds = tokenizePrompts(donorSide, set, pair.spec, { reserve }).map((p) => p.ids);
  const conditions = set.vignettes.map((v) => v.condition);
  const paired = isPaired(set);
  const layers = spec.layers === 'all' ? allLayers(L) : spec.layers;
  const positions = spec.positions as PositionSpec;
  const boot = ctx.bootstrap ?? { replicates: 1000, seed: 1 };
  const steps = new StepProgress(ctx.progress, spec.sites.length + (spec.smallest !== undefined ? 1 : 0));
  const batchSize = 8;
  const groups = Math.ceil(prompts.length / batchSize);

  const request = (site: LayerSite, sets: number[][], step: number): SweepRequest => ({
    site,
    sets,
    positions,
    mix: spec.mix,
    prompts,
    donorIds,
    answers,
    batchSize,
    padId: recipientSide.tokenizer.padTokenId ?? 0,
    decode: (ids) => recipientSide.tokenizer.decode(ids),
    signal: ctx.signal,
    onProgress: (p) => steps.update(step, p.done, p.total, `${site}`),
  });
  /** Batches of one site (or search round) as units: keyed by `prefix`, numbered from `ordinal0`. */
  const unitsOf = (prefix: string, ordinal0: number | undefined): SweepUnits => ({
    recorded: (g) => units.recorded<SweepBatchResult>(`${prefix}/${g}`),
    owns: (g) => ordinal0 === undefined || units.isMine(ordinal0 + g),
    record: (g, r) => units.record(`${prefix}/${g}`, r),
  });

  const familyFor = (site: LayerSite) => expandFamily(familyOf(spec, site, layers, ctx.topOf), L);
  // The donor side every site needs, kept until the recipient has run; the first site's store also
  // holds every candidate layer of the greedy search, which reuses it.
  const stores = spec.sites.map(() => new DonorStore({ memoryCap: ctx.donorMemory, spillDir: ctx.spillDir }));
  const storeLayers = (i: number) => (i === 0 && spec.smallest !== undefined ? layers : undefined);
  try {
    for (const [i, site] of spec.sites.entries()) {
      await runDonorPass(models.donor, request(site, familyFor(site), i), stores[i], { units: unitsOf(site, i * groups), storeLayers: storeLayers(i) });
    }
    const rows: PatchRow[] = [];
    let baseline: SweepResult['baseline'] | undefined;
    let fractionNote: string | undefined;
    for (const [i, site] of spec.sites.entries()) {
      const sets = familyFor(site);
      const out = await runSweepPhased(models, shape, request(site, sets, i), { units: unitsOf(site, i * groups), store: stores[i], storeLayers: storeLayers(i) });
      if (i > 0) stores[i].dispose();
      if (out.pending > 0) {
        units.addPending(out.pending);
        continue;
      }
      const unpatched = out.recipient.map((s) => s.expected);
      const donorRatings = out.donor.map((s) => s.expected);
      baseline ??= {
        [donorRole]: delta(donorRatings, conditions),
        [recipientRole]: delta(unpatched, conditions),
      } as SweepResult['baseline'];
      sets.forEach((layersOfSet, k) => {
        const patched = out.patched[k];
        const neg = patched.filter((_, j) => conditions[j] === 'negative');
        const pos = patched.filter((_, j) => conditions[j] === 'positive');
        const d = deltaOf(neg, pos, paired);
        const f = fraction(set.vignettes.map((v) => v.item), conditions, unpatched, patched, donorRatings, boot);
        fractionNote ??= f.reason;
        const tost = spec.equivalence ? equivalenceOf(neg, pos, paired, spec.equivalence) : undefined;
        rows.push({
          site,
          layers: layersOfSet,
          label: layerLabel(layersOfSet),
          positions: describePositions(positions),
          delta: d.delta.estimate,
          ci: d.delta.ci,
          fractionRemoved: f.fraction,
          fractionCi: f.ci,
          ...(tost ? { tost } : {}),
        });
      });
    }
    // A shard stops here: the cell is finished once every shard's units are merged.
    units.finish();

    const result: SweepResult = { kind: 'sweep', direction: spec.direction, mix: spec.mix, baseline: baseline!, rows, ...(fractionNote ? { fractionNote } : {}) };
    if (spec.smallest !== undefined) {
      const site = spec.sites[0];
      const step = spec.sites.length;
      const found = await greedySmallest(layers, spec.smallest, async (sets) => {
        const key = `smallest/${sets.map((s) => s.join('+')).join(',')}`;
        const out = await runSweepPhased(models, shape, request(site, sets, step), { units: unitsOf(key, undefined), store: stores[0], storeLayers: layers });
        const unpatched = out.recipient.map((s) => s.expected);
        const donorRatings = out.donor.map((s) => s.expected);
        return sets.map((_, k) => pointFraction(conditions, unpatched, out.patched[k], donorRatings));
      });
      result.smallest = { site, layers: found.layers, fractionRemoved: found.fraction, target: spec.smallest };
    }
    return result;
  } finally {
    for (const s of stores) s.dispose();
  }
}

function familyOf(spec: SweepSpec, site: LayerSite, layers: number[], topOf: SweepResult | undefined): SweepFamily {
  if (spec.sets) return { kind: 'sets', sets: spec.sets };
  if (spec.top) {
    const effects = (topOf?.rows ?? []).filter((r) => r.site === site).map((r) => ({ layers: r.layers, effect: r.fractionRemoved }));
    const sites = [...new Set((topOf?.rows ?? []).map((r) => r.site))];
    if (effects.length === 0 && sites.length > 0) {
      throw new StudyError('bad-cell', `sweep \`${spec.name}\` takes the top layers at ${site} from \`${spec.top.cell}\`, which patched only ${sites.join(', ')}`, `sweep ${site} in \`${spec.top.cell}\` too, or give this cell site: ${sites.join(', ')}`, spec.name);
    }
    return { kind: 'top', k: spec.top.k, effects };
  }
  if (spec.window > 1) return { kind: 'window', layers, size: spec.window };
  return { kind: 'each', layers };
}

function delta(ratings: number[], conditions: string[]): number {
  return mean(ratings.filter((_, j) => conditions[j] === 'negative')) - mean(ratings.filter((_, j) => conditions[j] === 'positive'));
}

function pointFraction(conditions: string[], unpatched: number[], patched: number[], donor: number[]): number {
  const u = delta(unpatched, conditions);
  return (u - delta(patched, conditions)) / (u - delta(donor, conditions));
}

/** A patch's fraction removed with its interval, and why either is undefined when one is. */
export interface FractionEstimate {
  fraction: number;
  ci: [number, number];
  reason?: string;
}

const NO_INTERVAL: [number, number] = [Number.NaN, Number.NaN];

/**
 * Fraction removed with its bootstrap CI. Two degenerate cases are answered with their reason:
 * the two models' Δ coincide (the fraction is 0/0 or unbounded: undefined), and a condition with
 * a single item (the fraction stands, an interval cannot be resampled). Anything else the
 * statistics refuse — a non-finite rating above all — is an error of the cell.
 */
export function fraction(itemIds: string[], conditions: string[], unpatched: number[], patched: number[], donor: number[], boot: { replicates: number; seed: number }): FractionEstimate {
  requireFinite(unpatched, 'ratings of the unpatched recipient');
  requireFinite(patched, 'ratings of the patched recipient');
  requireFinite(donor, 'ratings of the donor');
  const u = delta(unpatched, conditions);
  const d = delta(donor, conditions);
  if (u === d) {
    return { fraction: Number.NaN, ci: NO_INTERVAL, reason: `the two models' Δ_Knobe coincide (${u.toFixed(4)}): there is no effect for a patch to remove` };
  }
  const fewest = Math.min(...(['negative', 'positive'] as const).map((c) => conditions.filter((x) => x === c).length));
  if (fewest === 1) {
    return { fraction: pointFraction(conditions, unpatched, patched, donor), ci: NO_INTERVAL, reason: 'a condition has a single item: the fraction removed has no interval (resampling needs at least 2 items per condition)' };
  }
  // Item ids let paired templates be resampled item by item, their two versions together.
  const items = conditions.map((condition, j) => ({ item: itemIds[j], condition: condition as 'negative' | 'positive', unpatched: unpatched[j], patched: patched[j], donor: donor[j] }));
  const f = fractionRemoved(items, { seed: boot.seed, replicates: boot.replicates });
  return { fraction: f.fraction, ci: f.ci };
}

/**
 * TOST of a patch's Δ_Knobe against 0 within the bounds ("does this patch remove the effect?").
 * Ratings without spread have no test: p is NaN and nothing is claimed.
 */
function equivalenceOf(neg: number[], pos: number[], paired: boolean, bounds: EquivalenceBounds): { p: number; equivalent: boolean } {
  try {
    const r = paired ? tostPaired(neg, pos, bounds) : tostTwoSample(neg, pos, bounds);
    return { p: r.p, equivalent: r.equivalent };
  } catch (e) {
    if (e instanceof StatsError && (e.code === 'zero-variance' || e.code === 'too-few')) return { p: Number.NaN, equivalent: false };
    throw e;
  }
}
