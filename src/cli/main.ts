// The `knobe` command: runs a notebook headless, writes its results back (or elsewhere) and an
// HTML report on request. Exit code 1 when a cell fails, 2 on a usage error.
import { existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CellOutput } from '../common/results.js';
import { parse } from '../core/format/parser.js';
import { knobeCells, wordText } from '../core/format/nodes.js';
import { Study, type CellRun } from '../core/study/study.js';
import { withOutputs } from '../core/study/writeback.js';
import { summaryLine } from '../core/study/summary.js';
import { writeReport } from './report.js';
import { parseCli, USAGE, UsageError, type RunArgs } from './args.js';
import { writeDemoPairCommand } from './demo-pair.js';
import { ProgressBar } from './progress.js';

function defaultCache(): string {
  return process.env.KNOBE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'knobe-lab');
}

/** Atomic write: a crash never leaves a truncated notebook behind. */
function writeAtomic(file: string, text: string): void {
  mkdirSync(dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

export async function runCommand(args: RunArgs, log: (s: string) => void = (s) => console.log(s)): Promise<{ code: number; runs: CellRun[] }> {
  const file = resolve(args.file);
  if (!existsSync(file)) throw new UsageError(`no such notebook: ${args.file}`);
  if (!statSync(file).isFile()) throw new UsageError(`${args.file} is not a notebook file`);
  const text = readFileSync(file, 'utf8');
  const doc = parse(text);
  const names = knobeCells(doc).map((c) => wordText(c.name));
  const unknown = args.cells?.filter((n) => !names.includes(n));
  if (unknown?.length) throw new UsageError(`--cells: ${args.file} has no cell named ${unknown.map((n) => `"${n}"`).join(', ')}; its cells are ${names.join(', ')}`);
  const bar = new ProgressBar();
  const controller = new AbortController();
  const onSignal = () => controller.abort();
  process.once('SIGINT', onSignal);
  const study = new Study({
    cacheDir: args.cache ? resolve(args.cache) : defaultCache(),
    baseDir: dirname(file),
    runtime: args.threads ? { threads: args.threads } : undefined,
    hubEndpoint: process.env.HF_ENDPOINT,
    hubToken: process.env.HF_TOKEN,
    device: args.device ?? 'auto',
    memoryBudget: args.memory,
  });
  let runs: CellRun[];
  try {
    runs = await study.run(doc, {
      cells: args.cells,
      force: args.force,
      signal: controller.signal,
      onProgress: (p) => bar.update(p),
      onCellDone: () => bar.finish(),
    });
  } finally {
    process.off('SIGINT', onSignal);
    await study.dispose();
  }
  const outputs = new Map<string, CellOutput>();
  for (const r of runs) if (r.output) outputs.set(r.name, r.output);
  const target = args.out ? resolve(args.out) : file;
  const updated = withOutputs(text, outputs);
  if (updated !== text || target !== file) writeAtomic(target, updated);
  for (const r of runs) {
    const line = summaryLine(r);
    if (line && !args.json) log(line);
  }
  if (args.report) {
    await writeReport(resolve(args.report), parse(updated), runs);
    if (!args.json) log(`report: ${resolve(args.report)}`);
  }
  if (!args.json) log(`results written to ${target}`);
  const failed = runs.filter((r) => r.status === 'error' || r.status === 'cancelled');
  if (args.json) {
    log(JSON.stringify({ file: target, report: args.report ? resolve(args.report) : undefined, cells: runs.map((r) => ({ name: r.name, kind: r.kind, status: r.status, seconds: r.seconds, error: r.error && { code: r.error.code, message: r.error.message, hint: r.error.hint }, result: r.output?.result })) }, null, 2));
  }
  return { code: failed.length ? 1 : 0, runs };
}

export async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv);
  switch (args.command) {
    case 'help':
      console.log(USAGE);
      return 0;
    case 'demo-pair':
      console.log(writeDemoPairCommand(args.argv));
      return 0;
    case 'demo': {
      const { runDemo } = await import('./demo.js');
      return runDemo(args);
    }
    case 'run':
      return (await runCommand(args)).code;
  }
}

/** Entry point of bin/knobe.cjs: runs the command and exits with its code. */
export function cli(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (e) => {
      if (e instanceof UsageError) {
        console.error(`knobe: ${e.message}\n\n${USAGE}`);
        process.exit(2);
      }
      console.error(`knobe: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
