// The `knobe` subcommands as data: each one's synopsis, summary, options (with their help) and how
// its arguments become a typed command. Parsing (node:util parseArgs; errors become UsageError)
// and help text are made from the same definitions, so a new subcommand has `--help` and a line in
// the overview as soon as it is defined.
import { parseArgs } from 'node:util';
import { PRESET_NAMES } from '../core/models/generate/presets.js';
import { parseMemory } from '../core/study/memory.js';

const DEVICES = ['auto', 'cpu', 'cuda', 'webgpu', 'dml', 'coreml'];

export interface RunArgs {
  command: 'run';
  file: string;
  out?: string;
  report?: string;
  cells?: string[];
  json: boolean;
  force: boolean;
  threads?: number;
  cache?: string;
  /** Execution provider asked for. */
  device?: string;
  /** Bytes the models' weights may take at once. */
  memory?: number;
}
export interface PromptArgs {
  command: 'prompt';
  file: string;
  /** ITEM or SET/ITEM. */
  item: string;
  /** Default both. */
  models?: ('pretrained' | 'finetuned')[];
  tokens: boolean;
  pair?: string;
  cache?: string;
}
export interface DemoArgs {
  command: 'demo';
  report?: string;
}
export interface DemoPairArgs {
  command: 'demo-pair';
  folder: string;
  values: Record<string, string | undefined>;
}
export interface CheckpointArgs {
  command: 'checkpoint';
  folder: string;
  values: Values;
}
export interface HelpArgs {
  command: 'help';
  /** The subcommand to explain; the overview when absent. */
  topic?: string;
}
export type CliArgs = RunArgs | PromptArgs | DemoArgs | DemoPairArgs | CheckpointArgs | HelpArgs;

export class UsageError extends Error {
  /** The subcommand whose usage was wrong, for its help. */
  constructor(message: string, readonly command?: string) {
    super(message);
  }
}

interface OptionDef {
  type: 'string' | 'boolean';
  /** May be given more than once (its value is then the list). */
  multiple?: true;
  /** What the value is, shown in help: `--out <file.knobe>`. */
  value?: string;
  help: string;
}

export type Values = Record<string, string | boolean | string[] | undefined>;

export interface CommandDef {
  name: string;
  /** The positional arguments as shown in help. */
  args: string;
  /** How many positional arguments it takes, and what one is in words. */
  positionals: number;
  noun?: string;
  /** One line for the overview; the first paragraph of its own help. */
  summary: string;
  /** More paragraphs of its own help. */
  details?: string;
  options: Record<string, OptionDef>;
  build(values: Values, positionals: string[]): CliArgs;
}

const int = (name: string, v: string | undefined, test: (n: number) => boolean, what: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isInteger(n) || !test(n)) throw new UsageError(`--${name} takes ${what}, not "${v}"`);
  return n;
};

const RUN: CommandDef = {
  name: 'run',
  args: '<file.knobe>',
  positionals: 1,
  noun: 'notebook file',
  summary: "Runs the notebook's Knobe cells and writes their results into it (or into --out).",
  details: [
    'Every diagnostic of the notebook is printed first (file:line:column: severity code: message).',
    'Results are written into the notebook as it is on disk when the run ends: an edit made',
    'meanwhile is kept, and a cell edited meanwhile gets no result. A result is reused while',
    'nothing it depends on changed; a stored result edited by hand is recomputed.',
    '',
    'Exit codes: 0 every cell ran and its result was written; 1 a cell failed or was cancelled,',
    'a result could not be written, or the notebook was refused (not UTF-8, two cells of one',
    'name); 2 a usage error.',
  ].join('\n'),
  options: {
    out: { type: 'string', value: '<file.knobe>', help: 'write the notebook with its results there; the input is left as it is' },
    report: { type: 'string', value: '<file.html>', help: 'also write a self-contained HTML report' },
    cells: { type: 'string', value: '<a,b>', help: 'run only these cells (and the cells they need)' },
    json: { type: 'boolean', help: 'print one JSON summary of the run instead of lines' },
    force: { type: 'boolean', help: 'recompute even results that could be reused' },
    threads: { type: 'string', value: '<N>', help: 'inference threads (0: let onnxruntime choose)' },
    cache: { type: 'string', value: '<folder>', help: 'the model and result cache (default: $KNOBE_CACHE or ~/.cache/knobe-lab)' },
    device: { type: 'string', value: `<${DEVICES.join('|')}>`, help: 'the execution provider (a missing one falls back to the CPU, saying why)' },
    memory: { type: 'string', value: '<12G>', help: "budget for the models' weights (a pair that does not fit runs one model at a time)" },
  },
  build(values, positionals) {
    const threads = int('threads', values.threads as string | undefined, (n) => n >= 0, 'a whole number');
    const device = values.device as string | undefined;
    if (device !== undefined && !DEVICES.includes(device)) throw new UsageError(`--device takes one of ${DEVICES.join(', ')}, not "${device}"`);
    let memory: number | undefined;
    if (values.memory !== undefined) {
      memory = parseMemory(values.memory as string);
      if (memory === undefined) throw new UsageError(`--memory takes a size such as 12G or 800M, not "${values.memory}"`);
    }
    const cells = typeof values.cells === 'string' ? values.cells.split(',').map((s: string) => s.trim()).filter(Boolean) : undefined;
    return {
      command: 'run',
      file: positionals[0],
      out: values.out as string | undefined,
      report: values.report as string | undefined,
      cells,
      json: Boolean(values.json),
      force: Boolean(values.force),
      threads,
      cache: values.cache as string | undefined,
      device,
      memory,
    };
  },
};

