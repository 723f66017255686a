// A ratings cell: each model of the pair rates every vignette, by the exact expected value over
// the scale (one forward pass per prompt, multi-token answers teacher-forced), by sampled
// generations parsed for a number, or both; then Δ_Knobe per model with the test that fits the
// design (paired t for paired templates, Welch for independent items).
import type { Condition, ModelRole, RatingRow, RatingsModelSummary, RatingsResult, TokenizationNote } from '../../common/results.js';
import type { RatingsSpec, ScenarioSet } from '../format/specs.js';
import { asStepModel } from '../patching/adapter.js';
import { rateExpected } from '../scoring/rate.js';
import { rateSampled } from '../scoring/sample.js';
import { knobeDelta, mean, StatsError, variance } from '../stats/index.js';
import type { StepModel } from '../patching/model.js';
import { CellUnits, MemoryLedger } from './ledger.js';
import type { ModelPool, ResolvedPair } from './models.js';
import { unreadableWords } from './coverage.js';
import { answerSet, tokenizePrompts } from './prompts.js';
import type { CellProgress } from './progress.js';

export interface RatingsContext {
  pool: ModelPool;
  pair: ResolvedPair;
  set: ScenarioSet;
  signal?: AbortSignal;
  progress: CellProgress;
  /** Finished units of this cell (resume, shards); default: none recorded. */
  units?: CellUnits;
  batchSize?: number;
}

interface ExpectedUnit {
  expected: number;
  distribution: number[];
  outsideMass: number;
}

interface SampledUnit {
  mean: number;
  parsed: number;
  samples: number;
}

/**
 * Rates every vignette with each model in turn. The work is in units — a batch of prompts for the
 * expected value, one prompt for sampling — so a run resumes where an earlier one stopped, and a
 * model is loaded only when one of its units must be computed.
 */
export async function runRatings(spec: RatingsSpec, ctx: RatingsContext): Promise<RatingsResult> {
  const { pair, set } = ctx;
  const units = ctx.units ?? new CellUnits(spec.name, new MemoryLedger());
  const wantExpected = spec.protocol !== 'sample';
  const wantSamples = spec.protocol === 'sample' || spec.protocol === 'both';
  const perModel = set.vignettes.length * ((wantExpected ? 1 : 0) + (wantSamples ? spec.samples : 0));
  ctx.progress.start(perModel * spec.models.length);
  const size = ctx.batchSize ?? 8;
  const rows: RatingRow[] = [];
  const tokenization: TokenizationNote[] = [];
  for (const role of spec.models) {
    const side = pair[role];
    const answers = answerSet(side, set);
    // Positions fed after the prompt: an answer's tokens but its last, or the generated ones.
    const reserve = Math.max(wantExpected ? Math.max(...answers.tokens.map((t) => t.length)) - 1 : 0, wantSamples ? spec.maxTokens - 1 : 0);
    const prompts = tokenizePrompts(side, set, pair.spec, { reserve });
    const unread = unreadableWords(side.tokenizer, prompts.map((p) => p.text));
    if (unread.unknown.length + unread.spelled.length > 0) tokenization.push({ model: role, ...unread });
    const padId = side.tokenizer.padTokenId ?? 0;
    let loaded: StepModel | undefined;
    const model = async () => (loaded ??= asStepModel(await ctx.pool.model(side, pair.precision)));
    const modelRows: RatingRow[] = set.vignettes.map((v) => ({ model: role, item: v.item, condition: v.condition }));
    if (wantExpected) {
      for (let i = 0; i < prompts.length; i += size) {
        const chunk = prompts.slice(i, i + size);
        const got = await units.run<ExpectedUnit[]>(`${role}/expected/${i}`, async () => {
          const scores = await rateExpected(await model(), answers, chunk.map((p) => p.ids), { padId, batchSize: size, signal: ctx.signal });
          return scores.map((sc) => ({ expected: sc.expected, distribution: sc.distribution, outsideMass: sc.outsideMass }));
        });
        got?.forEach((sc, k) => Object.assign(modelRows[i + k], sc));
        ctx.progress.advance(chunk.length);
      }
    }
    if (wantSamples) {
      const [min, max] = numericRange(set.scale);
      for (const [i, p] of prompts.entries()) {
        let computed = false;
        const got = await units.run<SampledUnit>(`${role}/sample/${i}`, async () => {
          computed = true;
          const [s] = await rateSampled(await model(), side.tokenizer, [p.ids], {
            samples: spec.samples,
            temperature: spec.temperature,
            topP: spec.topP,
            topK: spec.topK,
            maxTokens: spec.maxTokens,
            seed: spec.seed,
            firstPrompt: i,
            min,
            max,
            padId,
            signal: ctx.signal,
            onSamples: (n: number) => ctx.progress.advance(n),
          });
          return { mean: s.mean, parsed: s.parsed, samples: s.samples };
        });
        if (got) Object.assign(modelRows[i], { sampledMean: got.mean, parsed: got.parsed, samples: got.samples });
        if (!computed) ctx.progress.advance(spec.samples);
      }
    }
    rows.push(...modelRows);
  }
  units.finish();
  return { kind: 'ratings', scale: set.scale, protocol: spec.protocol, rows, summary: summarize(rows, spec.models, isPaired(set)), ...(tokenization.length ? { tokenization } : {}) };
}

