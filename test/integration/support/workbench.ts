// Helpers for suites that run inside the extension host and drive the `vscode` API.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';

export const EXTENSION_ID = 'knobe-lab.knobe-lab';
export const NOTEBOOK_TYPE = 'knobe-notebook';
export const CONTROLLER = { id: 'knobe-lab.controller', extension: EXTENSION_ID };
export const ERROR_MIME = 'application/vnd.code.notebook.error';

/** The throwaway workspace folder: a copy of `examples/` that tests may write into. */
export function workspaceRoot(): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the suite needs a workspace folder holding a copy of examples/');
  return folder.uri;
}

export async function exampleFiles(): Promise<vscode.Uri[]> {
  const root = workspaceRoot();
  const entries = await vscode.workspace.fs.readDirectory(root);
  const names = entries
    .filter(([name, type]) => type === vscode.FileType.File && name.endsWith('.knobe') && !name.startsWith('tmp-'))
    .map(([name]) => name)
    .sort();
  assert.ok(names.length > 0, `no .knobe examples in ${root.fsPath}`);
  return names.map((n) => vscode.Uri.joinPath(root, n));
}

export async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

let counter = 0;
/** A fresh file in the workspace, so a test never sees a notebook another test already opened. */
export async function scratchFile(stem: string, text: string): Promise<vscode.Uri> {
  const uri = vscode.Uri.joinPath(workspaceRoot(), `tmp-${stem}-${process.pid}-${Date.now()}-${counter++}.knobe`);
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
  return uri;
}

export async function scratchCopy(example: string): Promise<vscode.Uri> {
  return scratchFile(example.replace(/\.knobe$/, ''), await readText(vscode.Uri.joinPath(workspaceRoot(), example)));
}

export async function activateExtension(): Promise<vscode.Extension<unknown>> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext, `extension ${EXTENSION_ID} is not installed`);
  await ext.activate();
  return ext;
}

/** Opens a notebook in an editor and makes the Knobe controller its kernel. */
export async function openWithKernel(uri: vscode.Uri): Promise<vscode.NotebookEditor> {
  const doc = await vscode.workspace.openNotebookDocument(uri);
  const editor = await vscode.window.showNotebookDocument(doc);
  await vscode.commands.executeCommand('notebook.selectKernel', CONTROLLER);
  return editor;
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs: number, stepMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, stepMs));
  }
}

export function codeCells(doc: vscode.NotebookDocument): vscode.NotebookCell[] {
  return doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Code);
}

/** The code cell whose fence names it `::: kind name`. */
export function cellNamed(doc: vscode.NotebookDocument, name: string): vscode.NotebookCell {
  const cell = codeCells(doc).find((c) => new RegExp(`^:::[ \\t]+\\w+[ \\t]+${name}[ \\t]*$`, 'm').test(c.document.getText().split('\n')[0]));
  assert.ok(cell, `no cell named ${name} in ${doc.uri.fsPath}`);
  return cell;
}

/** Runs the given cells and waits until each has finished (success or not). */
export async function runCells(doc: vscode.NotebookDocument, cells: vscode.NotebookCell[], timeoutMs: number): Promise<void> {
  const before = new Map(cells.map((c) => [c.index, c.executionSummary?.timing?.endTime ?? -1]));
  await vscode.commands.executeCommand('notebook.cell.execute', {
    ranges: cells.map((c) => ({ start: c.index, end: c.index + 1 })),
    document: doc.uri,
  });
  await waitFor(
    `cells ${cells.map((c) => c.index).join(', ')} of ${doc.uri.fsPath} to finish`,
    () => cells.every((c) => finished(doc.cellAt(c.index), before.get(c.index)!)),
    timeoutMs,
  );
}

/** Ended since `endBefore`; a cell a cancelled or failed run never reached ends with no verdict. */
function finished(cell: vscode.NotebookCell, endBefore: number): boolean {
  const end = cell.executionSummary?.timing?.endTime;
  return end !== undefined && end > endBefore;
}

export function outputItem(cell: vscode.NotebookCell, mime: string): vscode.NotebookCellOutputItem | undefined {
  for (const o of cell.outputs) for (const item of o.items) if (item.mime === mime) return item;
  return undefined;
}

export function outputJson(cell: vscode.NotebookCell, mime: string): any {
  const item = outputItem(cell, mime);
  assert.ok(item, `cell ${cell.index} has no ${mime} output; it has ${cell.outputs.flatMap((o) => o.items.map((i) => i.mime)).join(', ') || 'none'}`);
  return JSON.parse(new TextDecoder().decode(item.data));
}

export function diagnosticCode(d: vscode.Diagnostic): string | number | undefined {
  return typeof d.code === 'object' ? d.code.value : d.code;
}

/**
 * Types a character and deletes it: the notebook is dirty with unchanged content, so the save
 * goes through the serializer instead of being skipped.
 */
export async function touch(cell: vscode.TextDocument): Promise<void> {
  const add = new vscode.WorkspaceEdit();
  add.insert(cell.uri, new vscode.Position(0, 0), 'x');
  assert.ok(await vscode.workspace.applyEdit(add), `edit ${cell.uri}`);
  const remove = new vscode.WorkspaceEdit();
  remove.delete(cell.uri, new vscode.Range(0, 0, 0, 1));
  assert.ok(await vscode.workspace.applyEdit(remove), `revert ${cell.uri}`);
}

/** One line per cell about how its last run ended, for assertion messages. */
export function describeRun(cells: readonly vscode.NotebookCell[]): string {
  return cells
    .map((c) => {
      const s = c.executionSummary;
      const errors = c.outputs.flatMap((o) => o.items.filter((i) => i.mime === ERROR_MIME).map((i) => JSON.parse(new TextDecoder().decode(i.data)).message));
      return `${c.document.lineAt(0).text}: success=${s?.success}, order=${s?.executionOrder}, outputs=[${c.outputs.flatMap((o) => o.items.map((i) => i.mime)).join(', ')}]${errors.length ? ` errors=${JSON.stringify(errors)}` : ''}`;
    })
    .join('\n');
}
