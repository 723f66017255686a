// Typed views of Knobe cells for the executor: every value read, defaults from the schema applied,
// references resolved to names. A cell with problems is refused with a FormatError that carries
// the same diagnostics the editor shows, so a run never starts on a half-understood cell.
import type { Condition, ModelRole } from '../../common/results.js';
import type { Diagnostic } from './diagnostics.js';
import { knobeCells, wordText, type CellKind, type KnobeCell, type KnobeDocument } from './nodes.js';
import { DEFAULT_TEMPLATE, DEFAULT_TEMPLATE_ID } from './prompt-template.js';
import { keyDoc } from './schema.js';
import { template } from './templates.js';
import { validateCell } from './validation.js';
import { anchors, byType, type Equivalence, type Layers, type ModelSource, type Positions } from './values.js';

export class FormatError extends Error {
  constructor(message: string, readonly diagnostics: Diagnostic[]) {
    super(message);
    this.name = 'FormatError';
  }
}

export interface PairSpec {
  name: string;
  pretrained: { text: string; source: ModelSource };
  finetuned: { text: string; source: ModelSource };
  prompt: 'raw' | 'chat';
  system?: string;
  precision: PrecisionChoice;
}

export type PrecisionChoice = 'auto' | 'fp32' | 'fp16' | 'bf16' | 'int8' | 'int4';

export interface Vignette {
  item: string;
  condition: Condition;
  text: string;
  /** The question for this vignette, alternatives resolved. */
  question: string;
}

export interface ScenarioSet {
  name: string;
  question: string;
  scale: string[];
  anchors: Record<string, string>;
  answer: string;
  /** The prompt template: the set's own (`custom`) or the default, named with its version. */
  template: { id: string; text: string };
  vignettes: Vignette[];
}

export interface RatingsSpec {
  name: string;
  scenarios: string;
  pair: string;
  protocol: 'expected' | 'sample' | 'both';
  samples: number;
  /** A fixed temperature, or a range drawn uniformly per sample. */
  temperature: number | [number, number];
  topP: number;
  topK: number;
  maxTokens: number;
  seed: number;
  models: ModelRole[];
}

export type Site = 'resid_pre' | 'resid_mid' | 'resid_post' | 'attn_out' | 'mlp_out';

export interface LocalizeSpec {
  name: string;
  scenarios: string;
  pair: string;
  sites: Site[];
  positions: Positions;
}

export interface SweepSpec {
  name: string;
  ratings: string;
  sites: Site[];
  layers: Layers;
  window: number;
  sets?: number[][];
  top?: { k: number; cell: string };
  positions: Positions;
  mix: number;
  direction: 'pretrained->finetuned' | 'finetuned->pretrained';
  smallest?: number;
  /** Resamples and seed of the fraction-removed intervals. */
  bootstrap: number;
  seed: number;
  /** TOST bounds for each patch's Δ_Knobe. */
  equivalence?: Equivalence;
}

export type StatsTest = 'welch' | 'student' | 'paired' | 'anova' | 'bootstrap' | 'mixed' | 'tost' | 'wilcoxon' | 'mann-whitney';

export interface StatsSpec {
  name: string;
  ratings: string[];
  tests: StatsTest[];
  correction: 'holm' | 'bonferroni' | 'bh' | 'none';
  alpha: number;
  bootstrap: number;
  seed: number;
  equivalence?: Equivalence;
  slopes: ('version' | 'condition' | 'family')[];
  sweeps: string[];
}

/** Refuses a cell of another kind or with errors; returns a reader of its values with defaults. */
function reader(doc: KnobeDocument, cell: KnobeCell, kind: CellKind) {
  const name = wordText(cell.name) ?? '';
  if (cell.kind !== kind) throw new FormatError(`cell \`${name}\` is a \`${wordText(cell.kindWord)}\` cell, not \`${kind}\``, []);
  const errors = [...doc.syntax.filter((d) => d.start >= cell.start && d.start <= cell.end), ...validateCell(doc, cell)]
    .filter((d) => d.severity === 'error')
    .map((d) => ({ ...d, ...doc.lines.position(d.start) }));
  if (errors.length) {
    const first = errors[0];
    throw new FormatError(`cell \`${name}\` (line ${first.line}): ${first.message}${errors.length > 1 ? ` (and ${errors.length - 1} more)` : ''}`, errors);
  }
  return {
    name,
    /** The value of a key, or its default; undefined when neither exists. */
    get<T>(key: string): T | undefined {
      const k = keyDoc(kind, key)!;
      const e = cell.entries.find((x) => x.name === key);
      const text = e ? e.value : k.default;
      if (text === undefined) return undefined;
      const v = byType(k, text);
      if (!v.ok) throw new FormatError(`cell \`${name}\`: ${key}: ${v.message}`, []);
      return v.value as T;
    },
    text(key: string): string | undefined {
      return cell.entries.find((x) => x.name === key)?.value ?? keyDoc(kind, key)!.default;
    },
  };
}