/** Paired templates give each item both conditions; independent items give one. */
export function isPaired(set: ScenarioSet): boolean {
  const seen = new Map<string, Set<Condition>>();
  for (const v of set.vignettes) (seen.get(v.item) ?? seen.set(v.item, new Set()).get(v.item)!).add(v.condition);
  return [...seen.values()].every((s) => s.size === 2);
}

/** The rating a row contributes: the expected value when there is one, else the sampled mean. */
export function ratingOf(row: RatingRow): number {
  return row.expected ?? row.sampledMean ?? Number.NaN;
}

export function summarize(rows: RatingRow[], models: ModelRole[], paired: boolean): RatingsModelSummary[] {
  return models.map((model) => {
    const mine = rows.filter((r) => r.model === model);
    // Paired templates are aligned by item so the paired t compares each item with itself.
    const byItem = (c: Condition) => mine.filter((r) => r.condition === c).sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
    const neg = byItem('negative').map(ratingOf);
    const pos = byItem('positive').map(ratingOf);
    const d = deltaOf(neg, pos, paired);
    const summary: RatingsModelSummary = { model, negative: d.negative, positive: d.positive, delta: d.delta, test: d.test };
    const sampledRows = mine.filter((r) => r.samples !== undefined);
    if (sampledRows.length > 0) {
      const parsed = sampledRows.reduce((a, r) => a + (r.parsed ?? 0), 0);
      const total = sampledRows.reduce((a, r) => a + (r.samples ?? 0), 0);
      summary.parseRate = total > 0 ? parsed / total : Number.NaN;
      const both = sampledRows.filter((r) => r.expected !== undefined && r.sampledMean !== undefined && Number.isFinite(r.sampledMean));
      if (both.length >= 3) summary.agreement = correlation(both.map((r) => r.expected!), both.map((r) => r.sampledMean!));
    }
    return summary;
  });
}

/**
 * Δ_Knobe with the test that fits the design. A set with one item per condition, or ratings that
 * do not vary, has no test — but its ratings and Δ still stand, so the cell keeps them and says
 * why there is no test instead of failing.
 */
export function deltaOf(neg: number[], pos: number[], paired: boolean): Pick<RatingsModelSummary, 'negative' | 'positive' | 'delta' | 'test'> {
  try {
    const d = knobeDelta(neg, pos, { design: paired ? 'paired' : 'independent' });
    return { negative: d.negative, positive: d.positive, delta: d.delta, test: stripTest(d.test) };
  } catch (e) {
    if (!(e instanceof StatsError) || (e.code !== 'too-few' && e.code !== 'zero-variance')) throw e;
    if (neg.length === 0 || pos.length === 0 || ![...neg, ...pos].every(Number.isFinite)) throw e;
    const plain = (v: number[]) => {
      const m = mean(v);
      const sd = v.length > 1 ? Math.sqrt(variance(v)) : Number.NaN;
      return { n: v.length, mean: m, sd, se: sd / Math.sqrt(v.length), ci: [Number.NaN, Number.NaN] as [number, number] };
    };
    const name = paired ? 'paired t' : 'Welch t';
    return {
      negative: plain(neg),
      positive: plain(pos),
      delta: { estimate: mean(neg) - mean(pos), ci: [Number.NaN, Number.NaN] },
      test: { name, statistic: Number.NaN, df: Number.NaN, p: Number.NaN, apa: `no ${name}: ${e.message}` },
    };
  }
}

function stripTest(t: ReturnType<typeof knobeDelta>['test']) {
  return { name: t.name, statistic: t.statistic, df: t.df, p: t.p, effect: t.effect, apa: t.apa };
}

/** Pearson correlation; NaN when either side has no spread. */
export function correlation(x: number[], y: number[]): number {
  const n = x.length;
  const mx = x.reduce((a, b) => a + b, 0) / n;
  const my = y.reduce((a, b) => a + b, 0) / n;
  let sxy = 0, sxx = 0, syy = 0;
  for (let i = 0; i < n; i++) {
    sxy += (x[i] - mx) * (y[i] - my);
    sxx += (x[i] - mx) ** 2;
    syy += (y[i] - my) ** 2;
  }
  return sxx > 0 && syy > 0 ? sxy / Math.sqrt(sxx * syy) : Number.NaN;
}

/** Lowest and highest numeric answer of the scale (for parsing sampled text). */
function numericRange(scale: string[]): [number, number] {
  const nums = scale.map(Number).filter(Number.isFinite);
  return nums.length ? [Math.min(...nums), Math.max(...nums)] : [0, 1];
}
