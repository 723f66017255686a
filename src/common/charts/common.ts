// Pieces every chart spec shares: the title with its provenance subtitle, number formatting, and
// the site colour scale.
import type { CellOutput, TokenizationNote } from '../results.js';
import type { ChartTheme } from './theme.js';

/**
 * What Δ_Knobe means, shown wherever it is reported (summaries, tables, the report): which mean
 * minus which, in what units, and what its sign says.
 */
export const DELTA_DEFINITION =
  'Δ_Knobe = mean rating of the negative-side-effect vignettes − mean rating of the positive ones, in scale points; positive when harm is judged more intentional than help.';

export const SYNTHETIC_SUBTITLE = 'synthetic demo pair — a positive control, not a finding';

/** True when any model behind the output is the built-in synthetic demo pair. */
export function isSynthetic(output: CellOutput): boolean {
  return output.provenance.models.some((m) => m.synthetic);
}

/** A title whose subtitle says, visibly, when the numbers come from the synthetic demo pair. */
export function chartTitle(text: string, output: CellOutput, ...extra: (string | undefined)[]) {
  const subtitle = [isSynthetic(output) ? SYNTHETIC_SUBTITLE : undefined, ...extra].filter((s): s is string => !!s);
  return subtitle.length ? { text, subtitle } : { text };
}

/** Fixed-point with a real minus sign, as shown in labels and tables; `–` for an undefined value (NaN, or `null` as stored in a file). */
export function num(x: number | null, digits = 2): string {
  if (x === null || !Number.isFinite(x)) return '–';
  const s = Math.abs(x).toFixed(digits);
  return x < 0 && Number(s) !== 0 ? `−${s}` : s;
}

/** A share as a percentage: `35%`; `–` when undefined. */
export function pct(x: number | null, digits = 0): string {
  return x === null || !Number.isFinite(x) ? '–' : `${num(100 * x, digits)}%`;
}

export function interval(ci: readonly [number, number], digits = 2): string {
  return `[${num(ci[0], digits)}, ${num(ci[1], digits)}]`;
}

/** Distinct values in first-seen order (the order the study wrote them in). */
export function distinct<T>(values: Iterable<T>): T[] {
  return [...new Set(values)];
}

export function siteScale(sites: string[], theme: ChartTheme) {
  return { domain: sites, range: sites.map((_, i) => theme.colors.sites[i % theme.colors.sites.length]) };
}

export const MODEL_LABEL: Record<string, string> = { pretrained: 'pretrained', finetuned: 'fine-tuned' };

const count = (words: readonly string[]) => `${words.length} ${words.length === 1 ? 'word' : 'words'}`;
/** Which words (the first dozen), after a colon. */
const which = (words: readonly string[]) => `: ${words.slice(0, 12).join(', ')}${words.length > 12 ? `, and ${words.length - 12} more` : ''}`;

/**
 * Sentences about words a model's tokenizer could not read, one per distinct finding (models
 * with the same words share one), then why it matters; none when every word was read.
 */
export function tokenizationSentences(notes: readonly TokenizationNote[] | undefined): string[] {
  if (!notes?.length) return [];
  const groups = new Map<string, { models: string[]; note: TokenizationNote }>();
  for (const n of notes) {
    const key = JSON.stringify([n.unknown, n.spelled]);
    const g = groups.get(key) ?? groups.set(key, { models: [], note: n }).get(key)!;
    g.models.push(MODEL_LABEL[n.model] ?? n.model);
  }
  const out: string[] = [];
  for (const { models, note } of groups.values()) {
    const who = `The ${models.join(' and ')} ${models.length > 1 ? 'tokenizers' : 'tokenizer'}`;
    const parts = [
      ...(note.spelled.length ? [`spell ${count(note.spelled)} out letter by letter${which(note.spelled)}`] : []),
      ...(note.unknown.length ? [`map ${count(note.unknown)} to the unknown token${which(note.unknown)}`] : []),
    ];
    out.push(`${who} ${parts.join('; and ')}.`);
  }
  out.push('A model that cannot read the words of a vignette may show no effect for that reason alone.');
  return out;
}
