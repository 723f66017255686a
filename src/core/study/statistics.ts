// A stats cell: tests across ratings cells. Per ratings cell and model, the Δ_Knobe test asked
// for (Welch, Student, paired) and a bootstrap interval of Δ; a version × condition ANOVA over the
// two models (items are the repeated unit: fully within for paired templates, condition between
// items for independent ones); p-values of the t-tests corrected for multiple comparisons.
import type { AnovaRow, RatingRow, RatingsResult, StatsResult, TestResult } from '../../common/results.js';
import type { StatsSpec } from '../format/specs.js';
import { adjustP, anovaRepeated, bootstrap, pairedT, studentT, welchT, type AnovaTable, type RepeatedData } from '../stats/index.js';
import { StudyError } from './errors.js';
import { ratingOf } from './ratings.js';

export function runStats(spec: StatsSpec, inputs: { name: string; result: RatingsResult }[]): StatsResult {
  const tests: TestResult[] = [];
  let anova: StatsResult['anova'];
  for (const { name, result } of inputs) {
    const paired = isPairedRows(result.rows);
    for (const model of ['pretrained', 'finetuned'] as const) {
      const rows = result.rows.filter((r) => r.model === model);
      if (rows.length === 0) continue;
      const neg = byItem(rows, 'negative');
      const pos = byItem(rows, 'positive');
      const label = `${name} · ${model}`;
      for (const t of spec.tests) {
        if (t === 'welch') tests.push(named(`${label}: Welch t`, welchT(neg.map(ratingOf), pos.map(ratingOf))));
        if (t === 'student') tests.push(named(`${label}: Student t`, studentT(neg.map(ratingOf), pos.map(ratingOf))));
        if (t === 'paired') {
          if (!paired) throw new StudyError('bad-cell', `stats \`${spec.name}\`: a paired t needs paired templates, and \`${name}\` rates independent items`, 'use welch or student for independent items', spec.name);
          tests.push(named(`${label}: paired t`, pairedT(neg.map(ratingOf), pos.map(ratingOf))));
        }
        if (t === 'bootstrap') tests.push(bootstrapDelta(`${label}: bootstrap Δ`, rows, paired, spec));
      }
    }
    if (spec.tests.includes('anova') && anova === undefined) anova = versionByCondition(name, result, paired, spec.name);
  }
  const testable = tests.map((t, i) => [t, i] as const).filter(([t]) => Number.isFinite(t.p));
  if (spec.correction !== 'none' && testable.length > 0) {
    const adjusted = adjustP(testable.map(([t]) => t.p), spec.correction);
    testable.forEach(([t], k) => (t.pAdjusted = adjusted[k]));
  }
  return { kind: 'stats', tests, anova, correction: spec.correction };
}

function named(name: string, t: TestResult): TestResult {
  return { name, statistic: t.statistic, df: t.df, p: t.p, effect: t.effect, apa: t.apa };
}

function byItem(rows: RatingRow[], condition: 'negative' | 'positive'): RatingRow[] {
  return rows.filter((r) => r.condition === condition).sort((a, b) => (a.item < b.item ? -1 : a.item > b.item ? 1 : 0));
}

function isPairedRows(rows: RatingRow[]): boolean {
  const conds = new Map<string, Set<string>>();
  for (const r of rows) (conds.get(r.item) ?? conds.set(r.item, new Set()).get(r.item)!).add(r.condition);
  return [...conds.values()].every((s) => s.size === 2);
}

/** Δ_Knobe with a seeded bootstrap CI (BCa where defined), resampling items within conditions. */
function bootstrapDelta(name: string, rows: RatingRow[], paired: boolean, spec: StatsSpec): TestResult {
  const delta = (s: readonly RatingRow[]) => {
    let sn = 0, nn = 0, sp = 0, np = 0;
    for (const r of s) {
      if (r.condition === 'negative') { sn += ratingOf(r); nn++; } else { sp += ratingOf(r); np++; }
    }
    return sn / nn - sp / np;
  };
  // Paired templates resample items (both conditions together); independent items resample within condition.
  const items = [...new Set(rows.map((r) => r.item))];
  const b = paired
    ? bootstrap(items, (s) => delta(s.flatMap((it) => rows.filter((r) => r.item === it))), { seed: spec.seed, replicates: spec.bootstrap })
    : bootstrap(rows, delta, { seed: spec.seed, replicates: spec.bootstrap, strata: (r) => r.condition });
  const ci = b.bca ?? b.percentile;
  const method = b.bca ? 'BCa' : 'percentile';
  return {
    name,
    statistic: b.estimate,
    df: paired ? items.length - 1 : rows.length - 2,
    p: Number.NaN,
    effect: { name: 'Δ', value: b.estimate, ci },
    apa: `Δ = ${b.estimate.toFixed(2)}, 95% ${method} CI [${ci[0].toFixed(2)}, ${ci[1].toFixed(2)}] (${b.replicates} resamples)`,
  };
}

function versionByCondition(name: string, result: RatingsResult, paired: boolean, cell: string): StatsResult['anova'] {
  const rows = result.rows;
  if (new Set(rows.map((r) => r.model)).size < 2) {
    throw new StudyError('bad-cell', `stats \`${cell}\`: the version × condition ANOVA needs both models, and \`${name}\` rates one`, 'rate both models in the ratings cell (models: pretrained, finetuned)', cell);
  }
  const data: RepeatedData = {
    y: rows.map(ratingOf),
    subject: rows.map((r) => (paired ? r.item : `${r.condition}:${r.item}`)),
    within: paired ? { version: rows.map((r) => r.model), condition: rows.map((r) => r.condition) } : { version: rows.map((r) => r.model) } as Record<string, string[]>,
    between: paired ? undefined : { condition: rows.map((r) => r.condition) },
  };
  const table: AnovaTable = anovaRepeated(data);
  const out: AnovaRow[] = table.rows.map((r) => ({ effect: r.effect, ss: r.ss, df: r.df, ms: r.ms, F: r.F, p: r.p, partialEta2: r.partialEta2, pGG: r.pGG, pHF: r.pHF }));
  return { design: `${name}: ${table.design}`, rows: out, residualDf: table.residualDf };
}
