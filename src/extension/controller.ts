// The notebook controller: runs Knobe cells through core/study (the same code the CLI runs),
// one run at a time per notebook, with live progress, cancellation and error outputs. Results
// replace a cell's outputs only when its run completes; a cancelled or failed run leaves the
// previous result in place.
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { parse } from '../core/format/parser.js';
import type { StudyProgress } from '../core/study/progress.js';
import { Study, type CellRun } from '../core/study/study.js';
import type { ModelHost } from '../core/study/models.js';
import { knobeCellName } from '../core/study/writeback.js';
import { NOTEBOOK_TYPE, notebookText, outputToVscode } from './serializer.js';
import { formatSeconds } from '../common/time.js';

export const CONTROLLER_ID = 'knobe-lab.controller';

export interface ControllerSettings {
  host(notebook: vscode.NotebookDocument): Promise<ModelHost>;
}

/** Per-cell progress text, shown in the cell's status bar while it runs. */
export class ProgressStatus implements vscode.NotebookCellStatusBarItemProvider {
  private readonly text = new Map<string, string>();
  private readonly changed = new vscode.EventEmitter<void>();
  readonly onDidChangeCellStatusBarItems = this.changed.event;

  set(cell: vscode.NotebookCell, text: string | undefined): void {
    const key = cell.document.uri.toString();
    if (text === undefined) this.text.delete(key);
    else this.text.set(key, text);
    this.changed.fire();
  }

  provideCellStatusBarItems(cell: vscode.NotebookCell): vscode.NotebookCellStatusBarItem[] {
    const t = this.text.get(cell.document.uri.toString());
    return t ? [new vscode.NotebookCellStatusBarItem(`$(sync~spin) ${t}`, vscode.NotebookCellStatusBarAlignment.Left)] : [];
  }

  dispose(): void {
    this.changed.dispose();
  }
}

export class KnobeController implements vscode.Disposable {
  private readonly controller: vscode.NotebookController;
  private readonly studies = new Map<string, Study>();
  /** The run in progress per notebook; a new run waits for it. */
  private readonly running = new Map<string, Promise<void>>();
  private readonly aborts = new Map<string, AbortController>();
  private order = 0;
  readonly status = new ProgressStatus();

  constructor(private readonly settings: ControllerSettings) {
    this.controller = vscode.notebooks.createNotebookController(CONTROLLER_ID, NOTEBOOK_TYPE, 'Knobe Lab');
    this.controller.supportedLanguages = ['knobe'];
    this.controller.supportsExecutionOrder = true;
    this.controller.description = 'Runs Knobe cells on the notebook\'s model pair';
    this.controller.executeHandler = (cells, notebook) => this.execute(cells, notebook);
    this.controller.interruptHandler = (notebook) => this.interrupt(notebook);
  }

  interrupt(notebook: vscode.NotebookDocument): void {
    this.aborts.get(notebook.uri.toString())?.abort();
  }

  async execute(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    const previous = this.running.get(key) ?? Promise.resolve();
    const run = previous.catch(() => undefined).then(() => this.runCells(cells, notebook));
    this.running.set(key, run);
    try {
      await run;
    } finally {
      if (this.running.get(key) === run) this.running.delete(key);
    }
  }

