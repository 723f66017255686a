// VS Code adapter for the language features of core/format/language.ts: diagnostics for `.knobe`
// text files and for the Knobe cells of notebooks, completions and hovers. Only positions and
// types are converted here.
import * as vscode from 'vscode';
import { cellDiagnostics, complete, diagnose, hover, joinCells, type Completion } from '../core/format/language.js';
import type { Diagnostic } from '../core/format/diagnostics.js';
import type { NotebookMeta } from '../core/format/notebook.js';
import { NOTEBOOK_TYPE } from './serializer.js';

const SEVERITY: Record<Diagnostic['severity'], vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
};

const KIND: Record<Completion['kind'], vscode.CompletionItemKind> = {
  kind: vscode.CompletionItemKind.Class,
  key: vscode.CompletionItemKind.Property,
  value: vscode.CompletionItemKind.EnumMember,
  reference: vscode.CompletionItemKind.Reference,
  keyword: vscode.CompletionItemKind.Keyword,
};

function toVscode(doc: vscode.TextDocument, d: Diagnostic): vscode.Diagnostic {
  const range = new vscode.Range(doc.positionAt(d.start), doc.positionAt(Math.max(d.end, d.start)));
  const out = new vscode.Diagnostic(range, d.message, SEVERITY[d.severity]);
  out.code = d.code;
  out.source = 'knobe';
  return out;
}

/** The notebook holding a cell document, its Knobe version and the cell's index. */
export function notebookOf(doc: vscode.TextDocument): { nb: vscode.NotebookDocument; index: number } | undefined {
  for (const nb of vscode.workspace.notebookDocuments) {
    if (nb.notebookType !== NOTEBOOK_TYPE) continue;
    const index = nb.getCells().findIndex((c) => c.document === doc);
    if (index >= 0) return { nb, index };
  }
  return undefined;
}

function cellsOf(nb: vscode.NotebookDocument) {
  return nb.getCells().map((c) => ({ kind: c.kind === vscode.NotebookCellKind.Markup ? ('markup' as const) : ('code' as const), value: c.document.getText() }));
}

const versionOf = (nb: vscode.NotebookDocument) => (nb.metadata?.knobe as NotebookMeta | undefined)?.version ?? 2;

/** The text the core functions see for a document, and where the document sits in it. */
export function context(doc: vscode.TextDocument): { text: string; base: number } {
  const owner = notebookOf(doc);
  if (!owner) return { text: doc.getText(), base: 0 };
  const { text, slices } = joinCells(cellsOf(owner.nb), versionOf(owner.nb));
  return { text, base: slices[owner.index]?.start ?? 0 };
}

export function registerLanguageFeatures(): vscode.Disposable {
  const collection = vscode.languages.createDiagnosticCollection('knobe');
  const timers = new Map<string, ReturnType<typeof setTimeout>>();

  const refreshNotebook = (nb: vscode.NotebookDocument) => {
    if (nb.notebookType !== NOTEBOOK_TYPE) return;
    const cells = nb.getCells();
    const per = cellDiagnostics(cellsOf(nb), versionOf(nb));
    cells.forEach((c, i) => collection.set(c.document.uri, per[i].map((d) => toVscode(c.document, d))));
  };
  const refreshText = (doc: vscode.TextDocument) => {
    if (doc.languageId !== 'knobe' || doc.uri.scheme === 'vscode-notebook-cell') return;
    collection.set(doc.uri, diagnose(doc.getText()).map((d) => toVscode(doc, d)));
  };
  // Typing fires many changes; diagnostics follow a moment after the last one.
  const later = (key: string, f: () => void) => {
    clearTimeout(timers.get(key));
    timers.set(key, setTimeout(() => {
      timers.delete(key);
      f();
    }, 150));
  };

  const selector: vscode.DocumentSelector = { language: 'knobe' };
  const disposables: vscode.Disposable[] = [
    collection,
    vscode.workspace.onDidOpenNotebookDocument(refreshNotebook),
    vscode.workspace.onDidChangeNotebookDocument((e) => later(e.notebook.uri.toString(), () => refreshNotebook(e.notebook))),
    vscode.workspace.onDidCloseNotebookDocument((nb) => nb.getCells().forEach((c) => collection.delete(c.document.uri))),
    vscode.workspace.onDidOpenTextDocument(refreshText),
    vscode.workspace.onDidChangeTextDocument((e) => {
      const owner = notebookOf(e.document);
      if (owner) later(owner.nb.uri.toString(), () => refreshNotebook(owner.nb));
      else later(e.document.uri.toString(), () => refreshText(e.document));
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme !== 'vscode-notebook-cell') collection.delete(doc.uri);
    }),
    vscode.languages.registerCompletionItemProvider(selector, {
      provideCompletionItems(doc, position) {
        const { text, base } = context(doc);
        return complete(text, base + doc.offsetAt(position)).map((c) => {
          const item = new vscode.CompletionItem(c.label, KIND[c.kind]);
          item.insertText = c.insertText;
          item.detail = c.detail;
          if (c.documentation) item.documentation = new vscode.MarkdownString(c.documentation);
          item.range = new vscode.Range(doc.positionAt(c.start - base), doc.positionAt(c.end - base));
          return item;
        });
      },
    }, ' ', ':', ','),
    vscode.languages.registerHoverProvider(selector, {
      provideHover(doc, position) {
        const { text, base } = context(doc);
        const h = hover(text, base + doc.offsetAt(position));
        if (!h) return undefined;
        return new vscode.Hover(new vscode.MarkdownString(h.contents), new vscode.Range(doc.positionAt(h.start - base), doc.positionAt(h.end - base)));
      },
    }),
  ];
  vscode.workspace.notebookDocuments.forEach(refreshNotebook);
  vscode.workspace.textDocuments.forEach(refreshText);
  return vscode.Disposable.from(...disposables, { dispose: () => timers.forEach((t) => clearTimeout(t)) });
}
