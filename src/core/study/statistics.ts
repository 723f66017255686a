// A stats cell: tests across ratings cells. Per ratings cell and model, the tests asked for (t,
// bootstrap, equivalence, rank tests); then the analyses of the whole design: version × condition
// within each ratings cell, family × version × condition across them (a family is the pair a
// ratings cell rates), a linear mixed model over every rating, Δ_Knobe per family for the forest
// plot, and the layer effects of the sweeps it names. p-values of the per-model tests are
// corrected for multiple comparisons and the adjusted values printed in their APA lines.
import type { AnovaRow, AnovaTableResult, FamilyDelta, FamilyLayerEffect, MixedModelResult, RatingRow, RatingsResult, StatsResult, SweepResult, TestResult } from '../../common/results.js';
import type { StatsSpec } from '../format/specs.js';
import {
  adjustTests, anovaRepeated, bootstrap, fitMixedModel, mannWhitney, pairedT, partialEta2Interval, studentT, tostPaired, tostTwoSample, welchT, wilcoxonSignedRank,
  type AnovaTable, type RepeatedData,
} from '../stats/index.js';
import { StudyError } from './errors.js';
import { ratingOf } from './ratings.js';

/** A ratings cell read by the stats cell, with the pair it rates and the scenarios it rates. */
export interface StatsInput {
  name: string;
  result: RatingsResult;
  /** The pair cell the ratings cell uses. */
  pair: string;
  /** The scenarios cell it rates: cells that share it rate the same items. */
  scenarios: string;
}

/** A sweep cell named by `sweeps:`, with the pair its ratings cell uses. */
export interface SweepInput {
  name: string;
  result: SweepResult;
  pair: string;
}

export function runStats(spec: StatsSpec, inputs: StatsInput[], sweeps: SweepInput[] = []): StatsResult {
  const family = familyLabels(inputs);
  const tests: TestResult[] = [];
  for (const input of inputs) {
    const { name, result } = input;
    const paired = isPairedRows(result.rows);
    for (const model of ['pretrained', 'finetuned'] as const) {
      const rows = result.rows.filter((r) => r.model === model);
      if (rows.length === 0) continue;
      const neg = byItem(rows, 'negative').map(ratingOf);
      const pos = byItem(rows, 'positive').map(ratingOf);
      const label = `${name} · ${model}`;
      for (const t of spec.tests) {
        if (t === 'welch') tests.push(named(`${label}: Welch t`, welchT(neg, pos)));
        if (t === 'student') tests.push(named(`${label}: Student t`, studentT(neg, pos)));
        if (t === 'paired') {
          requirePaired(spec, name, paired, 'a paired t', 'use welch or student for independent items');
          tests.push(named(`${label}: paired t`, pairedT(neg, pos)));
        }
        if (t === 'bootstrap') tests.push(bootstrapDelta(`${label}: bootstrap Δ`, rows, paired, spec));
        if (t === 'tost') {
          const bounds = spec.equivalence!;
          const r = paired ? tostPaired(neg, pos, bounds, { alpha: spec.alpha }) : tostTwoSample(neg, pos, bounds, { alpha: spec.alpha, test: spec.tests.includes('student') ? 'student' : 'welch' });
          tests.push(named(`${label}: ${r.name}`, r));
        }
        if (t === 'wilcoxon') {
          requirePaired(spec, name, paired, 'the Wilcoxon signed-rank test', 'use mann-whitney for independent items');
          tests.push(named(`${label}: Wilcoxon signed-rank`, wilcoxonSignedRank(neg, pos)));
        }
        if (t === 'mann-whitney') {
          if (paired) throw new StudyError('bad-cell', `stats \`${spec.name}\`: the Mann–Whitney test compares independent groups, and \`${name}\` rates paired templates`, 'use wilcoxon for paired templates', spec.name);
          tests.push(named(`${label}: Mann–Whitney U`, mannWhitney(neg, pos)));
        }
      }
    }
  }
  const out: StatsResult = { kind: 'stats', tests: adjustTests(tests, spec.correction), correction: spec.correction };
  if (spec.tests.includes('anova')) {
    const perFamily = inputs.map((input) => versionByCondition(input, family.get(input.name)!, spec.name));
    if (inputs.length > 1) {
      out.anova = acrossFamilies(inputs, family, spec);
      out.familyAnovas = perFamily;
    } else {
      out.anova = perFamily[0];
    }
  }
  if (spec.tests.includes('mixed')) out.mixed = mixedModel(inputs, family, spec);
  if (inputs.length > 1 || sweeps.length > 0) out.deltas = deltas(inputs, family);
  if (sweeps.length > 0) out.layers = layerEffects(sweeps, inputs, family);
  return out;
}

function requirePaired(spec: StatsSpec, name: string, paired: boolean, what: string, hint: string): void {
  if (!paired) throw new StudyError('bad-cell', `stats \`${spec.name}\`: ${what} needs paired templates, and \`${name}\` rates independent items`, hint, spec.name);
}

