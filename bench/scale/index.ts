// `npm run bench -- --scale 8b`: the study at the size of the paper's models, on this machine.
// Opt-in (never part of the default bench or CI): it generates a pair of Llama-3.1-8B-shaped
// checkpoints once (random bf16 weights, the real Llama 3.1 tokenizer, the fine-tuned one perturbed
// in two layers; ~21 GB, kept in .cache/bench-8b/), then at each precision measures, each in a
// process of its own so peak resident memory is per measurement:
//   first load   (conversion into the on-disk graph cache) and cached load, of one model;
//   forward      seconds per forward pass of a 150-token prompt;
//   study        `knobe run` of a notebook rating 4 vignettes through the chat template and sweeping
//                the last position's residual stream over 4 layers, under a memory budget;
// and beside them the same forward in PyTorch (bf16 weights cast to fp32) where it fits in memory.
// Steps already measured are kept in results.json and shown again; --only and --skip choose what
// runs. `--scale 1b` (Llama-3.2-1B's shape) and `--layers N` make quick, smaller runs.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { availableParallelism, freemem, loadavg, totalmem } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { parseConfig } from '../../src/core/models/config.js';
import { applyOverrides, generateCheckpoint, perturbCheckpoint, presetConfig, readGeneratorManifest, type GenerateProgress } from '../../src/core/models/generate/index.js';
import { loadTokenizer } from '../../src/core/models/tokenizer.js';
import { weightBytes, type Precision } from '../../src/core/models/precision.js';
import { formatBytes } from '../../src/core/study/memory.js';
import { REAL_TOKENIZERS } from '../../test/support/real-tokenizers.js';
import type { ChildResult, Task } from './child.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, '..', '..');
const PYTHON = '/usr/bin/python3';
const GiB = 1024 ** 3;
const PROMPT_TOKENS = 150;
const STEPS = ['generate', 'first-load', 'cached-load', 'forward', 'study', 'torch'] as const;
type Step = (typeof STEPS)[number];

interface Scale {
  preset: string;
  /** Layers of the fine-tuned model that differ, and the 4 the sweep patches. */
  perturbed: number[];
  swept: number[];
  /** Peak resident memory the issue sets as a target, per precision. */
  targets: Partial<Record<Precision, number>>;
  runs: number;
}

const SCALES: Record<string, Scale> = {
  '8b': { preset: 'llama-3.1-8b', perturbed: [13, 14], swept: [12, 13, 14, 15], targets: { int8: 12 * GiB, int4: 7 * GiB }, runs: 2 },
  '1b': { preset: 'llama-3.2-1b', perturbed: [7, 8], swept: [6, 7, 8, 9], targets: {}, runs: 3 },
};

const log = (s: string) => console.log(s);
const gib = (b: number | undefined) => (b === undefined || !Number.isFinite(b) ? '—' : `${(b / GiB).toFixed(2)} GiB`);
const sec = (s: number | undefined) => (s === undefined || !Number.isFinite(s) ? '—' : s >= 100 ? `${s.toFixed(0)} s` : `${s.toFixed(2)} s`);

interface Options {
  scale: string;
  layers?: number;
  /** A narrower width for plumbing checks (intermediate size in proportion, head_dim kept). */
  hidden?: number;
  precisions: Precision[];
  steps: Set<Step>;
  runs: number;
  threads: number;
  cache: string;
}

