// VS Code side of the notebook format: maps the plain cells of core/format/notebook.ts onto
// vscode.NotebookData and back. All decisions about the text live in core, where they are tested.
import * as vscode from 'vscode';
import { mimeFor, RESULT_MIME_TYPES, reviveResult, type CellOutput, type ShownOutput } from '../common/results.js';
import { outputIntegrity } from '../core/format/checksum.js';
import { decodeKnobeText } from '../core/format/encoding.js';
import { fromNotebook, toNotebook, type NotebookMeta, type PlainCell } from '../core/format/notebook.js';
import { summaryMarkdown } from '../core/format/summary.js';

export const NOTEBOOK_TYPE = 'knobe-notebook';

/** A cell output as VS Code shows it; one not as a run wrote it carries why, for the renderer. */
export function outputToVscode(output: CellOutput): vscode.NotebookCellOutput {
  const integrity = outputIntegrity(output);
  const shown: ShownOutput = integrity === 'verified' ? output : { ...output, integrity };
  return new vscode.NotebookCellOutput([
    vscode.NotebookCellOutputItem.json(shown, mimeFor(output.result.kind)),
    vscode.NotebookCellOutputItem.text(summaryMarkdown(output), 'text/markdown'),
  ]);
}

function outputFromVscode(output: vscode.NotebookCellOutput): CellOutput | undefined {
  const item = output.items.find((i) => RESULT_MIME_TYPES.includes(i.mime));
  if (!item) return undefined;
  // The integrity marker is read from the file each time, never stored with the output.
  const { integrity: _, ...stored } = reviveResult(JSON.parse(new TextDecoder().decode(item.data)) as ShownOutput);
  return stored;
}

function plainCell(kind: vscode.NotebookCellKind, value: string, outputs: readonly vscode.NotebookCellOutput[] | undefined, metadata: unknown): PlainCell {
  const markup = kind === vscode.NotebookCellKind.Markup;
  return {
    kind: markup ? 'markup' : 'code',
    language: markup ? 'markdown' : 'knobe',
    value,
    outputs: (outputs ?? []).map(outputFromVscode).filter((o): o is CellOutput => !!o),
    metadata: (metadata as PlainCell['metadata']) ?? {},
  };
}

const metaOf = (m: { [key: string]: unknown } | undefined): NotebookMeta => (m?.knobe as NotebookMeta | undefined) ?? { version: 2, eol: '\n' };

/** The `.knobe` text an open notebook would be saved as (its current, possibly unsaved, cells). */
export function notebookText(notebook: vscode.NotebookDocument): string {
  const cells = notebook.getCells().map((c) => plainCell(c.kind, c.document.getText(), c.outputs, c.metadata));
  return fromNotebook({ cells, metadata: metaOf(notebook.metadata) });
}

export class KnobeSerializer implements vscode.NotebookSerializer {
  deserializeNotebook(content: Uint8Array): vscode.NotebookData {
    // A file that is not UTF-8 is refused rather than silently altered on save.
    const nb = toNotebook(decodeKnobeText(content));
    const data = new vscode.NotebookData(
      nb.cells.map((c) => {
        const cell = new vscode.NotebookCellData(c.kind === 'markup' ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code, c.value, c.language);
        cell.outputs = c.outputs.map(outputToVscode);
        cell.metadata = c.metadata;
        return cell;
      }),
    );
    data.metadata = { knobe: nb.metadata };
    return data;
  }

  serializeNotebook(data: vscode.NotebookData): Uint8Array {
    const cells = data.cells.map((c) => plainCell(c.kind, c.value, c.outputs, c.metadata));
    return new TextEncoder().encode(fromNotebook({ cells, metadata: metaOf(data.metadata) }));
  }
}

export function registerSerializer(): vscode.Disposable {
  return vscode.workspace.registerNotebookSerializer(NOTEBOOK_TYPE, new KnobeSerializer(), { transientOutputs: false });
}
