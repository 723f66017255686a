// The `knobe` command: runs a notebook headless, writes its results back (or elsewhere) and an
// HTML report on request. Exit code 1 when a cell fails, a result cannot be written or the
// notebook is refused; 2 on a usage error.
import { existsSync, statSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import type { CellOutput } from '../common/results.js';
import type { Diagnostic } from '../core/format/diagnostics.js';
import { EncodingError } from '../core/format/encoding.js';
import { parse } from '../core/format/parser.js';
import { cellByName, duplicateCells, knobeCells, wordText } from '../core/format/nodes.js';
import { validate } from '../core/format/validation.js';
import { sourceHash } from '../core/study/hash.js';
import { StudyError } from '../core/study/errors.js';
import { formatPrompts, showPrompts } from '../core/study/show-prompt.js';
import { Study, type CellRun } from '../core/study/study.js';
import { mergeOutputs, withOutputs, type PendingOutput, type WriteConflict } from '../core/study/writeback.js';
import { summaryLine } from '../core/study/summary.js';
import { readNotebookText, updateNotebook } from './notebook-file.js';
import { writeReport } from './report.js';
import { commandNamed, helpText, parseCli, USAGE, UsageError, type PromptArgs, type RunArgs } from './args.js';
import { checkpointCommand } from './checkpoint.js';
import { writeDemoPairCommand } from './demo-pair.js';
import { ProgressBar } from './progress.js';

function defaultCache(): string {
  return process.env.KNOBE_CACHE ?? join(process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache'), 'knobe-lab');
}

export interface RunOutcome {
  code: number;
  runs: CellRun[];
  /** Whether the notebook (or --out) was written. */
  written: boolean;
  /** Results left out because their cell changed in the file while it ran. */
  conflicts: WriteConflict[];
}

/** One diagnostic as compilers print them: `file:line:column: severity code: message`. */
const diagnosticLine = (file: string, d: Diagnostic) => `${file}:${d.line}:${d.column}: ${d.severity} ${d.code}: ${d.message}`;

const CONFLICT: Record<WriteConflict['reason'], string> = {
  edited: 'was edited (or a cell it reads was) while it ran',
  missing: 'is no longer in the file',
  ambiguous: 'now shares its name with another cell',
};

/**
 * \`knobe run\`. Results go to stdout through \`log\`; diagnostics and problems to stderr through
 * \`warn\`. Exit code 0 when every cell ran and its result was written, 1 otherwise.
 */
export async function runCommand(
  args: RunArgs,
  log: (s: string) => void = (s) => console.log(s),
  warn: (s: string) => void = (s) => console.error(s),
): Promise<RunOutcome> {
  const file = resolve(args.file);
  if (!existsSync(file)) throw new UsageError(`no such notebook: ${args.file}`, 'run');
  if (!statSync(file).isFile()) throw new UsageError(`${args.file} is not a notebook file`, 'run');
  const refused = (message: string): RunOutcome => {
    warn(`knobe: ${args.file}: ${message}`);
    return { code: 1, runs: [], written: false, conflicts: [] };
  };
  let text: string;
  try {
    text = readNotebookText(file);
  } catch (e) {
    if (e instanceof EncodingError) return refused(e.message);
    throw e;
  }
  const doc = parse(text);
  // Everything the editor underlines, in text order.
  const diagnostics = validate(doc);
  for (const d of diagnostics) warn(diagnosticLine(args.file, d));
  const diagnosticsJson = diagnostics.map(({ code, severity, message, line, column }) => ({ code, severity, message, line, column }));
  const cells = knobeCells(doc);
  const names = cells.map((c) => wordText(c.name));
  const unknown = args.cells?.filter((n) => !names.includes(n));
  if (unknown?.length) throw new UsageError(`--cells: ${args.file} has no cell named ${unknown.map((n) => `"${n}"`).join(', ')}; its cells are ${names.join(', ')}`, 'run');
  if (duplicateCells(doc).length) return refused('two cells share a name (the duplicate-name errors above), so which one a reference means is unknown; nothing was run');
  if (cells.length === 0) {
    const note = `${args.file} has no Knobe cells (\`::: pair\`, \`scenarios\`, \`ratings\`, \`localize\`, \`sweep\` or \`stats\`); nothing to run`;
    if (args.json) log(JSON.stringify({ file, note, written: false, conflicts: [], diagnostics: diagnosticsJson, cells: [] }, null, 2));
    else log(note);
    return { code: 0, runs: [], written: false, conflicts: [] };
  }

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
  // Results the file does not hold yet, with the source hash of their cell as it was read.
  const pending = new Map<string, PendingOutput>();
  for (const r of runs) {
    if (!r.output) continue;
    outputs.set(r.name, r.output);
    const c = cellByName(doc, r.name)!;
    if (c.output?.output !== r.output) pending.set(r.name, { output: r.output, source: sourceHash(doc, c) });
  }
  const target = args.out ? resolve(args.out) : file;
  let conflicts: WriteConflict[] = [];
  let written = false;
  let writeFailed = false;
  const pause = Number(process.env.KNOBE_TEST_WRITE_PAUSE_MS) || undefined;
  try {
    if (target !== file) {
      // --out: the run's own copy of the notebook, whole.
      written = await updateNotebook(target, () => withOutputs(text, outputs), { pauseBeforeRenameMs: pause });
    } else if (pending.size > 0) {
      written = await updateNotebook(
        file,
        (current) => {
          const merged = mergeOutputs(current, pending);
          conflicts = merged.conflicts;
          return merged.text;
        },
        { pauseBeforeRenameMs: pause },
      );
    }
  } catch (e) {
    writeFailed = true;
    warn(`knobe: ${target}: ${(e as Error).message}; the results were not written`);
  }
  for (const c of conflicts) warn(`knobe: cell \`${c.cell}\` ${CONFLICT[c.reason]}; its result was not written to ${target} (run again to compute it)`);

  if (!args.json) {
    for (const r of runs) {
      const line = summaryLine(r);
      if (line) log(line);
    }
  }
  if (args.report) {
    await writeReport(resolve(args.report), parse(withOutputs(text, outputs)), runs);
    if (!args.json) log(`report: ${resolve(args.report)}`);
  }
  if (!args.json && !writeFailed) {
    if (written) log(`results written to ${target}`);
    else if (pending.size > conflicts.length || target !== file) log(`${target} already holds these results; it was not rewritten`);
    else if (conflicts.length === 0) log(`no new results: ${target} was not rewritten`);
    else log(`nothing was written to ${target}`);
  }
  const failed = runs.filter((r) => r.status === 'error' || r.status === 'cancelled');
  if (args.json) {
    log(JSON.stringify({
      file: target,
      report: args.report ? resolve(args.report) : undefined,
      written,
      conflicts,
      diagnostics: diagnosticsJson,
      cells: runs.map((r) => ({ name: r.name, kind: r.kind, status: r.status, seconds: r.seconds, setAside: r.setAside, error: r.error && { code: r.error.code, message: r.error.message, hint: r.error.hint }, result: r.output?.result })),
    }, null, 2));
  }
  return { code: failed.length || conflicts.length || writeFailed ? 1 : 0, runs, written, conflicts };
}

/** `knobe prompt`: what each model receives for an item, read from tokenizers and chat templates only. */
export async function promptCommand(args: PromptArgs, log: (s: string) => void = (s) => console.log(s)): Promise<void> {
  const file = resolve(args.file);
  if (!existsSync(file) || !statSync(file).isFile()) throw new UsageError(`no such notebook: ${args.file}`, 'prompt');
  const doc = parse(readNotebookText(file));
  const shown = await showPrompts(doc, { item: args.item }, { baseDir: dirname(file), cacheDir: args.cache ? resolve(args.cache) : defaultCache() }, { models: args.models, pair: args.pair });
  log(formatPrompts(shown, { tokens: args.tokens }));
}

export async function main(argv: string[]): Promise<number> {
  const args = parseCli(argv);
  switch (args.command) {
    case 'help': {
      const topic = args.topic === undefined ? undefined : commandNamed(args.topic);
      console.log(topic ? helpText(topic) : USAGE);
      return 0;
    }
    case 'demo-pair':
      console.log(writeDemoPairCommand(args));
      return 0;
    case 'checkpoint':
      console.log(checkpointCommand(args));
      return 0;
    case 'demo': {
      const { runDemo } = await import('./demo.js');
      return runDemo(args);
    }
    case 'run':
      return (await runCommand(args)).code;
    case 'prompt':
      await promptCommand(args);
      return 0;
  }
}

/** Entry point of bin/knobe.cjs: runs the command and exits with its code. */
export function cli(argv: string[]): void {
  main(argv).then(
    (code) => process.exit(code),
    (e) => {
      if (e instanceof UsageError) {
        const command = e.command === undefined ? undefined : commandNamed(e.command);
        console.error(`knobe: ${e.message}\n\n${command ? helpText(command) : USAGE}`);
        process.exit(2);
      }
      // An error the study explains (an unknown item, a model not downloaded) needs no stack.
      if (e instanceof StudyError || e instanceof EncodingError) console.error(`knobe: ${e.message}${e instanceof StudyError && e.hint ? `\n  ${e.hint}` : ''}`);
      else console.error(`knobe: ${(e as Error).stack ?? e}`);
      process.exit(1);
    },
  );
}