function options(argv: string[]): Options {
  const { values } = parseArgs({
    args: argv,
    options: {
      scale: { type: 'string' }, layers: { type: 'string' }, hidden: { type: 'string' }, only: { type: 'string' }, skip: { type: 'string' },
      runs: { type: 'string' }, threads: { type: 'string' }, cache: { type: 'string' },
    },
    strict: true,
  });
  const scale = values.scale ?? '';
  if (!SCALES[scale]) throw new Error(`--scale takes ${Object.keys(SCALES).join(' or ')}, not "${scale}"`);
  const list = (s: string | undefined) => (s ?? '').split(',').map((x) => x.trim()).filter(Boolean);
  const only = list(values.only);
  const skip = list(values.skip);
  const known = new Set<string>(['fp32', 'fp16', 'int8', 'int4', ...STEPS]);
  for (const x of [...only, ...skip]) if (!known.has(x)) throw new Error(`--only/--skip take precisions (fp32, fp16, int8, int4) and steps (${STEPS.join(', ')}), not "${x}"`);
  const onlyPrecisions = only.filter((x) => !STEPS.includes(x as Step)) as Precision[];
  const onlySteps = only.filter((x) => STEPS.includes(x as Step)) as Step[];
  const layers = values.layers === undefined ? undefined : Number(values.layers);
  if (layers !== undefined && !(Number.isInteger(layers) && layers >= 1)) throw new Error(`--layers takes a whole number ≥ 1, not "${values.layers}"`);
  const hidden = values.hidden === undefined ? undefined : Number(values.hidden);
  if (hidden !== undefined && !(Number.isInteger(hidden) && hidden >= 8)) throw new Error(`--hidden takes a whole number ≥ 8, not "${values.hidden}"`);
  const tag = `${layers === undefined ? '' : `-${layers}l`}${hidden === undefined ? '' : `-${hidden}h`}`;
  return {
    scale,
    layers,
    hidden,
    precisions: onlyPrecisions.length ? onlyPrecisions : ['int8', 'int4'],
    steps: new Set((onlySteps.length ? onlySteps : [...STEPS]).filter((s) => !skip.includes(s))),
    runs: values.runs === undefined ? SCALES[scale].runs : Number(values.runs),
    threads: values.threads === undefined ? Math.min(2, availableParallelism()) : Number(values.threads),
    cache: resolve(root, values.cache ?? `.cache/bench-${scale}${tag}`),
  };
}

/** Progress lines on stderr, one per tenth. */
function progressPrinter(what: string): (p: GenerateProgress) => void {
  let shown = -1;
  return (p) => {
    const tenth = Math.floor((10 * p.done) / p.total);
    if (tenth === shown) return;
    shown = tenth;
    const [unit, div] = p.total >= 1e9 ? ['GB', 1e9] : ['MB', 1e6];
    process.stderr.write(`  ${what}: ${(p.done / div).toFixed(1)} / ${(p.total / div).toFixed(1)} ${unit}\n`);
  };
}