const PROMPT: CommandDef = {
  name: 'prompt',
  args: '<file.knobe> <ITEM | SET/ITEM>',
  positionals: 2,
  noun: 'a notebook file and an item (ITEM or SET/ITEM)',
  summary: 'Prints each vignette of an item as each model receives it, after its chat template.',
  details: [
    'The text is made by the same code a run uses, from the tokenizers and chat templates alone:',
    'no weights are read, and a Hub model must already be in the cache.',
  ].join('\n'),
  options: {
    model: { type: 'string', value: '<pretrained|finetuned>', help: 'one model of the pair (default: both)' },
    tokens: { type: 'boolean', help: 'also print the token pieces' },
    pair: { type: 'string', value: '<NAME>', help: 'the pair cell (default: the pair that rates the set, or the only one)' },
    cache: { type: 'string', value: '<folder>', help: 'the model cache (default: $KNOBE_CACHE or ~/.cache/knobe-lab)' },
  },
  build(values, positionals) {
    const model = values.model as string | undefined;
    if (model !== undefined && model !== 'pretrained' && model !== 'finetuned') throw new UsageError(`--model is pretrained or finetuned, not "${model}"`);
    return {
      command: 'prompt',
      file: positionals[0],
      item: positionals[1],
      models: model === undefined ? undefined : [model],
      tokens: Boolean(values.tokens),
      pair: values.pair as string | undefined,
      cache: values.cache as string | undefined,
    };
  },
};

const DEMO: CommandDef = {
  name: 'demo',
  args: '',
  positionals: 0,
  summary: 'Runs the example notebooks on the built-in demo model pair and writes each with an HTML report.',
  details: 'In a clone of the repository the results go to out/demo/; elsewhere to ./knobe-demo/.',
  options: {
    report: { type: 'string', value: '<file.html>', help: 'where to write the report (when there is one example)' },
  },
  build: (values) => ({ command: 'demo', report: values.report as string | undefined }),
};

const DEMO_PAIR: CommandDef = {
  name: 'demo-pair',
  args: '<folder>',
  positionals: 1,
  noun: 'folder',
  summary: 'Writes the synthetic demo model pair (a positive control) to a folder.',
  details: 'The fine-tuned model differs from the pretrained one only in the edited layers, where it plants the effect.',
  options: {
    seed: { type: 'string', value: '<N>', help: 'seed of the random weights' },
    layers: { type: 'string', value: '<N>', help: 'number of layers' },
    hidden: { type: 'string', value: '<N>', help: 'hidden size' },
    heads: { type: 'string', value: '<N>', help: 'attention heads' },
    edit: { type: 'string', value: '<4,5>', help: 'the layers to edit' },
    sites: { type: 'string', value: '<attn,mlp>', help: 'what to edit in them: one site, or one per --edit layer' },
    strength: { type: 'string', value: '<x>', help: 'how strong the planted effect is' },
  },
  build: (values, positionals) => ({ command: 'demo-pair', folder: positionals[0], values: { ...values } as Record<string, string | undefined> }),
};

