// Result types shared by the study executor (core), the notebook controller, the renderer and
// the HTML report. Pure data: everything here is JSON-serialisable and stored in `.knobe` files.

export type Condition = 'negative' | 'positive';
export type ModelRole = 'pretrained' | 'finetuned';
export type ResultKind = 'ratings' | 'localization' | 'sweep' | 'stats';

/** MIME type of a cell output of the given kind. */
export function mimeFor(kind: ResultKind): string {
  return `application/vnd.knobe.${kind}+json`;
}
export const RESULT_MIME_TYPES: readonly string[] = (['ratings', 'localization', 'sweep', 'stats'] as const).map(mimeFor);

export interface ModelProvenance {
  role: ModelRole;
  /** As written in the notebook: `demo:finetuned`, `./models/x`, `hf:org/name@rev`. */
  source: string;
  /** Content hash of the checkpoint (weights + config + tokenizer). */
  sha256: string;
  architecture: string;
  /** True for the built-in demo pair: results on it are a positive control, not a finding. */
  synthetic: boolean;
}

export interface Provenance {
  tool: string;
  /** ISO 8601. */
  date: string;
  seed?: number;
  protocol?: string;
  prompt?: 'raw' | 'chat';
  /** Precision the models' weights ran at (fp32, fp16, bf16, int8, int4). */
  precision?: string;
  /** Execution provider the models ran on. */
  device?: string;
  /** The prompt template the prompts were made with: `default-N` (the default, by version) or `custom`, and its text. */
  template?: { id: string; text: string };
  /**
   * The exact text the set's first vignette became for each model, after its chat template. Every
   * other vignette's follows from the notebook, which the hash pins (`knobe prompt FILE ITEM`).
   */
  prompts?: { model: ModelRole; vignette: string; text: string }[];
  models: ModelProvenance[];
  /**
   * The results this one was computed from (a stats cell's ratings, a sweep's `top:` sweep): the
   * cell and the digest of its result's content. Inputs are always results as a run computed
   * them; a stored result edited by hand is recomputed before anything reads it.
   */
  inputs?: { cell: string; digest: string }[];
}

/** Summary statistics of one group of ratings. */
export interface Descriptives {
  n: number;
  mean: number;
  sd: number;
  se: number;
  ci: [number, number];
}

/** One statistical test, with the APA-style line shown to people. */
export interface TestResult {
  name: string;
  statistic: number;
  df: number | [number, number];
  p: number;
  pAdjusted?: number;
  effect?: { name: string; value: number; ci?: [number, number] };
  apa: string;
}

export interface RatingRow {
  model: ModelRole;
  item: string;
  condition: Condition;
  /** Expected value over the scale (protocol expected/both). */
  expected?: number;
  /** Probability of each answer of the scale, in scale order. */
  distribution?: number[];
  /** Mass of the next-token distribution outside the scale's answers. */
  outsideMass?: number;
  /** Sampled protocol: mean of parsed ratings, how many parsed, of how many samples. */
  sampledMean?: number;
  parsed?: number;
  samples?: number;
}

export interface RatingsModelSummary {
  model: ModelRole;
  negative: Descriptives;
  positive: Descriptives;
  /** Δ_Knobe = mean(negative) − mean(positive), with its 95% CI. */
  delta: { estimate: number; ci: [number, number] };
  test: TestResult;
  /** Sampled protocol only: share of generations whose number was parsed. */
  parseRate?: number;
  /** Protocol `both`: correlation between sampled mean and expected value over items. */
  agreement?: number;
}

/** Words of the prompts one model's tokenizer could not read (see core/study/coverage.ts). */
export interface TokenizationNote {
  model: ModelRole;
  /** Mapped to the tokenizer's unknown token. */
  unknown: string[];
  /** Spelled out letter by letter. */
  spelled: string[];
}

export interface RatingsResult {
  kind: 'ratings';
  scale: string[];
  /** Files written before `choice` left the format may still say `choice` (computed as `expected`). */
  protocol: 'expected' | 'sample' | 'both' | 'choice';
  rows: RatingRow[];
  summary: RatingsModelSummary[];
  /** Present when a model's tokenizer could not read some words: a null result may come from that. */
  tokenization?: TokenizationNote[];
}

export interface LocalizationRow {
  model: ModelRole;
  site: string;
  layer: number;
  /** ‖mean(negative) − mean(positive)‖₂ of the activations at the chosen positions. */
  l2: number;
  /** Cosine between the two condition means. */
  cosine: number;
}

export interface LocalizationResult {
  kind: 'localization';
  positions: string;
  rows: LocalizationRow[];
}

export interface PatchRow {
  site: string;
  /** Layers patched together. */
  layers: number[];
  /** Label on the chart's x axis: `7`, `4–6`, `3+5`. */
  label: string;
  /** Positions patched: `all`, `last`, `3,4`, or a phrase. */
  positions: string;
  /** Token position when a sweep varies positions one at a time. */
  position?: number;
  /** Δ_Knobe of the recipient after the patch, with its CI. */
  delta: number;
  ci: [number, number];
  /** (Δ_unpatched − Δ_patched) / (Δ_unpatched − Δ_donor), with its bootstrap CI. */
  fractionRemoved: number;
  fractionCi: [number, number];
  /** With `equivalence` bounds: TOST of the patched Δ against 0; `equivalent` when it lies within. */
  tost?: { p: number; equivalent: boolean };
}