/** The pair, generated once: reused while its recipe is the same. */
function ensurePair(o: Options, scale: Scale, run: boolean): { pretrained: string; finetuned: string; perturbed: number[]; swept: number[] } {
  const preset = presetConfig(scale.preset)!;
  const narrow = o.hidden === undefined ? {} : {
    hidden: o.hidden,
    intermediate: Math.round(((preset.intermediate_size as number) * o.hidden) / (preset.hidden_size as number)),
  };
  const headDim = (preset.head_dim as number | undefined) ?? (preset.hidden_size as number) / (preset.num_attention_heads as number);
  const config = applyOverrides(preset, { layers: o.layers, ...narrow }, o.hidden === undefined ? {} : { head_dim: headDim });
  const L = config.num_hidden_layers as number;
  // With fewer layers (--layers), the middle ones.
  const mid = Math.floor(L / 2);
  const perturbed = o.layers === undefined ? scale.perturbed : [...new Set([mid - 1, mid].filter((l) => l >= 0))];
  const swept = o.layers === undefined ? scale.swept : [...new Set([mid - 2, mid - 1, mid, mid + 1].filter((l) => l >= 0 && l < L))];
  const pretrained = join(o.cache, 'pretrained');
  const finetuned = join(o.cache, 'finetuned');
  const want = { config, seed: 1, dtype: 'BF16' as const, tokenizerDir: REAL_TOKENIZERS.llama3 };
  const have = readGeneratorManifest(pretrained)?.recipe;
  const same = have !== undefined && JSON.stringify(have.config) === JSON.stringify(config) && have.seed === want.seed && have.dtype === want.dtype;
  const fineHave = readGeneratorManifest(finetuned)?.recipe as { base?: string; perturb?: { layers: number[] } } | undefined;
  const fineSame = same && fineHave?.base === pretrained && JSON.stringify(fineHave.perturb?.layers) === JSON.stringify(perturbed);
  if (same && fineSame) {
    log(`pair: reusing ${o.cache}`);
  } else {
    if (!run) throw new Error(`no generated pair in ${o.cache}; run without --skip generate first`);
    log(`pair: generating into ${o.cache} (${scale.preset}${o.layers ? `, ${o.layers} layers` : ''}${o.hidden ? `, hidden ${o.hidden}` : ''}, bf16, Llama 3.1 tokenizer)`);
    const t0 = performance.now();
    if (!same) generateCheckpoint(pretrained, { ...want, onProgress: progressPrinter('pretrained') });
    const t1 = performance.now();
    perturbCheckpoint(finetuned, { base: pretrained, perturb: { seed: 2, layers: perturbed }, onProgress: progressPrinter('finetuned') });
    log(`pair: pretrained written in ${sec((t1 - t0) / 1000)}, fine-tuned (layers ${perturbed.join(', ')} perturbed, other shards hard-linked) in ${sec((performance.now() - t1) / 1000)}`);
  }
  return { pretrained, finetuned, perturbed, swept };
}

const VIGNETTES = [
  ['river', 'The chairman of a company is told: "The new program will raise profits, and it will also {harm|help} the river." The chairman answers: "I do not care about the river. I only want to make as much profit as I can." The program is started, and the river is {harmed|helped}.'],
  ['park', 'A planner tells the mayor: "The new road will bring shoppers into town, and it will also {harm|help} the park." The mayor answers: "I do not care about the park. I only want more shoppers." The road is built, and the park is {harmed|helped}.'],
];

function notebookFor(precision: Precision, swept: number[]): string {
  const items = VIGNETTES.map(([item, text]) => `item ${item}\n  ${text}`).join('\n\n');
  return `%knobe 2

# Scale bench

::: pair p
pretrained: ./pretrained
finetuned: ./finetuned
prompt: chat
precision: ${precision}
:::

::: scenarios set
question: How intentionally did the decision maker bring about the {harmful|helpful} side effect?
scale: 0..10

${items}
:::

::: ratings rate
scenarios: set
:::

::: sweep patch
ratings: rate
site: resid_post
layers: ${swept.join(', ')}
positions: last
:::
`;
}

/** Runs one measurement in a child process; its result, or the error it reported. */
function child(task: Task, threads: number): ChildResult & { error?: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', join(here, 'child.ts'), JSON.stringify(task)], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    maxBuffer: 1 << 26,
    env: { ...process.env, OMP_NUM_THREADS: String(threads) },
  });
  const last = r.stdout.trim().split('\n').pop() ?? '';
  try {
    return JSON.parse(last) as ChildResult;
  } catch {
    return { task: task.task, peakRss: Number.NaN, error: `the child exited with ${r.status ?? r.signal}: ${last}` };
  }
}

type Results = Record<string, Record<string, unknown> & { when?: string }>;

