// One table describes every key of every cell kind: its documentation, default and value type.
// Validation, the spec accessors' defaults, completion and hover all read it, so they cannot
// disagree with each other; docs/format.md mirrors it for people.
import type { CellKind } from './nodes.js';
import { DEFAULT_TEMPLATE } from './prompt-template.js';

export type ValueType =
  | 'source' // a model source
  | 'enum' // one of `values`
  | 'enum-list' // comma-separated, each one of `values`
  | 'text'
  | 'template' // a prompt template with `{slot}`s
  | 'scale'
  | 'anchors'
  | 'int'
  | 'number'
  | 'number-or-range'
  | 'fraction' // a number in 0..1
  | 'layers'
  | 'positions'
  | 'sets'
  | 'top'
  | 'equivalence' // TOST bounds: `0.5`, `-0.3..0.5`, `d 0.3`
  | 'ref' // name of a cell of kind `ref`
  | 'ref-list';

export interface KeyDoc {
  key: string;
  type: ValueType;
  doc: string;
  /** The default as written in a file; absent when the key is required or has no default. */
  default?: string;
  required?: boolean;
  /** Allowed values (enum, enum-list) or suggestions for completion. */
  values?: readonly string[];
  /** Referenced cell kind for `ref`, `ref-list` and `top`. */
  ref?: CellKind;
  /** Inclusive bounds for numbers. */
  min?: number;
  max?: number;
  /**
   * Values the format once had and no longer offers: read as `use`, with an `obsolete-value`
   * warning saying why, so files written with them keep running.
   */
  obsolete?: Readonly<Record<string, { use: string; why: string }>>;
}

export const SITES = ['resid_pre', 'resid_mid', 'resid_post', 'attn_out', 'mlp_out'] as const;
export const PROTOCOLS = ['expected', 'sample', 'both'] as const;
export const DIRECTIONS = ['pretrained -> finetuned', 'finetuned -> pretrained'] as const;
export const TESTS = ['welch', 'student', 'paired', 'anova', 'bootstrap', 'mixed', 'tost', 'wilcoxon', 'mann-whitney'] as const;
export const SLOPE_FACTORS = ['version', 'condition', 'family'] as const;
export const CORRECTIONS = ['holm', 'bonferroni', 'bh', 'none'] as const;
export const MODEL_ROLES = ['pretrained', 'finetuned'] as const;
export const DEMO_SOURCES = ['demo:pretrained', 'demo:finetuned'] as const;
export const PRECISIONS = ['auto', 'fp32', 'fp16', 'bf16', 'int8', 'int4'] as const;
/** Seeds are 32-bit (the generators' state is filled from 32 bits): larger ones are refused, not wrapped. */
export const MAX_SEED = 0xffffffff;

export const KIND_DOCS: Record<CellKind, string> = {
  pair: 'The model pair: a pretrained model and its fine-tuned version, asked the same prompts.',
  scenarios: 'A vignette set: the question, the answer scale and the items (paired templates `{negative|positive}` or independent items labelled `negative` / `positive`).',
  ratings: 'How intentional does each model judge the agent? Ratings per vignette, condition means, Δ_Knobe with its CI and a test.',
  localize: 'Where do the conditions differ? Per layer and model, the L2 norm of the difference of the condition means and their cosine.',
  sweep: 'Activation patching: the recipient model runs with the donor\'s activations patched into chosen layers, sites and positions; Δ_Knobe per patch.',
  stats: 'Statistical tests across ratings cells: t-tests, ANOVA, bootstrap, with a correction for multiple comparisons.',
};

const site = (dflt: string): KeyDoc => ({ key: 'site', type: 'enum-list', values: SITES, default: dflt, doc: 'Hook sites of each layer: `resid_pre`, `resid_mid`, `resid_post`, `attn_out`, `mlp_out`.' });
const positions = (dflt: string): KeyDoc => ({ key: 'positions', type: 'positions', values: ['last', 'all'], default: dflt, doc: 'Token positions: `last`, `all`, indexes `3, 7`, or a phrase in quotes `"the environment"`.' });
const pairRef: KeyDoc = { key: 'pair', type: 'ref', ref: 'pair', doc: 'Name of a `pair` cell. Default: the only pair in the file.' };
const scenariosRef: KeyDoc = { key: 'scenarios', type: 'ref', ref: 'scenarios', required: true, doc: 'Name of a `scenarios` cell.' };