export interface SweepResult {
  kind: 'sweep';
  direction: 'pretrained->finetuned' | 'finetuned->pretrained';
  mix: number;
  /** Unpatched Δ_Knobe of each model, the chart's reference lines. */
  baseline: { pretrained: number; finetuned: number };
  rows: PatchRow[];
  /** Smallest layer set found by the greedy search, if one was asked for. */
  smallest?: { site: string; layers: number[]; fractionRemoved: number; target: number };
  /** Why the fraction removed, or its interval, is undefined (the two models' Δ coincide; a single item per condition). */
  fractionNote?: string;
}

export interface AnovaRow {
  effect: string;
  ss: number;
  df: number;
  ms: number;
  F: number;
  p: number;
  partialEta2: number;
  /** Sphericity-corrected p-values, for within-subject factors with more than two levels. */
  pGG?: number;
  pHF?: number;
  /** Error df of this effect (repeated-measures effects each have their own). */
  dfError?: number;
  /** Exact 95% interval of η²p (noncentral F). */
  partialEta2Ci?: [number, number];
  /** The APA line: "F(2, 564) = 283.60, p < .001, η²p = .50". */
  apa?: string;
}

export interface AnovaTableResult {
  design: string;
  rows: AnovaRow[];
  residualDf: number;
  /** What the table covers: a family (pair) or `all families`. */
  scope?: string;
  /** Why this design: which factors vary within items and which between, and what was left out. */
  reason?: string;
}

/** A linear mixed model fitted by REML (see core/stats/lmm.ts). */
export interface MixedModelResult {
  formula: string;
  method: 'REML';
  dfMethod: 'Satterthwaite';
  /** What the random effects group, and why. */
  grouping: string;
  n: number;
  groups: number;
  fixed: { name: string; estimate: number; se: number; df: number; t: number; p: number }[];
  terms: { term: string; F: number; numDf: number; denDf: number; p: number; lrt?: { chiSquare: number; df: number; p: number }; apa: string }[];
  random: { names: string[]; covariance: number[][]; residual: number };
  logLik: number;
  singular: boolean;
  slopeTest?: { chiSquare: number; df: number; p: number };
  notes: string[];
}

/** Δ_Knobe of one model of one family, for the forest plot across families. */
export interface FamilyDelta {
  family: string;
  /** The ratings cell it comes from. */
  cell: string;
  model: ModelRole;
  estimate: number;
  ci: [number, number];
  n: number;
  apa: string;
}

/** One patch of a family's sweep, for the layer effects side by side. */
export interface FamilyLayerEffect {
  family: string;
  /** The sweep cell it comes from. */
  cell: string;
  site: string;
  layers: number[];
  label: string;
  fractionRemoved: number;
  fractionCi: [number, number];
}

export interface StatsResult {
  kind: 'stats';
  tests: TestResult[];
  /** The main ANOVA: across families when there are several, else version × condition. */
  anova?: AnovaTableResult;
  /** With several families: version × condition within each. */
  familyAnovas?: AnovaTableResult[];
  mixed?: MixedModelResult;
  /** Δ_Knobe per family and model. */
  deltas?: FamilyDelta[];
  /** Layer effects per family, from the sweeps the cell names. */
  layers?: FamilyLayerEffect[];
  correction: 'holm' | 'bonferroni' | 'bh' | 'none';
}

export type KnobeResult = RatingsResult | LocalizationResult | SweepResult | StatsResult;

/** What a cell output carries: the result, its provenance, and the hash of its inputs. */
export interface CellOutput<R extends KnobeResult = KnobeResult> {
  result: R;
  provenance: Provenance;
  hash: string;
  /** Wall-clock seconds the run took. */
  seconds?: number;
  /** Checksum of everything above, written by the run (see core/format/checksum.ts). */
  checksum?: string;
}

/**
 * Whether a stored output is as a run wrote it (`verified`), was changed since (`edited`), or
 * carries no checksum to tell (`unverified`: written before outputs had one).
 */
export type Integrity = 'verified' | 'edited' | 'unverified';

/**
 * What the notebook renderer receives: the stored output and, when it is not as a run wrote it,
 * why. `integrity` is worked out when the file is read and is never written back.
 */
export interface ShownOutput<R extends KnobeResult = KnobeResult> extends CellOutput<R> {
  integrity?: Exclude<Integrity, 'verified'>;
}

/** The words the renderer and the report show for an output that is not as a run wrote it. */
export const INTEGRITY_LABEL: Record<Exclude<Integrity, 'verified'>, { title: string; text: string }> = {
  edited: {
    title: 'Edited by hand',
    text: 'these numbers no longer match the checksum Knobe Lab wrote with them, so they are not what a run computed. Running the cell recomputes it.',
  },
  unverified: {
    title: 'Not verifiable',
    text: 'this result was written before results carried a checksum, so whether it was changed since cannot be told. Running the cell recomputes it.',
  },
};

/**
 * Results written as JSON (in a `.knobe` file, the result cache, a notebook output) hold `null`
 * where a statistic was undefined for the data (NaN has no JSON form). Reading them back turns
 * every `null` into NaN again, so a result reads the same fresh and reloaded.
 */
export function reviveResult<T>(value: T): T {
  const walk = (v: unknown): unknown => {
    if (v === null) return Number.NaN;
    if (Array.isArray(v)) return v.map(walk);
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, walk(x)]));
    return v;
  };
  return walk(value) as T;
}
