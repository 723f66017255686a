// What each model receives, shown in the editor: the Show Prompt command opens the prompts of the
// item under the cursor (or a picked one) as a read-only document, and hovering an item shows
// them. The text comes from core/study/show-prompt.ts, which reads tokenizers and chat templates
// but no weights.
import * as vscode from 'vscode';
import { dirname } from 'node:path';
import { itemAt } from '../core/format/language.js';
import { knobeCells, wordText, type KnobeDocument } from '../core/format/nodes.js';
import { parse } from '../core/format/parser.js';
import { StudyError } from '../core/study/errors.js';
import { formatPrompts, promptMarkdown, showPrompts, type PromptHost } from '../core/study/show-prompt.js';
import { context, notebookOf } from './language.js';
import { notebookDir } from './controller.js';
import { NOTEBOOK_TYPE, notebookText } from './serializer.js';

export const PROMPT_SCHEME = 'knobe-prompt';

/** Where relative model folders and the model cache are, for the document a prompt is asked from. */
export type PromptHostFor = (doc: { uri: vscode.Uri; notebook?: vscode.NotebookDocument }) => PromptHost;

/** The notebook text, and the item at the cursor, of the active editor. */
function activeTarget(): { doc: KnobeDocument; item?: string; uri: vscode.Uri; notebook?: vscode.NotebookDocument } | undefined {
  const editor = vscode.window.activeTextEditor;
  if (editor && editor.document.languageId === 'knobe') {
    const owner = notebookOf(editor.document);
    const { text, base } = context(editor.document);
    const doc = parse(text);
    const at = itemAt(doc, base + editor.document.offsetAt(editor.selection.active));
    return { doc, item: at && `${at.set}/${at.item}`, uri: owner?.nb.uri ?? editor.document.uri, notebook: owner?.nb };
  }
  const nb = vscode.window.activeNotebookEditor?.notebook;
  if (nb?.notebookType === NOTEBOOK_TYPE) return { doc: parse(notebookText(nb)), uri: nb.uri, notebook: nb };
  return undefined;
}

export function registerPromptFeatures(hostFor: PromptHostFor): vscode.Disposable {
  const documents = new Map<string, string>();
  const changed = new vscode.EventEmitter<vscode.Uri>();
  let opened = 0;

  const provider: vscode.TextDocumentContentProvider = {
    onDidChange: changed.event,
    provideTextDocumentContent: (uri) => documents.get(uri.toString()) ?? '',
  };

  const showPrompt = async (item?: string): Promise<vscode.TextDocument | undefined> => {
    const target = activeTarget();
    if (!target) {
      void vscode.window.showInformationMessage('Knobe Lab: open a .knobe notebook and put the cursor on an item to see its prompt.');
      return undefined;
    }
    let wanted = item ?? target.item;
    if (!wanted) {
      const items = knobeCells(target.doc)
        .filter((c) => c.kind === 'scenarios')
        .flatMap((c) => c.items.map((i) => `${wordText(c.name)}/${wordText(i.name)}`));
      wanted = await vscode.window.showQuickPick(items, { placeHolder: 'The item whose prompt to show' });
      if (!wanted) return undefined;
    }
    try {
      const shown = await showPrompts(target.doc, { item: wanted }, hostFor(target));
      const uri = vscode.Uri.from({ scheme: PROMPT_SCHEME, path: `/${wanted}.txt`, query: String(++opened) });
      documents.set(uri.toString(), `${formatPrompts(shown, { tokens: true })}\n`);
      const doc = await vscode.workspace.openTextDocument(uri);
      await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
      return doc;
    } catch (e) {
      const hint = e instanceof StudyError && e.hint ? ` (${e.hint})` : '';
      void vscode.window.showErrorMessage(`Knobe Lab: the prompt of ${wanted} cannot be shown: ${(e as Error).message}${hint}`);
      return undefined;
    }
  };

  const hover: vscode.HoverProvider = {
    async provideHover(document, position) {
      const { text, base } = context(document);
      const doc = parse(text);
      const at = itemAt(doc, base + document.offsetAt(position));
      // The `item` keyword has its own documentation (language.ts); the rest of an item shows its prompt.
      const line = document.lineAt(position.line).text;
      if (!at || (/^item(\s|$)/.test(line) && position.character < 4)) return undefined;
      const owner = notebookOf(document);
      try {
        const shown = await showPrompts(doc, { item: `${at.set}/${at.item}` }, hostFor({ uri: owner?.nb.uri ?? document.uri, notebook: owner?.nb }));
        const md = new vscode.MarkdownString(`What the models receive for \`${at.item}\`:\n\n${promptMarkdown(shown)}`);
        return new vscode.Hover(md);
      } catch (e) {
        return new vscode.Hover(new vscode.MarkdownString(`The prompt of \`${at.item}\` cannot be shown: ${(e as Error).message}`));
      }
    },
  };

  return vscode.Disposable.from(
    changed,
    vscode.workspace.registerTextDocumentContentProvider(PROMPT_SCHEME, provider),
    vscode.commands.registerCommand('knobe.showPrompt', showPrompt),
    vscode.languages.registerHoverProvider({ language: 'knobe' }, hover),
    vscode.workspace.onDidCloseTextDocument((d) => {
      if (d.uri.scheme === PROMPT_SCHEME) documents.delete(d.uri.toString());
    }),
  );
}

/** The folder relative model paths start from: the notebook's, or the text file's. */
export function promptBaseDir(doc: { uri: vscode.Uri; notebook?: vscode.NotebookDocument }): string {
  if (doc.notebook) return notebookDir(doc.notebook);
  return doc.uri.scheme === 'file' ? dirname(doc.uri.fsPath) : (vscode.workspace.workspaceFolders?.[0]?.uri.fsPath ?? process.cwd());
}
