import * as vscode from 'vscode';
import { registerLanguageFeatures } from './language.js';
import { registerSerializer } from './serializer.js';

// activate() only wires objects together; behaviour lives in the modules it creates.
export function activate(context: vscode.ExtensionContext): void {
  context.subscriptions.push(
    registerSerializer(),
    registerLanguageFeatures(),
    vscode.commands.registerCommand('knobe.newNotebook', async () => {
      const doc = await vscode.workspace.openNotebookDocument('knobe-notebook', new vscode.NotebookData([]));
      await vscode.window.showNotebookDocument(doc);
    }),
  );
}

export function deactivate(): void {}
