// Where a notebook's models come from and how inference runs, from the user's settings. The Hub
// token lives in VS Code's secret storage (or HF_TOKEN) and is handed to the download client only.
import * as vscode from 'vscode';
import type { ModelHost } from '../core/study/models.js';
import type { GraphOptimization } from '../core/models/runtime.js';
import { parseMemory } from '../core/study/memory.js';
import { notebookDir, type ControllerSettings } from './controller.js';

export const TOKEN_SECRET = 'knobe.hubToken';

export class Settings implements ControllerSettings {
  constructor(private readonly context: vscode.ExtensionContext) {}

  async host(notebook: vscode.NotebookDocument): Promise<ModelHost> {
    const cfg = vscode.workspace.getConfiguration('knobe', notebook.uri);
    const cache = this.modelCache(notebook.uri);
    const threads = cfg.get<number>('threads') ?? 0;
    const token = (await this.context.secrets.get(TOKEN_SECRET)) ?? process.env.HF_TOKEN;
    const budget = cfg.get<string>('memoryBudget')?.trim();
    return {
      cacheDir: cache,
      baseDir: notebookDir(notebook),
      runtime: { threads: threads > 0 ? threads : undefined, graphOptimization: cfg.get<GraphOptimization>('graphOptimization') ?? 'all' },
      hubEndpoint: cfg.get<string>('hubEndpoint') || undefined,
      hubToken: token || undefined,
      allowDownloads: vscode.workspace.isTrusted,
      device: cfg.get<string>('device') || 'auto',
      // An unreadable budget falls back to the default rather than blocking every run.
      memoryBudget: budget ? parseMemory(budget) : undefined,
    };
  }

  /** The model cache of a notebook or file (read, never written, when only a prompt is shown). */
  modelCache(uri: vscode.Uri): string {
    const cfg = vscode.workspace.getConfiguration('knobe', uri);
    return cfg.get<string>('modelCache')?.trim() || vscode.Uri.joinPath(this.context.globalStorageUri, 'models').fsPath;
  }

  async promptForToken(): Promise<void> {
    const value = await vscode.window.showInputBox({ prompt: 'Hugging Face access token for gated or private models (stored in VS Code secret storage)', password: true, ignoreFocusOut: true });
    if (value === undefined) return;
    if (value.trim() === '') await this.context.secrets.delete(TOKEN_SECRET);
    else await this.context.secrets.store(TOKEN_SECRET, value.trim());
    void vscode.window.showInformationMessage(value.trim() ? 'Knobe Lab: Hub token stored.' : 'Knobe Lab: Hub token removed.');
  }
}