export async function runScale(argv: string[]): Promise<void> {
  const o = options(argv);
  const scale = SCALES[o.scale];
  mkdirSync(o.cache, { recursive: true });
  const resultsFile = join(o.cache, 'results.json');
  const results: Results = existsSync(resultsFile) ? (JSON.parse(readFileSync(resultsFile, 'utf8')) as Results) : {};
  const save = (key: string, value: Record<string, unknown>) => {
    results[key] = { ...value, when: new Date().toISOString() };
    writeFileSync(resultsFile, JSON.stringify(results, null, 2) + '\n');
  };
  const fresh = new Set<string>();

  log(`machine: ${availableParallelism()} cores, ${gib(totalmem())} memory (${gib(freemem())} free), load ${loadavg().map((x) => x.toFixed(2)).join(' ')}; ${o.threads} threads`);
  const pair = ensurePair(o, scale, o.steps.has('generate'));
  const config = parseConfig(readFileSync(join(pair.pretrained, 'config.json'), 'utf8'));
  log(`model: ${config.architecture}, ${config.numLayers} layers, hidden ${config.hiddenSize}, vocabulary ${config.vocabSize}; fine-tuned differs in layers ${pair.perturbed.join(', ')}; sweep over layers ${pair.swept.join(', ')}`);

  const tokenizer = loadTokenizer(pair.pretrained);
  const text = VIGNETTES.map(([, t]) => t.replace(/\{([^|]*)\|[^}]*\}/g, '$1')).join(' ').repeat(4);
  const prompt = tokenizer.encode(text).slice(0, PROMPT_TOKENS);
  writeFileSync(join(o.cache, 'prompt.json'), JSON.stringify(prompt));

  for (const precision of o.precisions) {
    const target = scale.targets[precision];
    const budget = target ?? Math.ceil(1.25 * weightBytes(config, precision));
    const cacheDir = join(o.cache, `knobe-${precision}`);
    const nb = join(o.cache, `study-${precision}.knobe`);
    writeFileSync(nb, notebookFor(precision, pair.swept));
    const step = (name: Step, key: string, task: Task) => {
      if (!o.steps.has(name)) return;
      log(`${key}: running`);
      const r = child(task, o.threads);
      if (r.error) log(`${key}: failed: ${r.error}`);
      save(key, r);
      fresh.add(key);
    };
    step('first-load', `${precision}.first-load`, { task: 'load', dir: pair.pretrained, precision, cacheDir, fresh: true, threads: o.threads });
    step('cached-load', `${precision}.cached-load`, { task: 'load', dir: pair.pretrained, precision, cacheDir, fresh: false, threads: o.threads });
    // The fine-tuned model is converted before the study, so the study reads both from the cache.
    step('study', `${precision}.convert-finetuned`, { task: 'load', dir: pair.finetuned, precision, cacheDir, fresh: false, threads: o.threads });
    step('forward', `${precision}.forward`, { task: 'forward', dir: pair.pretrained, precision, cacheDir, threads: o.threads, prompt, runs: o.runs, logitsFile: join(o.cache, `logits-${precision}.f32`) });
    step('study', `${precision}.study`, { task: 'study', notebook: nb, cacheDir, threads: o.threads, memory: budget });
  }

  if (o.steps.has('torch')) {
    log('torch: running');
    const logits = o.precisions.map((p) => join(o.cache, `logits-${p}.f32`));
    const r = spawnSync(PYTHON, [join(here, 'torch_scale.py'), pair.pretrained, String(o.threads), join(o.cache, 'prompt.json'), String(o.runs), ...logits], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], env: { ...process.env, OMP_WAIT_POLICY: 'PASSIVE' } });
    const last = r.stdout.trim().split('\n').pop() ?? '';
    try {
      save('torch', JSON.parse(last) as Record<string, unknown>);
    } catch {
      save('torch', { error: r.error?.message ?? `exited with ${r.status}: ${last}` });
    }
    fresh.add('torch');
  }

  report(o, scale, config.numLayers, pair.swept.length, results, fresh);
}