/** The family of each ratings cell: its pair's name, or the cell's own when two cells share a pair. */
function familyLabels(inputs: StatsInput[]): Map<string, string> {
  const distinct = new Set(inputs.map((i) => i.pair)).size === inputs.length;
  return new Map(inputs.map((i) => [i.name, distinct ? i.pair : i.name]));
}

function named(name: string, t: TestResult): TestResult {
  return { name, statistic: t.statistic, df: t.df, p: t.p, ...(t.effect ? { effect: t.effect } : {}), apa: t.apa };
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

/** Rows whose rating is defined, and the items left out because one of their ratings is not. */
function completeItems<T extends { row: RatingRow; subject: string }>(rows: T[]): { kept: T[]; dropped: string[] } {
  const bad = new Set(rows.filter((r) => !Number.isFinite(ratingOf(r.row))).map((r) => r.subject));
  return { kept: rows.filter((r) => !bad.has(r.subject)), dropped: [...bad] };
}

function tableOf(table: AnovaTable, scope: string, reason: string): AnovaTableResult {
  const rows: AnovaRow[] = table.rows.map((r) => ({
    effect: r.effect, ss: r.ss, df: r.df, ms: r.ms, F: r.F, p: r.p, partialEta2: r.partialEta2, pGG: r.pGG, pHF: r.pHF,
    dfError: r.dfError, partialEta2Ci: partialEta2Interval(r.F, r.df, r.dfError), apa: r.apa,
  }));
  return { scope, design: table.design, reason, rows, residualDf: table.residualDf };
}

function droppedNote(dropped: string[]): string {
  return dropped.length === 0 ? '' : `; ${dropped.length} item(s) with a missing rating left out (${dropped.slice(0, 5).join(', ')}${dropped.length > 5 ? ', …' : ''})`;
}

function versionByCondition(input: StatsInput, family: string, cell: string): AnovaTableResult {
  const { name, result } = input;
  const paired = isPairedRows(result.rows);
  if (new Set(result.rows.map((r) => r.model)).size < 2) {
    throw new StudyError('bad-cell', `stats \`${cell}\`: the version × condition ANOVA needs both models, and \`${name}\` rates one`, 'rate both models in the ratings cell (models: pretrained, finetuned)', cell);
  }
  const { kept, dropped } = completeItems(result.rows.map((row) => ({ row, subject: paired ? row.item : `${row.condition}:${row.item}` })));
  const rows = kept.map((k) => k.row);
  const data: RepeatedData = {
    y: rows.map(ratingOf),
    subject: kept.map((k) => k.subject),
    within: paired ? { version: rows.map((r) => r.model), condition: rows.map((r) => r.condition) } : { version: rows.map((r) => r.model) },
    between: paired ? undefined : { condition: rows.map((r) => r.condition) },
  };
  const reason = paired
    ? `items are the repeated unit; with paired templates every item is rated in both conditions by both versions, so version and condition vary within items${droppedNote(dropped)}`
    : `items are the repeated unit; independent items each have one condition, so condition varies between items and version within them${droppedNote(dropped)}`;
  return tableOf(anovaRepeated(data), family, reason);
}

/** How the families relate to the items, for the ANOVA and the mixed model. */
function familyDesign(inputs: StatsInput[]) {
  const sameItems = new Set(inputs.map((i) => i.scenarios)).size === 1;
  const pairedness = new Set(inputs.map((i) => isPairedRows(i.result.rows)));
  return { sameItems, paired: pairedness.size === 1 ? [...pairedness][0] : undefined };
}

function acrossFamilies(inputs: StatsInput[], family: Map<string, string>, spec: StatsSpec): AnovaTableResult {
  const { sameItems, paired } = familyDesign(inputs);
  const scope = 'all families';
  for (const i of inputs) {
    if (new Set(i.result.rows.map((r) => r.model)).size < 2) {
      throw new StudyError('bad-cell', `stats \`${spec.name}\`: the family × version × condition ANOVA needs both models of every family, and \`${i.name}\` rates one`, 'rate both models in every ratings cell', spec.name);
    }
  }
  if (paired === undefined) {
    return { scope, design: 'not fitted', reason: 'some ratings cells rate paired templates and others independent items, so condition is neither within nor between items; see the mixed model', rows: [], residualDf: Number.NaN };
  }
  if (!sameItems && !paired) {
    return {
      scope,
      design: 'not fitted',
      reason: 'the families rate different scenarios with independent items, so family and condition both vary between items; a repeated-measures ANOVA takes one between-items factor, so these effects are tested by the mixed model (tests: mixed)',
      rows: [],
      residualDf: Number.NaN,
    };
  }
  const all = inputs.flatMap((i) => i.result.rows.map((row) => {
    const fam = family.get(i.name)!;
    const unit = sameItems ? row.item : `${fam}:${row.item}`;
    return { row, fam, subject: paired ? unit : `${row.condition}:${unit}` };
  }));
  const { kept, dropped } = completeItems(all);
  const y = kept.map((k) => ratingOf(k.row));
  const version = kept.map((k) => k.row.model);
  const condition = kept.map((k) => k.row.condition);
  const fam = kept.map((k) => k.fam);
  const within: Record<string, string[]> = sameItems ? { family: fam, version } : { version };
  if (paired) within.condition = condition;
  const between: Record<string, string[]> | undefined = !sameItems ? { family: fam } : !paired ? { condition } : undefined;
  const n = new Set(kept.map((k) => k.subject)).size;
  const reason = sameItems
    ? paired
      ? `items are the repeated unit: every family rates the same ${n} paired templates, so family, version and condition all vary within items`
      : `items are the repeated unit: every family rates the same independent items, so family and version vary within items and condition between them`
    : `the families rate different scenarios, so each family's items are their own units: family varies between items, version and condition within them`;
  return tableOf(anovaRepeated({ y, subject: kept.map((k) => k.subject), within, between }), scope, `${reason}${droppedNote(dropped)}`);
}

function mixedModel(inputs: StatsInput[], family: Map<string, string>, spec: StatsSpec): MixedModelResult {
  const { sameItems, paired } = familyDesign(inputs);
  const several = inputs.length > 1;
  const rows = inputs.flatMap((i) => i.result.rows.map((row) => ({ row, fam: family.get(i.name)! })));
  const usable = rows.filter((r) => Number.isFinite(ratingOf(r.row)));
  const factors: Record<string, string[]> = {};
  if (several) factors.family = usable.map((r) => r.fam);
  if (new Set(usable.map((r) => r.row.model)).size > 1) factors.version = usable.map((r) => r.row.model);
  factors.condition = usable.map((r) => r.row.condition);
  const group = usable.map((r) => (sameItems || !several ? r.row.item : `${r.fam}:${r.row.item}`));
  for (const s of spec.slopes) {
    const hint = 'random slopes need a factor that varies within items';
    if (s === 'family' && !(several && sameItems)) throw new StudyError('bad-cell', `stats \`${spec.name}\`: a random slope of family needs several families rating the same items`, hint, spec.name);
    if (s === 'condition' && paired !== true) throw new StudyError('bad-cell', `stats \`${spec.name}\`: a random slope of condition needs paired templates (independent items have one condition each)`, hint, spec.name);
    if (!(s in factors)) throw new StudyError('bad-cell', `stats \`${spec.name}\`: a random slope of ${s}, which the model does not have`, hint, spec.name);
  }
  const m = fitMixedModel({ y: usable.map((r) => ratingOf(r.row)), factors, group, groupName: 'item' }, { slopes: spec.slopes });
  const items = new Set(group).size;
  const grouping = !several
    ? `random intercepts for the ${items} items`
    : sameItems
      ? `random intercepts for the ${items} items, crossed with family: every family rates the same items`
      : `random intercepts for each family's items (${items} in all): the families rate different scenarios`;
  const notes = [...m.notes];
  if (usable.length < rows.length) notes.push(`${rows.length - usable.length} rating(s) without a value left out; the other ratings of their items are used`);
  return {
    formula: m.formula,
    method: m.method,
    dfMethod: m.dfMethod,
    grouping: `${grouping}${spec.slopes.length ? `, with random slopes of ${spec.slopes.join(', ')}` : ''}`,
    n: m.n,
    groups: m.groups,
    fixed: m.fixed.map((f) => ({ name: f.name, estimate: f.estimate, se: f.se, df: f.df, t: f.t, p: f.p })),
    terms: m.terms,
    random: m.random,
    logLik: m.logLik,
    singular: m.singular,
    ...(m.slopeTest ? { slopeTest: m.slopeTest } : {}),
    notes,
  };
}

function deltas(inputs: StatsInput[], family: Map<string, string>): FamilyDelta[] {
  return inputs.flatMap((i) =>
    i.result.summary.map((s) => ({
      family: family.get(i.name)!,
      cell: i.name,
      model: s.model,
      estimate: s.delta.estimate,
      ci: s.delta.ci,
      n: s.negative.n + s.positive.n,
      apa: s.test.apa,
    })),
  );
}

function layerEffects(sweeps: SweepInput[], inputs: StatsInput[], family: Map<string, string>): FamilyLayerEffect[] {
  // A sweep's family: the family of a ratings cell on the same pair, else the pair's name.
  const byPair = new Map(inputs.map((i) => [i.pair, family.get(i.name)!]));
  return sweeps.flatMap((s) =>
    s.result.rows.map((r) => ({
      family: byPair.get(s.pair) ?? s.pair,
      cell: s.name,
      site: r.site,
      layers: r.layers,
      label: r.label,
      fractionRemoved: r.fractionRemoved,
      fractionCi: r.fractionCi,
    })),
  );
}
