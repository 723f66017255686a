// Summary tables of a result as plain strings. The report prints them under each cell and the
// renderer shows them when a chart cannot be drawn; both escape the strings when writing HTML.
import type { AnovaTableResult, KnobeResult, StatsResult } from '../results.js';
import { DELTA_DEFINITION, interval, MODEL_LABEL, num, pct, tokenizationSentences } from './common.js';

export interface Table {
  caption: string;
  columns: string[];
  rows: string[][];
  /** Lines shown under the table. */
  notes?: string[];
}

/** A p-value; results read back from a file hold `null` where a statistic was undefined (NaN). */
function p(x: number | null | undefined): string {
  if (x === undefined) return '';
  if (x === null || !Number.isFinite(x)) return '–';
  return x < 0.001 ? x.toExponential(1) : x.toFixed(3);
}

export function summaryTables(result: KnobeResult): Table[] {
  switch (result.kind) {
    case 'ratings':
      return [{
        caption: `Ratings by condition (protocol: ${result.protocol})`,
        columns: ['model', 'negative: mean [95% CI]', 'positive: mean [95% CI]', 'n', 'Δ_Knobe [95% CI]', 'test', ...(result.summary.some((s) => s.parseRate !== undefined) ? ['parse rate'] : []), ...(result.summary.some((s) => s.agreement !== undefined) ? ['agreement r'] : [])],
        rows: result.summary.map((s) => [
          MODEL_LABEL[s.model],
          `${num(s.negative.mean)} ${interval(s.negative.ci)}`,
          `${num(s.positive.mean)} ${interval(s.positive.ci)}`,
          `${s.negative.n} / ${s.positive.n}`,
          `${num(s.delta.estimate)} ${interval(s.delta.ci)}`,
          s.test.apa,
          ...(result.summary.some((x) => x.parseRate !== undefined) ? [s.parseRate === undefined ? '' : pct(s.parseRate, 1)] : []),
          ...(result.summary.some((x) => x.agreement !== undefined) ? [s.agreement === undefined ? '' : num(s.agreement, 3)] : []),
        ]),
        notes: [DELTA_DEFINITION, ...tokenizationSentences(result.tokenization)],
      }];
    case 'localization': {
      const keys = [...new Set(result.rows.map((r) => `${r.model}|${r.site}`))];
      const layers = [...new Set(result.rows.map((r) => r.layer))].sort((a, b) => a - b);
      const at = new Map(result.rows.map((r) => [`${r.model}|${r.site}|${r.layer}`, r]));
      return [{
        caption: `δ_l per layer: L2 (cosine), positions ${result.positions}`,
        columns: ['layer', ...keys.map((k) => { const [m, s] = k.split('|'); return `${MODEL_LABEL[m]} · ${s}`; })],
        rows: layers.map((l) => [String(l), ...keys.map((k) => { const r = at.get(`${k}|${l}`); return r ? `${num(r.l2, 3)} (${num(r.cosine, 4)})` : ''; })]),
      }];
    }
    case 'sweep': {
      const tost = result.rows.some((r) => r.tost !== undefined);
      return [{
        caption: `Patching ${result.direction.replace('->', ' → ')}, mix ${result.mix}`,
        columns: ['site', 'layers', 'positions', 'Δ after patch [95% CI]', 'removed [95% CI]', ...(tost ? ['effect gone (TOST p)'] : [])],
        rows: result.rows.map((r) => [
          r.site,
          r.label,
          r.position === undefined ? r.positions : String(r.position),
          `${num(r.delta)} ${interval(r.ci)}`,
          `${pct(r.fractionRemoved)} [${pct(r.fractionCi[0])}, ${pct(r.fractionCi[1])}]`,
          ...(tost ? [r.tost ? `${r.tost.equivalent ? 'yes' : 'no'} (${p(r.tost.p)})` : ''] : []),
        ]),
        notes: [
          `Unpatched Δ_Knobe: fine-tuned ${num(result.baseline.finetuned)}, pretrained ${num(result.baseline.pretrained)}.`,
          ...(result.fractionNote ? [`Fraction removed: ${result.fractionNote}.`] : []),
          DELTA_DEFINITION,
          ...(result.smallest
            ? [`Smallest layer set: ${result.smallest.site} ${result.smallest.layers.join('+')} removes ${pct(result.smallest.fractionRemoved)} (target ${pct(result.smallest.target)}).`]
            : []),
        ],
      }];
    }
    case 'stats': {
      const tables: Table[] = [{
        caption: `Tests (correction: ${result.correction})`,
        columns: ['test', 'result', 'p', 'p adjusted', 'effect [95% CI]'],
        rows: result.tests.map((t) => [
          t.name,
          t.apa,
          p(t.p),
          p(t.pAdjusted),
          t.effect ? `${t.effect.name} = ${num(t.effect.value)}${t.effect.ci ? ` ${interval(t.effect.ci)}` : ''}` : '',
        ]),
        notes: [`Each t-test compares the two conditions' ratings; its estimate is Δ_Knobe. ${DELTA_DEFINITION}`],
      }];
      tables.unshift(...keyResults(result));
      tables.push(...familyTables(result));
      for (const a of [...(result.anova ? [result.anova] : []), ...(result.familyAnovas ?? [])]) tables.push(anovaTable(a));
      tables.push(...mixedTables(result));
      return tables;
    }
  }
}