function report(o: Options, scale: Scale, layers: number, swept: number, results: Results, fresh: Set<string>): void {
  const note = (key: string) => (results[key] && !fresh.has(key) ? ` (earlier run, ${results[key].when})` : '');
  const num = (key: string, field: string) => results[key]?.[field] as number | undefined;
  log(`\n## scale ${o.scale}: ${scale.preset}${o.layers ? ` at ${layers} layers` : ''}${o.hidden ? `, hidden ${o.hidden}` : ''}, ${o.threads} threads`);
  for (const precision of o.precisions) {
    const k = (s: string) => `${precision}.${s}`;
    const err = ['first-load', 'cached-load', 'convert-finetuned', 'forward', 'study'].map((s) => results[k(s)]?.error).find(Boolean);
    log(`\n${precision}:`);
    if (err) log(`  error: ${err}`);
    const first = num(k('first-load'), 'loadSeconds');
    const cached = num(k('cached-load'), 'loadSeconds');
    const ratio = first && cached ? ` — cached/first = ${(cached / first).toFixed(3)} (target ≤ 0.2)` : '';
    log(`  first load (convert): ${sec(first)}, cached load: ${sec(cached)}${ratio}; hashing the checkpoint: ${sec(num(k('cached-load'), 'hashSeconds'))}${note(k('cached-load'))}`);
    const hit = (key: string) => (results[key]?.cacheHit === undefined ? '' : results[key]?.cacheHit ? ' (graph cache hit)' : ' (converted)');
    log(`  peak RSS: first load ${gib(num(k('first-load'), 'peakRss'))}${hit(k('first-load'))}, cached load ${gib(num(k('cached-load'), 'peakRss'))}${hit(k('cached-load'))}, forward ${gib(num(k('forward'), 'peakRss'))}; weights held ${gib(num(k('cached-load'), 'weightBytes'))}`);
    log(`  forward of a ${PROMPT_TOKENS}-token prompt: ${sec(num(k('forward'), 'secondsPerForward'))} per forward${note(k('forward'))}`);
    const study = results[k('study')] as { wall?: number; peakRss?: number; cells?: Array<{ name: string; status: string; seconds: number; error?: string }> } | undefined;
    if (study) {
      const target = scale.targets[precision];
      const verdict = target === undefined || study.peakRss === undefined ? '' : study.peakRss <= target ? ` (target ≤ ${gib(target)}: met)` : ` (target ≤ ${gib(target)}: MISSED)`;
      const budget = target ?? undefined;
      log(`  study (4 vignettes rated through the chat template, last-position resid_post sweep over ${swept} layers${budget ? `, --memory ${formatBytes(budget)}` : ''}): ${sec(study.wall)}, peak RSS ${gib(study.peakRss)}${verdict}${note(k('study'))}`);
      for (const c of study.cells ?? []) log(`    ${c.name}: ${c.status}, ${sec(c.seconds)}${c.error ? ` — ${c.error}` : ''}`);
    }
  }
  const t = results.torch as { fits?: boolean; reason?: string; torch?: string; threads?: number; weights?: string; seconds_per_forward?: number; peak_rss?: number; max_abs_logit_diff?: Record<string, number>; error?: string } | undefined;
  if (t) {
    log(`\nPyTorch peer${note('torch')}: torch ${t.torch ?? '?'}, ${t.threads ?? '?'} threads, CPU, ${t.weights ?? ''}`);
    if (t.error) log(`  error: ${t.error}`);
    else if (t.fits === false) log(`  not run: ${t.reason}`);
    else {
      const diffs = Object.entries(t.max_abs_logit_diff ?? {}).map(([f, d]) => `${f.replace(/^logits-|\.f32$/g, '')} ${d.toExponential(2)}`).join(', ');
      log(`  forward of the same ${PROMPT_TOKENS}-token prompt: ${sec(t.seconds_per_forward)} per forward, peak RSS ${gib(t.peak_rss)}; max |Δlogit| vs ours: ${diffs || '—'}`);
      for (const precision of o.precisions) {
        const ours = num(`${precision}.forward`, 'secondsPerForward');
        if (ours && t.seconds_per_forward) log(`  ours at ${precision} ÷ PyTorch fp32 time = ${(ours / t.seconds_per_forward).toFixed(2)}`);
      }
    }
  }
}
