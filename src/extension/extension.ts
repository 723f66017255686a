import * as vscode from 'vscode';
import { newNotebook, writeDemoPair } from './commands.js';
import { KnobeController } from './controller.js';
import { registerLanguageFeatures } from './language.js';
import { promptBaseDir, registerPromptFeatures } from './prompt.js';
import { NOTEBOOK_TYPE, registerSerializer } from './serializer.js';
import { Settings } from './settings.js';

// activate() only wires objects together; behaviour lives in the modules it creates.
export function activate(context: vscode.ExtensionContext): void {
  const settings = new Settings(context);
  const controller = new KnobeController(settings);
  context.subscriptions.push(
    registerSerializer(),
    registerLanguageFeatures(),
    registerPromptFeatures((doc) => ({ baseDir: promptBaseDir(doc), cacheDir: settings.modelCache(doc.uri) })),
    controller,
    vscode.notebooks.registerNotebookCellStatusBarItemProvider(NOTEBOOK_TYPE, controller.status),
    vscode.workspace.onDidCloseNotebookDocument((nb) => nb.notebookType === NOTEBOOK_TYPE && controller.forget(nb)),
    vscode.commands.registerCommand('knobe.newNotebook', newNotebook),
    vscode.commands.registerCommand('knobe.writeDemoPair', writeDemoPair),
    vscode.commands.registerCommand('knobe.setHubToken', () => settings.promptForToken()),
  );
}

export function deactivate(): void {}