const CHECKPOINT: CommandDef = {
  name: 'checkpoint',
  args: '<folder>',
  positionals: 1,
  noun: 'folder',
  summary: 'Writes a random checkpoint in the Hugging Face layout (sharded safetensors with an index), of any shape.',
  details: [
    'The shape is a preset or a config.json, with overrides. Presets:',
    `  ${PRESET_NAMES.join(', ')}.`,
    'Weights start as transformers initialises them (normal, std initializer_range; norms 1), seeded;',
    'the same options give the same bytes. It stands in for real models when measuring the tool.',
    '',
    'With --base <folder>, writes a "fine-tuned" variant of that folder instead: it differs only in',
    'the --perturb-layers, and the base\'s shards that hold none of them are hard-linked.',
  ].join('\n'),
  options: {
    preset: { type: 'string', value: '<name>', help: 'the configuration of a known model' },
    config: { type: 'string', value: '<config.json>', help: 'or any configuration file' },
    layers: { type: 'string', value: '<N>', help: 'number of layers' },
    hidden: { type: 'string', value: '<N>', help: 'hidden size' },
    intermediate: { type: 'string', value: '<N>', help: 'MLP size' },
    heads: { type: 'string', value: '<N>', help: 'attention heads' },
    'kv-heads': { type: 'string', value: '<N>', help: 'key/value heads' },
    vocab: { type: 'string', value: '<N>', help: 'vocabulary size' },
    set: { type: 'string', multiple: true, value: '<key=value>', help: 'any config.json field (a JSON value, or text); repeatable' },
    dtype: { type: 'string', value: '<fp32|fp16|bf16>', help: 'how the weights are stored (default bf16)' },
    seed: { type: 'string', value: '<N>', help: 'seed of the random weights (default 0)' },
    'shard-size': { type: 'string', value: '<5GB>', help: 'largest shard (default 5GB, as the Hub\'s checkpoints)' },
    tokenizer: { type: 'string', value: '<folder>', help: 'copy tokenizer.json and tokenizer_config.json from there (default: a small generated one)' },
    base: { type: 'string', value: '<folder>', help: 'write a variant of this checkpoint' },
    perturb: { type: 'string', value: '<seed>', help: 'seed of the noise added to the perturbed layers' },
    'perturb-layers': { type: 'string', value: '<a,b>', help: 'the layers that differ' },
    'perturb-scale': { type: 'string', value: '<x>', help: 'noise std as a multiple of the initialisation\'s (default 0.1)' },
  },
  build: (values, positionals) => ({ command: 'checkpoint', folder: positionals[0], values: { ...values } }),
};

export const COMMANDS: readonly CommandDef[] = [RUN, PROMPT, DEMO, DEMO_PAIR, CHECKPOINT];

const HELP_OPTION: OptionDef = { type: 'boolean', help: 'show this help' };

/** `  --out <file.knobe>   what it does`, aligned. */
function optionLines(options: Record<string, OptionDef>): string[] {
  const all: [string, OptionDef][] = [...Object.entries(options), ['help', HELP_OPTION]];
  const heads = all.map(([name, o]) => (name === 'help' ? '-h, --help' : `--${name}${o.value ? ` ${o.value}` : ''}`));
  const width = Math.max(...heads.map((h) => h.length)) + 3;
  return all.map(([, o], i) => `  ${heads[i].padEnd(width)}${o.help}`);
}

const synopsis = (c: CommandDef) => `knobe ${c.name}${c.args ? ` ${c.args}` : ''}${Object.keys(c.options).length ? ' [options]' : ''}`;

/** The help of one subcommand. */
export function helpText(c: CommandDef): string {
  return [`usage: ${synopsis(c)}`, '', c.summary, ...(c.details ? ['', c.details] : []), '', 'options:', ...optionLines(c.options)].join('\n');
}

/** The overview: every subcommand with its summary. */
export const USAGE = [
  'usage:',
  ...COMMANDS.flatMap((c) => [`  ${synopsis(c)}`, `      ${c.summary}`]),
  '',
  'knobe <command> --help shows the options of a command.',
].join('\n');

export function commandNamed(name: string): CommandDef | undefined {
  return COMMANDS.find((c) => c.name === name);
}

export function parseCli(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h') return { command: 'help' };
  if (command === 'help') {
    if (rest[0] !== undefined && !commandNamed(rest[0])) throw new UsageError(`unknown command "${rest[0]}"`);
    return { command: 'help', topic: rest[0] };
  }
  const def = commandNamed(command);
  if (!def) throw new UsageError(`unknown command "${command}"`);
  // --help wins over everything else on the line, whatever else is wrong with it.
  const end = rest.indexOf('--');
  if ((end < 0 ? rest : rest.slice(0, end)).some((a) => a === '--help' || a === '-h')) return { command: 'help', topic: def.name };
  const options = Object.fromEntries(Object.entries(def.options).map(([k, o]) => [k, o.multiple ? { type: o.type, multiple: true } : { type: o.type }]));
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({ args: rest, options, allowPositionals: def.positionals > 0, strict: true }) as typeof parsed;
  } catch (e) {
    throw new UsageError(`knobe ${def.name}: ${(e as Error).message}`, def.name);
  }
  if (parsed.positionals.length !== def.positionals) {
    const what = def.positionals === 0 ? 'no arguments' : def.positionals === 1 ? `exactly one ${def.noun}` : def.noun;
    throw new UsageError(`knobe ${def.name} takes ${what}`, def.name);
  }
  try {
    return def.build(parsed.values, parsed.positionals);
  } catch (e) {
    throw e instanceof UsageError && !e.command ? new UsageError(e.message, def.name) : e;
  }
}