function anovaTable(a: AnovaTableResult): Table {
  const gg = a.rows.some((r) => r.pGG !== undefined);
  const ci = a.rows.some((r) => r.partialEta2Ci !== undefined);
  return {
    caption: `ANOVA${a.scope ? ` (${a.scope})` : ''}: ${a.design}`,
    columns: ['effect', 'SS', 'df', 'MS', 'F', 'p', 'η²p', ...(ci ? ['η²p 95% CI'] : []), ...(gg ? ['p (GG)', 'p (HF)'] : [])],
    rows: a.rows.map((r) => [
      r.effect, num(r.ss, 3), r.dfError === undefined ? String(r.df) : `${r.df}, ${r.dfError}`, num(r.ms, 3), num(r.F, 2), p(r.p), num(r.partialEta2, 3),
      ...(ci ? [r.partialEta2Ci ? interval(r.partialEta2Ci, 3) : ''] : []),
      ...(gg ? [p(r.pGG), p(r.pHF)] : []),
    ]),
    notes: [...(a.reason ? [`Design: ${a.reason}.`] : []), ...(Number.isFinite(a.residualDf) ? [`Residual df = ${a.residualDf}.`] : [])],
  };
}

/** Δ_Knobe per family and version, and where each family's sweep finds the effect. */
function familyTables(r: StatsResult): Table[] {
  const out: Table[] = [];
  if (r.deltas?.length) {
    out.push({
      caption: 'Δ_Knobe per family and version',
      columns: ['family', 'version', 'Δ_Knobe [95% CI]', 'test'],
      rows: r.deltas.map((d) => [d.family, MODEL_LABEL[d.model] ?? d.model, `${num(d.estimate)} ${interval(d.ci)}`, d.apa]),
    });
  }
  if (r.layers?.length) {
    const families = [...new Set(r.layers.map((l) => l.family))];
    out.push({
      caption: 'Layer effect per family: the patches that remove the most of Δ_Knobe',
      columns: ['family', 'largest effects (share of Δ_Knobe removed)'],
      rows: families.map((f) => {
        const top = r.layers!.filter((l) => l.family === f && l.fractionRemoved >= 0.1).sort((a, b) => b.fractionRemoved - a.fractionRemoved).slice(0, 4);
        return [f, top.length ? top.map((l) => `${l.site} ${l.label}: ${pct(l.fractionRemoved)}`).join('; ') : 'no patch removes 10% or more'];
      }),
    });
  }
  return out;
}

function mixedTables(r: StatsResult): Table[] {
  const m = r.mixed;
  if (!m) return [];
  const variances = m.random.names.map((n, i) => `${n} ${num(m.random.covariance[i][i], 3)}`).join(', ');
  return [
    {
      caption: `Mixed model: ${m.formula} (${m.method}, ${m.dfMethod} df)`,
      columns: ['term', 'F', 'p', 'likelihood ratio'],
      rows: m.terms.map((t) => [t.term, `F(${t.numDf}, ${num(t.denDf, 1)}) = ${num(t.F, 2)}`, p(t.p), t.lrt ? `χ²(${t.lrt.df}) = ${num(t.lrt.chiSquare, 2)}, p = ${p(t.lrt.p)}` : '']),
      notes: [
        `Random effects: ${m.grouping}; variances: ${variances}; residual ${num(m.random.residual, 3)}. ${m.n} ratings, ${m.groups} groups, REML log-likelihood ${num(m.logLik, 2)}.`,
        'Likelihood ratios compare ML fits with and without each term (sum-to-zero coding).',
        ...(m.slopeTest ? [`Random slopes: χ²(${m.slopeTest.df}) = ${num(m.slopeTest.chiSquare, 2)}, p = ${p(m.slopeTest.p)} (REML; conservative at the boundary).`] : []),
        ...m.notes,
      ],
    },
    {
      caption: 'Mixed model: fixed effects (sum-to-zero coding)',
      columns: ['coefficient', 'estimate', 'SE', 'df', 't', 'p'],
      rows: m.fixed.map((f) => [f.name, num(f.estimate, 3), num(f.se, 3), num(f.df, 1), num(f.t, 2), p(f.p)]),
    },
  ];
}

/** The lines a paper quotes, first: the version × condition interaction of each ANOVA and of the mixed model. */
function keyResults(r: StatsResult): Table[] {
  if (!r.deltas?.length && !r.mixed) return [];
  const rows: string[][] = [];
  const interaction = <T extends { effect?: string; term?: string }>(xs: readonly T[]) =>
    xs.filter((x) => /version × condition/.test(x.effect ?? x.term ?? '')).sort((a, b) => (b.effect ?? b.term ?? '').length - (a.effect ?? a.term ?? '').length)[0];
  for (const a of [...(r.anova ? [r.anova] : []), ...(r.familyAnovas ?? [])]) {
    const row = interaction(a.rows);
    if (row?.apa) rows.push([`ANOVA${a.scope ? ` (${a.scope})` : ''}: ${row.effect}`, row.apa]);
  }
  const term = r.mixed && interaction(r.mixed.terms);
  if (term) rows.push([`mixed model: ${term.term}`, term.apa]);
  return rows.length ? [{ caption: 'Key results', columns: ['effect', 'result'], rows }] : [];
}