export const KEYS: Record<CellKind, readonly KeyDoc[]> = {
  pair: [
    { key: 'pretrained', type: 'source', required: true, values: ['demo:pretrained', 'hf:', './'], doc: 'The pretrained model: `demo:pretrained`, a local folder `./models/base`, or a Hub id `hf:org/name@revision`. A demo source may name another synthetic pair: `demo:pretrained?seed=7`.' },
    { key: 'finetuned', type: 'source', required: true, values: ['demo:finetuned', 'demo:finetuned?edit=4:attn,5:mlp', 'hf:', './'], doc: 'The fine-tuned model: `demo:finetuned`, a local folder, or a Hub id `hf:org/name@revision`. `demo:finetuned?edit=2:attn,6:mlp&seed=7&strength=1` plants the bias at other layers (and seed, strength) — a positive control for another localization.' },
    { key: 'prompt', type: 'enum', values: ['raw', 'chat'], default: 'raw', doc: '`raw`: the text as written; `chat`: wrapped in each model\'s chat template.' },
    { key: 'system', type: 'text', doc: 'A system message, used with `prompt: chat`.' },
    { key: 'precision', type: 'enum', values: PRECISIONS, default: 'auto', doc: 'Weights of both models: `fp32` (the reference), `fp16` / `bf16` (where the device computes them), `int8` / `int4` (block-quantized, weight-only). Activations stay fp32 at every hook. `auto`: fp32 when one model fits the memory budget, else the widest that fits (fp16 on a GPU).' },
  ],
  scenarios: [
    { key: 'question', type: 'text', required: true, doc: 'The question asked after each vignette; may carry `{negative|positive}` alternatives.' },
    { key: 'scale', type: 'scale', default: '0..10', doc: 'The answer scale: a range `0..10` or a list of answers `Yes, No`.' },
    { key: 'anchors', type: 'anchors', doc: 'Labels of scale points: `0 = not at all, 10 = completely`.' },
    { key: 'answer', type: 'text', default: 'Answer:', doc: 'The answer cue: the text that ends the prompt, right before the answer (`{answer}` in the template).' },
    {
      key: 'template', type: 'template',
      doc: 'The prompt each model reads, with slots `{vignette}`, `{question}`, `{scale}`, `{anchors}` and `{answer}` (required: vignette, question, and answer at the very end). Write `template: |` and the template on the indented lines below to keep its line breaks. A line whose slots are all empty is left out. Default:\n\n```\n' + DEFAULT_TEMPLATE + '\n```',
    },
  ],
  ratings: [
    scenariosRef,
    pairRef,
    {
      key: 'protocol', type: 'enum', values: PROTOCOLS, default: 'expected',
      doc: '`expected`: exact expected value over the scale in one forward pass, with the probability of each answer and the mass outside the scale; `sample`: sampled generations, parsed; `both`.',
      obsolete: { choice: { use: 'expected', why: 'it computed exactly what `expected` computes (the probability of each answer, normalized over the scale, and the mass outside it)' } },
    },
    { key: 'samples', type: 'int', min: 1, default: '283', doc: 'Generations per vignette for `sample` and `both`.' },
    { key: 'temperature', type: 'number-or-range', min: 0, default: '0.85..1.15', doc: 'Sampling temperature: a number, or a range drawn uniformly per sample.' },
    { key: 'top-p', type: 'fraction', default: '1', doc: 'Nucleus sampling: keep the smallest set of tokens whose probability reaches this.' },
    { key: 'top-k', type: 'int', min: 0, default: '0', doc: 'Keep the k most probable tokens; 0 turns it off.' },
    { key: 'max-tokens', type: 'int', min: 1, default: '8', doc: 'New tokens per generation.' },
    { key: 'seed', type: 'int', min: 0, max: MAX_SEED, default: '1', doc: 'Seed of the sampler (a whole number up to 4294967295, 32 bits).' },
    { key: 'models', type: 'enum-list', values: MODEL_ROLES, default: 'pretrained, finetuned', doc: 'Which models of the pair to rate.' },
  ],
  localize: [scenariosRef, pairRef, site('resid_post'), positions('last')],
  sweep: [
    { key: 'ratings', type: 'ref', ref: 'ratings', required: true, doc: 'A `ratings` cell whose scenarios, pair and protocol the sweep reuses.' },
    site('resid_post'),
    { key: 'layers', type: 'layers', values: ['all'], default: 'all', doc: 'Layers to patch: `all`, a range `4..9`, or a list `3, 5, 7`.' },
    { key: 'window', type: 'int', min: 1, default: '1', doc: 'Patch sliding windows of this many consecutive layers.' },
    { key: 'sets', type: 'sets', doc: 'Explicit layer sets patched together: `3+4, 5+6+7`.' },
    { key: 'top', type: 'top', ref: 'sweep', doc: '`K of CELL`: patch the top-K layers of an earlier sweep together.' },
    positions('all'),
    { key: 'mix', type: 'fraction', default: '1', doc: 'Share of the donor activation, 0..1 (1 replaces).' },
    { key: 'direction', type: 'enum', values: DIRECTIONS, default: 'pretrained -> finetuned', doc: '`pretrained -> finetuned` removes the effect; `finetuned -> pretrained` induces it.' },
    { key: 'smallest', type: 'fraction', doc: 'Target fraction of Δ_Knobe removed, for a greedy search of the smallest layer set.' },
    { key: 'bootstrap', type: 'int', min: 2, default: '1000', doc: 'Resamples for the bootstrap intervals of the fraction removed (paired templates resample whole items, independent items resample within their condition).' },
    { key: 'seed', type: 'int', min: 0, max: MAX_SEED, default: '1', doc: 'Seed of those resamples (a whole number up to 4294967295, 32 bits).' },
    { key: 'equivalence', type: 'equivalence', values: ['0.5', 'd 0.3', '-0.5..0.5'], doc: 'Bounds for an equivalence test (TOST) of each patch\'s Δ_Knobe against 0: `0.5` (±0.5 points), `-0.3..0.5`, or `d 0.3` in units of d. A patch is said to remove the effect when Δ lies within them.' },
  ],
  stats: [
    { key: 'ratings', type: 'ref-list', ref: 'ratings', required: true, doc: 'One or more `ratings` cells.' },
    { key: 'tests', type: 'enum-list', values: TESTS, default: 'welch, anova', doc: 'Tests: `welch`, `student`, `paired` t-tests; `anova` (version × condition per ratings cell, and family × version × condition across them); `bootstrap` intervals of Δ; `mixed` (linear mixed model with random intercepts for items, REML, Satterthwaite df); `tost` (equivalence within `equivalence`); `wilcoxon` (paired templates) and `mann-whitney` (independent items) rank tests.' },
    { key: 'correction', type: 'enum', values: CORRECTIONS, default: 'holm', doc: 'Correction for multiple comparisons.' },
    { key: 'alpha', type: 'fraction', default: '0.05', doc: 'Significance level.' },
    { key: 'bootstrap', type: 'int', min: 2, default: '2000', doc: 'Resamples for bootstrap intervals.' },
    { key: 'seed', type: 'int', min: 0, max: MAX_SEED, default: '1', doc: 'Bootstrap seed (a whole number up to 4294967295, 32 bits).' },
    { key: 'equivalence', type: 'equivalence', values: ['0.5', 'd 0.3', '-0.5..0.5'], doc: 'Bounds of the `tost` equivalence test of each model\'s Δ_Knobe: `0.5` (±0.5 points), `-0.3..0.5`, or `d 0.3` in units of d (d_z for paired templates).' },
    { key: 'slopes', type: 'enum-list', values: SLOPE_FACTORS, doc: 'Random slopes by item in the `mixed` model: `version`, `condition` (paired templates), `family`.' },
    { key: 'sweeps', type: 'ref-list', ref: 'sweep', doc: 'Sweep cells whose layer effects are shown side by side, one panel per family.' },
  ],
};

export function keyDoc(kind: CellKind, key: string): KeyDoc | undefined {
  return KEYS[kind].find((k) => k.key === key);
}
