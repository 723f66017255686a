// The text/markdown fallback shown beside a result's chart (and instead of it where the renderer
// is unavailable): the few numbers a reader needs, in plain Markdown.
import { INTEGRITY_LABEL, type CellOutput, type KnobeResult } from '../../common/results.js';
import { DELTA_DEFINITION, pct, tokenizationSentences } from '../../common/charts/common.js';
import { outputIntegrity } from './checksum.js';

const f = (x: number | undefined, digits = 2): string => (x === undefined || !Number.isFinite(x) ? '–' : x.toFixed(digits));
const ci = (c: [number, number] | undefined): string => (c ? `[${f(c[0])}, ${f(c[1])}]` : '');

function body(r: KnobeResult): string[] {
  switch (r.kind) {
    case 'ratings': {
      const lines = [`**Ratings** (${r.protocol}, scale ${r.scale[0]}–${r.scale[r.scale.length - 1]}, ${r.rows.length} rows)`, ''];
      if (r.summary.length) {
        lines.push('| model | negative | positive | Δ_Knobe | 95% CI | test |', '| --- | --- | --- | --- | --- | --- |');
        for (const s of r.summary) lines.push(`| ${s.model} | ${f(s.negative.mean)} | ${f(s.positive.mean)} | ${f(s.delta.estimate)} | ${ci(s.delta.ci)} | ${s.test.apa} |`);
      }
      lines.push('', DELTA_DEFINITION);
      const unread = tokenizationSentences(r.tokenization);
      if (unread.length) lines.push('', `**Tokenization**: ${unread.join(' ')}`);
      return lines;
    }
    case 'localization': {
      const lines = [`**Localization** (positions: ${r.positions})`, ''];
      const best = new Map<string, { layer: number; l2: number }>();
      for (const row of r.rows) {
        const k = `${row.model} ${row.site}`;
        const b = best.get(k);
        if (!b || row.l2 > b.l2) best.set(k, { layer: row.layer, l2: row.l2 });
      }
      for (const [k, b] of best) lines.push(`- ${k}: largest difference at layer ${b.layer} (‖δ‖ = ${f(b.l2, 3)})`);
      return lines;
    }
    case 'sweep': {
      const lines = [`**Patching** ${r.direction.replace('->', ' → ')}, mix ${f(r.mix)}: unpatched Δ_Knobe pretrained ${f(r.baseline.pretrained)}, fine-tuned ${f(r.baseline.finetuned)}`, ''];
      const top = [...r.rows].sort((a, b) => b.fractionRemoved - a.fractionRemoved).slice(0, 5);
      if (top.length) {
        lines.push('| site | layers | Δ after patch | removed |', '| --- | --- | --- | --- |');
        for (const p of top) lines.push(`| ${p.site} | ${p.label} | ${f(p.delta)} ${ci(p.ci)} | ${pct(p.fractionRemoved)} |`);
      }
      if (r.fractionNote) lines.push('', `Fraction removed: ${r.fractionNote}.`);
      if (r.smallest) lines.push('', `Smallest set removing ≥ ${pct(r.smallest.target)}: ${r.smallest.site} layers ${r.smallest.layers.join(', ')} (${pct(r.smallest.fractionRemoved)})`);
      lines.push('', DELTA_DEFINITION);
      return lines;
    }
    case 'stats': {
      const lines = [`**Statistics** (correction: ${r.correction})`, ''];
      for (const d of r.deltas ?? []) lines.push(`- Δ_Knobe ${d.family} · ${d.model}: ${f(d.estimate)} ${ci(d.ci)}`);
      for (const t of r.tests) lines.push(`- ${t.name}: ${t.apa}`);
      if (r.anova) {
        const scope = r.anova.scope ? ` (${r.anova.scope})` : '';
        // Repeated-measures effects each have their own error df; older results carry only the residual df.
        for (const a of r.anova.rows) lines.push(`- ANOVA${scope} ${a.effect}: ${a.apa ?? `F(${a.df}, ${a.dfError ?? r.anova.residualDf}) = ${f(a.F)}, p = ${f(a.p, 3)}, η²p = ${f(a.partialEta2)}`}`);
      }
      if (r.mixed) for (const t of r.mixed.terms) lines.push(`- Mixed model ${t.term}: ${t.apa}`);
      lines.push('', `The t-tests' estimate is Δ_Knobe. ${DELTA_DEFINITION}`);
      return lines;
    }
  }
}

/** A line above the summary of a stored result that is not as a run wrote it. */
function integrityLines(output: CellOutput): string[] {
  const integrity = outputIntegrity(output);
  if (integrity === 'verified') return [];
  const { title, text } = INTEGRITY_LABEL[integrity];
  return [`> **${title}** — ${text}`, ''];
}

/**
 * A short Markdown summary of a cell output, with its provenance in one line; a stored result
 * edited by hand, or without a checksum, says so first.
 */
export function summaryMarkdown(output: CellOutput): string {
  const p = output.provenance;
  const synthetic = p.models.some((m) => m.synthetic) ? ' — synthetic demo pair: a positive control, not a finding' : '';
  const models = p.models.map((m) => `${m.role} \`${m.source}\``).join(', ');
  return [...integrityLines(output), ...body(output.result), '', `_${models}; ${p.date}; tool ${p.tool}${p.seed !== undefined ? `; seed ${p.seed}` : ''}${synthetic}_`].join('\n');
}
