// Summary tables of a result as plain strings. The report prints them under each cell and the
// renderer shows them when a chart cannot be drawn; both escape the strings when writing HTML.
import type { KnobeResult } from '../results.js';
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
    case 'sweep':
      return [{
        caption: `Patching ${result.direction.replace('->', ' → ')}, mix ${result.mix}`,
        columns: ['site', 'layers', 'positions', 'Δ after patch [95% CI]', 'removed [95% CI]'],
        rows: result.rows.map((r) => [
          r.site,
          r.label,
          r.position === undefined ? r.positions : String(r.position),
          `${num(r.delta)} ${interval(r.ci)}`,
          `${pct(r.fractionRemoved)} [${pct(r.fractionCi[0])}, ${pct(r.fractionCi[1])}]`,
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
      if (result.anova) {
        const a = result.anova;
        tables.push({
          caption: `ANOVA: ${a.design}`,
          columns: ['effect', 'SS', 'df', 'MS', 'F', 'p', 'η²p', ...(a.rows.some((r) => r.pGG !== undefined) ? ['p (GG)', 'p (HF)'] : [])],
          rows: a.rows.map((r) => [r.effect, num(r.ss, 3), String(r.df), num(r.ms, 3), num(r.F, 2), p(r.p), num(r.partialEta2, 3), ...(a.rows.some((x) => x.pGG !== undefined) ? [p(r.pGG), p(r.pHF)] : [])]),
          notes: [`Residual df = ${a.residualDf}.`],
        });
      }
      return tables;
    }
  }
}
