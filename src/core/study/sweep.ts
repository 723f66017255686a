// A sweep cell: the recipient model runs with the donor's activations patched into chosen layers,
// sites and positions; each patch's Δ_Knobe, the fraction of the effect it removes (with a
// bootstrap CI over items) and, on request, a greedy search for the smallest layer set that
// removes a target fraction. All patches of a site share one scheduler pass (see patching/).
import type { ModelRole, PatchRow, SweepResult } from '../../common/results.js';
import type { ScenarioSet, SweepSpec } from '../format/specs.js';
import { asStepModel } from '../patching/adapter.js';
import type { LayerSite } from '../patching/hooks.js';
import { describePositions, type PositionSpec } from '../patching/positions.js';
import { runSweep } from '../patching/scheduler.js';
import { allLayers, expandFamily, greedySmallest, layerLabel, type SweepFamily } from '../patching/sweep.js';
import { fractionRemoved, mean } from '../stats/index.js';
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
  /** Bootstrap resamples and seed for the fraction-removed CIs. */
  bootstrap?: { replicates: number; seed: number };
}

export async function runSweepCell(spec: SweepSpec, ctx: SweepContext): Promise<SweepResult> {
  const { pair, set } = ctx;
  const [donorRole, recipientRole]: [ModelRole, ModelRole] = spec.direction === 'pretrained->finetuned' ? ['pretrained', 'finetuned'] : ['finetuned', 'pretrained'];
  const donorSide = pair[donorRole];
  const recipientSide = pair[recipientRole];
  const donor = asStepModel(await ctx.pool.model(donorSide));
  const recipient = asStepModel(await ctx.pool.model(recipientSide));
  const L = recipient.numLayers;
  const prompts = tokenizePrompts(recipientSide, set, pair.spec);
  const donorIds = tokenizePrompts(donorSide, set, pair.spec).map((p) => p.ids);
  const answers = answerSet(recipientSide, set);
  const conditions = set.vignettes.map((v) => v.condition);
  const paired = isPaired(set);
  const layers = spec.layers === 'all' ? allLayers(L) : spec.layers;
  const positions = spec.positions as PositionSpec;
  const boot = ctx.bootstrap ?? { replicates: 1000, seed: 1 };
  const steps = new StepProgress(ctx.progress, spec.sites.length + (spec.smallest !== undefined ? 1 : 0));

  const sweepSets = async (site: LayerSite, sets: number[][], step: number) =>
    runSweep(donor, recipient, {
      site,
      sets,
      positions,
      mix: spec.mix,
      prompts,
      donorIds,
      answers,
      padId: recipientSide.tokenizer.padTokenId ?? 0,
      decode: (ids) => recipientSide.tokenizer.decode(ids),
      signal: ctx.signal,
      onProgress: (p) => steps.update(step, p.done, p.total, `${site}`),
    });

  const rows: PatchRow[] = [];
  let baseline: SweepResult['baseline'] | undefined;
  for (const [i, site] of spec.sites.entries()) {
    const sets = expandFamily(familyOf(spec, site, layers, ctx.topOf), L);
    const out = await sweepSets(site, sets, i);
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
      const f = fraction(conditions, unpatched, patched, donorRatings, boot);
      rows.push({
        site,
        layers: layersOfSet,
        label: layerLabel(layersOfSet),
        positions: describePositions(positions),
        delta: d.delta.estimate,
        ci: d.delta.ci,
        fractionRemoved: f.fraction,
        fractionCi: f.ci,
      });
    });
  }

  const result: SweepResult = { kind: 'sweep', direction: spec.direction, mix: spec.mix, baseline: baseline!, rows };
  if (spec.smallest !== undefined) {
    const site = spec.sites[0];
    const step = spec.sites.length;
    const found = await greedySmallest(layers, spec.smallest, async (sets) => {
      const out = await sweepSets(site, sets, step);
      const unpatched = out.recipient.map((s) => s.expected);
      const donorRatings = out.donor.map((s) => s.expected);
      return sets.map((_, k) => pointFraction(conditions, unpatched, out.patched[k], donorRatings));
    });
    result.smallest = { site, layers: found.layers, fractionRemoved: found.fraction, target: spec.smallest };
  }
  return result;
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

/** Fraction removed with its bootstrap CI; NaN with no interval when the two models' Δ coincide. */
function fraction(conditions: string[], unpatched: number[], patched: number[], donor: number[], boot: { replicates: number; seed: number }) {
  const items = conditions.map((condition, j) => ({ condition: condition as 'negative' | 'positive', unpatched: unpatched[j], patched: patched[j], donor: donor[j] }));
  try {
    const f = fractionRemoved(items, { seed: boot.seed, replicates: boot.replicates });
    return { fraction: f.fraction, ci: f.ci };
  } catch {
    const f = pointFraction(conditions, unpatched, patched, donor);
    return { fraction: f, ci: [Number.NaN, Number.NaN] as [number, number] };
  }
}