/** The pair a ratings or localize cell uses: named, or the only pair in the file. */
function pairName(doc: KnobeDocument, named: string | undefined): string {
  if (named !== undefined) return named;
  const pairs = knobeCells(doc).filter((c) => c.kind === 'pair');
  return wordText(pairs[0].name)!;
}

export function pairSpec(doc: KnobeDocument, cell: KnobeCell): PairSpec {
  const r = reader(doc, cell, 'pair');
  return {
    name: r.name,
    pretrained: { text: r.text('pretrained')!, source: r.get<ModelSource>('pretrained')! },
    finetuned: { text: r.text('finetuned')!, source: r.get<ModelSource>('finetuned')! },
    prompt: r.get<'raw' | 'chat'>('prompt')!,
    system: r.get<string>('system'),
    precision: r.get<PrecisionChoice>('precision')!,
  };
}

/** The vignette set with paired templates expanded into one negative and one positive vignette. */
export function scenarioSet(doc: KnobeDocument, cell: KnobeCell): ScenarioSet {
  const r = reader(doc, cell, 'scenarios');
  const scale = r.get<string[]>('scale')!;
  const anchorText = r.text('anchors');
  const anchorMap = anchorText === undefined ? {} : (anchors(anchorText, scale) as { ok: true; value: Record<string, string> }).value;
  const question = r.get<string>('question')!;
  const vignettes: Vignette[] = [];
  for (const item of cell.items) {
    const q = template(item.question?.value ?? question);
    const t = template(item.text);
    const conditions: Condition[] = item.label ? [item.label.text as Condition] : ['negative', 'positive'];
    for (const condition of conditions) {
      vignettes.push({ item: wordText(item.name)!, condition, text: t.expand(condition), question: q.expand(condition) });
    }
  }
  const own = r.get<string>('template');
  const prompt = own === undefined ? { id: DEFAULT_TEMPLATE_ID, text: DEFAULT_TEMPLATE } : { id: 'custom', text: own };
  return { name: r.name, question, scale, anchors: anchorMap, answer: r.get<string>('answer')!, template: prompt, vignettes };
}

export function ratingsSpec(doc: KnobeDocument, cell: KnobeCell): RatingsSpec {
  const r = reader(doc, cell, 'ratings');
  const t = r.get<number | [number, number]>('temperature')!;
  return {
    name: r.name,
    scenarios: r.get<string>('scenarios')!,
    pair: pairName(doc, r.get<string>('pair')),
    protocol: r.get('protocol')!,
    samples: r.get<number>('samples')!,
    temperature: t,
    topP: r.get<number>('top-p')!,
    topK: r.get<number>('top-k')!,
    maxTokens: r.get<number>('max-tokens')!,
    seed: r.get<number>('seed')!,
    models: r.get<ModelRole[]>('models')!,
  };
}

export function localizeSpec(doc: KnobeDocument, cell: KnobeCell): LocalizeSpec {
  const r = reader(doc, cell, 'localize');
  return {
    name: r.name,
    scenarios: r.get<string>('scenarios')!,
    pair: pairName(doc, r.get<string>('pair')),
    sites: r.get<Site[]>('site')!,
    positions: r.get<Positions>('positions')!,
  };
}

export function sweepSpec(doc: KnobeDocument, cell: KnobeCell): SweepSpec {
  const r = reader(doc, cell, 'sweep');
  return {
    name: r.name,
    ratings: r.get<string>('ratings')!,
    sites: r.get<Site[]>('site')!,
    layers: r.get<Layers>('layers')!,
    window: r.get<number>('window')!,
    sets: r.get<number[][]>('sets'),
    top: r.get<{ k: number; cell: string }>('top'),
    positions: r.get<Positions>('positions')!,
    mix: r.get<number>('mix')!,
    direction: r.get('direction')!,
    smallest: r.get<number>('smallest'),
    bootstrap: r.get<number>('bootstrap')!,
    seed: r.get<number>('seed')!,
    equivalence: r.get<Equivalence>('equivalence'),
  };
}

export function statsSpec(doc: KnobeDocument, cell: KnobeCell): StatsSpec {
  const r = reader(doc, cell, 'stats');
  return {
    name: r.name,
    ratings: r.get<string[]>('ratings')!,
    tests: r.get('tests')!,
    correction: r.get('correction')!,
    alpha: r.get<number>('alpha')!,
    bootstrap: r.get<number>('bootstrap')!,
    seed: r.get<number>('seed')!,
    equivalence: r.get<Equivalence>('equivalence'),
    slopes: r.get<StatsSpec['slopes']>('slopes') ?? [],
    sweeps: r.get<string[]>('sweeps') ?? [],
  };
}