  private async runCells(cells: vscode.NotebookCell[], notebook: vscode.NotebookDocument): Promise<void> {
    const knobeCells = cells.filter((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId === 'knobe');
    if (knobeCells.length === 0) return;
    const key = notebook.uri.toString();
    const abort = new AbortController();
    this.aborts.set(key, abort);
    const executions = new Map<string, vscode.NotebookCellExecution>();
    const cellOf = (name: string) => notebook.getCells().find((c) => c.kind === vscode.NotebookCellKind.Code && knobeCellName(c.document.getText()) === name);
    const begin = (name: string): vscode.NotebookCellExecution | undefined => {
      const existing = executions.get(name);
      if (existing) return existing;
      const cell = cellOf(name);
      if (!cell) return undefined;
      const ex = this.controller.createNotebookCellExecution(cell);
      ex.executionOrder = ++this.order;
      ex.token.onCancellationRequested(() => abort.abort());
      ex.start(Date.now());
      executions.set(name, ex);
      return ex;
    };
    // Requested cells show as queued/running at once.
    const names = knobeCells.map((c) => knobeCellName(c.document.getText())).filter((n): n is string => !!n);
    for (const n of names) begin(n);

    if (!vscode.workspace.isTrusted) {
      for (const ex of executions.values()) {
        await ex.replaceOutput(errorOutput('Knobe cells do not run in an untrusted workspace', 'trust this workspace to run inference and download models'));
        ex.end(false, Date.now());
      }
      return;
    }

    const doc = parse(notebookText(notebook));
    const study = await this.studyFor(notebook);
    try {
      await vscode.window.withProgress(
        { location: vscode.ProgressLocation.Notification, title: 'Knobe Lab', cancellable: true },
        async (progress, token) => {
          token.onCancellationRequested(() => abort.abort());
          let last = 0;
          await study.run(doc, {
            cells: names,
            signal: abort.signal,
            onCellStart: (name) => begin(name),
            onProgress: (p: StudyProgress) => {
              const cell = cellOf(p.cell);
              const text = progressText(p);
              if (cell) this.status.set(cell, text);
              const pct = p.total > 0 ? (100 * p.done) / p.total : 0;
              progress.report({ message: `${p.cell}: ${text}`, increment: Math.max(0, pct - last) });
              last = pct >= 100 ? 0 : pct;
            },
            onCellDone: (r) => void this.finish(r, begin(r.name), cellOf(r.name)),
          });
        },
      );
    } catch (e) {
      for (const ex of executions.values()) {
        await ex.replaceOutput(errorOutput((e as Error).message));
        ex.end(false, Date.now());
      }
    } finally {
      this.aborts.delete(key);
      for (const c of notebook.getCells()) this.status.set(c, undefined);
      // Executions the study never reached (cancelled before they started) end without a result.
      for (const [name, ex] of executions) if (!this.ended.has(ex)) { ex.end(undefined, Date.now()); this.ended.add(ex); void name; }
    }
  }

  private readonly ended = new WeakSet<vscode.NotebookCellExecution>();

  private async finish(run: CellRun, ex: vscode.NotebookCellExecution | undefined, cell: vscode.NotebookCell | undefined): Promise<void> {
    if (!ex || this.ended.has(ex)) return;
    this.ended.add(ex);
    if (cell) this.status.set(cell, undefined);
    if (run.status === 'cancelled') {
      // The cell keeps what it had; no partial result is shown as complete.
      ex.end(undefined, Date.now());
      return;
    }
    if (run.status === 'error') {
      await ex.replaceOutput(errorOutput(run.error?.message ?? 'failed', run.error?.hint));
      ex.end(false, Date.now());
      return;
    }
    if (run.output) await ex.replaceOutput(outputToVscode(run.output));
    else if (run.note) await ex.replaceOutput(new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.text(run.note, 'text/markdown')]));
    ex.end(true, Date.now());
  }

  private async studyFor(notebook: vscode.NotebookDocument): Promise<Study> {
    const key = notebook.uri.toString();
    let s = this.studies.get(key);
    if (!s) {
      s = new Study(await this.settings.host(notebook));
      this.studies.set(key, s);
    }
    return s;
  }

  /** Releases a closed notebook's models. */
  async forget(notebook: vscode.NotebookDocument): Promise<void> {
    const key = notebook.uri.toString();
    const s = this.studies.get(key);
    this.studies.delete(key);
    await s?.dispose();
  }

  dispose(): void {
    this.controller.dispose();
    this.status.dispose();
    for (const s of this.studies.values()) void s.dispose();
    this.studies.clear();
  }
}

function progressText(p: StudyProgress): string {
  const eta = p.etaSeconds !== undefined && p.done < p.total ? `, ${formatSeconds(p.etaSeconds)} left` : '';
  return `${p.done}/${p.total}${eta}${p.message ? ` (${p.message})` : ''}`;
}

function errorOutput(message: string, hint?: string): vscode.NotebookCellOutput {
  const err = new Error(hint ? `${message}\n\nWhat to do: ${hint}` : message);
  err.name = 'Knobe Lab';
  err.stack = undefined;
  return new vscode.NotebookCellOutput([vscode.NotebookCellOutputItem.error(err)]);
}

/** Folder of the notebook, for relative model paths (untitled notebooks: the first workspace folder). */
export function notebookDir(notebook: vscode.NotebookDocument): string {
  if (notebook.uri.scheme === 'file') return dirname(notebook.uri.fsPath);
  return vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd();
}
