// Argument parsing for the `knobe` command, on node:util parseArgs; errors become UsageError
import { parseArgs } from 'node:util';
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
export interface DemoArgs {
  command: 'demo';
  report?: string;
}
export interface HelpArgs {
  command: 'help';
}
export interface PassArgs {
  command: 'demo-pair';
  argv: string[];
}
export type CliArgs = RunArgs | DemoArgs | HelpArgs | PassArgs;

export class UsageError extends Error {}

export const USAGE = `usage:
  knobe run <file.knobe> [--out <file.knobe>] [--report <file.html>] [--cells a,b] [--json] [--force]
                         [--threads N] [--cache <folder>] [--device auto|cpu|cuda|webgpu|dml|coreml]
                         [--memory 12G]
      Runs the notebook's Knobe cells and writes the results back into it (or into --out).
      --device picks the execution provider (a missing one falls back to the CPU, saying why);
      --memory is the budget for the models' weights (a pair that does not fit together runs
      one model at a time).
  knobe demo [--report <file.html>]
      Runs examples/tutorial.knobe on the built-in demo model pair and writes an HTML report.
  knobe demo-pair <folder> [--seed N] [--layers N] [--edit 4,5] [--sites attn,mlp]
      Writes the synthetic demo model pair (a positive control) to a folder.`;

export function parseCli(argv: string[]): CliArgs {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') return { command: 'help' };
  if (command === 'demo-pair') return { command: 'demo-pair', argv: rest };
  if (command === 'demo') {
    const { values } = parse(rest, { report: { type: 'string' } }, 0);
    return { command: 'demo', report: values.report as string | undefined };
  }
  if (command === 'run') {
    const { values, positionals } = parse(
      rest,
      {
        out: { type: 'string' },
        report: { type: 'string' },
        cells: { type: 'string' },
        json: { type: 'boolean' },
        force: { type: 'boolean' },
        threads: { type: 'string' },
        cache: { type: 'string' },
        device: { type: 'string' },
        memory: { type: 'string' },
      },
      1,
    );
    if (positionals.length !== 1) throw new UsageError('knobe run takes exactly one notebook file');
    let threads: number | undefined;
    if (values.threads !== undefined) {
      threads = Number(values.threads);
      if (!Number.isInteger(threads) || threads < 0) throw new UsageError(`--threads takes a whole number, not "${values.threads}"`);
    }
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
  }
  throw new UsageError(`unknown command "${command}"`);
}

type Options = NonNullable<Parameters<typeof parseArgs>[0]>['options'];
function parse(args: string[], options: Options, maxPositionals: number): { values: Record<string, string | boolean | undefined>; positionals: string[] } {
  try {
    const r = parseArgs({ args, options, allowPositionals: maxPositionals > 0, strict: true });
    return { values: r.values as Record<string, string | boolean | undefined>, positionals: r.positionals };
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
}
