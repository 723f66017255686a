// A result's rows as CSV, for the renderer's "Copy data as CSV". Quoting (RFC 4180) is a few
// lines, so no CSV library is pulled into the renderer bundle for it.
import type { KnobeResult } from '../results.js';

type Cell = string | number | boolean | undefined | null;

function field(v: Cell): string {
  if (v === undefined || v === null) return '';
  const s = String(v);
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

function table(header: string[], rows: Cell[][]): string {
  return [header, ...rows].map((r) => r.map(field).join(',')).join('\r\n') + '\r\n';
}

export function toCsv(result: KnobeResult): string {
  switch (result.kind) {
    case 'ratings': {
      const k = result.scale.length;
      return table(
        ['model', 'item', 'condition', 'expected', 'sampled_mean', 'parsed', 'samples', 'outside_mass', ...result.scale.map((a) => `p_${a}`)],
        result.rows.map((r) => [r.model, r.item, r.condition, r.expected, r.sampledMean, r.parsed, r.samples, r.outsideMass, ...Array.from({ length: k }, (_, i) => r.distribution?.[i])]),
      );
    }
    case 'localization':
      return table(['model', 'site', 'layer', 'l2', 'cosine'], result.rows.map((r) => [r.model, r.site, r.layer, r.l2, r.cosine]));
    case 'sweep':
      return table(
        ['site', 'layers', 'label', 'positions', 'position', 'delta', 'ci_low', 'ci_high', 'fraction_removed', 'fraction_ci_low', 'fraction_ci_high'],
        result.rows.map((r) => [r.site, r.layers.join(' '), r.label, r.positions, r.position, r.delta, r.ci[0], r.ci[1], r.fractionRemoved, r.fractionCi[0], r.fractionCi[1]]),
      );
    case 'stats':
      return table(
        ['test', 'statistic', 'df', 'p', 'p_adjusted', 'effect', 'effect_value', 'effect_ci_low', 'effect_ci_high', 'apa'],
        result.tests.map((t) => [t.name, t.statistic, Array.isArray(t.df) ? t.df.join(' ') : t.df, t.p, t.pAdjusted, t.effect?.name, t.effect?.value, t.effect?.ci?.[0], t.effect?.ci?.[1], t.apa]),
      );
  }
}
