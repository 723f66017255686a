// A localize cell: for each model and layer, how far apart the two conditions' mean activations
// are at the chosen site and positions (δ_l: the L2 norm of the mean difference, and the cosine
// between the means). Activations of a prompt at several positions are averaged first.
import type { LocalizationResult, LocalizationRow, ModelRole } from '../../common/results.js';
import type { LocalizeSpec, ScenarioSet } from '../format/specs.js';
import { makeBatch } from '../models/model.js';
import { describePositions, resolvePositions, type PositionSpec } from '../patching/positions.js';
import { activationDifference } from '../stats/index.js';
import type { ModelPool, ResolvedPair } from './models.js';
import type { CellProgress } from './progress.js';
import { tokenizePrompts } from './prompts.js';
import { StudyError } from './errors.js';
import { CellUnits, MemoryLedger } from './ledger.js';
import type { LoadedModel } from '../models/model.js';

export interface LocalizeContext {
  pool: ModelPool;
  pair: ResolvedPair;
  set: ScenarioSet;
  signal?: AbortSignal;
  progress: CellProgress;
  batchSize?: number;
  /** Finished units of this cell (resume, shards); default: none recorded. */
  units?: CellUnits;
}

export async function runLocalize(spec: LocalizeSpec, ctx: LocalizeContext): Promise<LocalizationResult> {
  const { pair, set } = ctx;
  const roles: ModelRole[] = ['pretrained', 'finetuned'];
  const batchSize = ctx.batchSize ?? 8;
  const positions = spec.positions as PositionSpec;
  ctx.progress.start(roles.length * set.vignettes.length);
  const rows: LocalizationRow[] = [];
  const units = ctx.units ?? new CellUnits(spec.name, new MemoryLedger());
  for (const role of roles) {
    const side = pair[role];
    const prompts = tokenizePrompts(side, set, pair.spec);
    const L = side.checkpoint.config.numLayers;
    const H = side.checkpoint.config.hiddenSize;
    const decode = (ids: number[]) => side.tokenizer.decode(ids);
    const hooks = spec.sites.flatMap((site) => Array.from({ length: L }, (_, l) => `blocks.${l}.hook_${site}`));
    let loaded: LoadedModel | undefined;
    // vectors[hook][prompt]: the prompt's activation averaged over its chosen positions.
    const vectors = new Map<string, Float32Array[]>(hooks.map((h) => [h, []]));
    for (let i = 0; i < prompts.length; i += batchSize) {
      if (ctx.signal?.aborted) throw new StudyError('cancelled', 'cancelled');
      const chunk = prompts.slice(i, i + batchSize);
      // One unit: the batch's averaged vectors, hook by hook.
      const got = await units.run<Float32Array[][]>(`${role}/${i}`, async () => {
        const model = (loaded ??= await ctx.pool.model(side, pair.precision));
        const batch = makeBatch(chunk.map((p) => p.ids), side.tokenizer.padTokenId ?? 0);
        const last = positions.kind === 'last';
        const out = await model.run(batch, { collect: hooks, at: last ? 'last' : 'all' });
        const perHook: Float32Array[][] = hooks.map(() => []);
        chunk.forEach((p, b) => {
          const cols = last ? [0] : resolvePositions(positions, p, decode).map((pos) => batch.length - p.ids.length + pos);
          hooks.forEach((h, k) => {
            const act = out.hooks.get(h)!;
            const S = act.dims[1];
            const v = new Float32Array(H);
            for (const c of cols) {
              const base = (b * S + c) * H;
              for (let j = 0; j < H; j++) v[j] += act.data[base + j] / cols.length;
            }
            perHook[k].push(v);
          });
        });
        return perHook;
      });
      if (got) hooks.forEach((h, k) => vectors.get(h)!.push(...got[k]));
      ctx.progress.advance(chunk.length);
    }
    if (units.pending > 0) continue;
    for (const site of spec.sites) {
      for (let l = 0; l < L; l++) {
        const vs = vectors.get(`blocks.${l}.hook_${site}`)!;
        const neg = vs.filter((_, k) => set.vignettes[k].condition === 'negative');
        const pos = vs.filter((_, k) => set.vignettes[k].condition === 'positive');
        const d = activationDifference(neg, pos);
        rows.push({ model: role, site, layer: l, l2: d.l2, cosine: d.cosine });
      }
    }
  }
  units.finish();
  return { kind: 'localization', positions: describePositions(positions), rows };
}
