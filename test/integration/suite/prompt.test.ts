// The exact text a model receives can be looked at in the editor: Show Prompt on the item under the
// cursor opens it read-only, and hovering an item shows it — the scale and its anchors included.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { activateExtension, cellNamed, scratchCopy, waitFor } from '../support/workbench.js';

describe('prompts in the editor', function () {
  this.timeout(120_000);
  before(activateExtension);

  it('Show Prompt opens what each model receives for the item under the cursor', async () => {
    const doc = await vscode.workspace.openNotebookDocument(await scratchCopy('chairman.knobe'));
    await vscode.window.showNotebookDocument(doc);
    const cell = cellNamed(doc, 'chairman');
    const editor = await vscode.window.showTextDocument(cell.document);
    const line = cell.document.getText().split('\n').findIndex((l) => l.startsWith('item lake'));
    editor.selection = new vscode.Selection(line + 1, 4, line + 1, 4);
    const shown = (await vscode.commands.executeCommand('knobe.showPrompt')) as vscode.TextDocument | undefined;
    assert.ok(shown, 'a document was opened');
    assert.equal(shown.uri.scheme, 'knobe-prompt');
    const text = shown.getText();
    assert.match(text, /^── lake \(negative\) · pretrained `demo:pretrained` · raw · \d+ tokens ──$/m);
    assert.match(text, /^── lake \(positive\) · finetuned `demo:finetuned` · raw · \d+ tokens ──$/m);
    assert.match(text, /lake water becomes dirtier\.\nHow intentionally did the decision maker bring about the harmful side effect\?\nAnswer with a whole number from 0 to 10\.\n0 = not at all intentionally, 10 = completely intentionally\nAnswer:/);
    // A virtual document of its own scheme: shown read-only, never saved into the workspace.
    assert.equal(shown.isUntitled, false);
    assert.ok(vscode.window.visibleTextEditors.some((e) => e.document === shown), 'shown beside the notebook');
  });

  it('hovering an item shows its prompt', async () => {
    const doc = await vscode.workspace.openNotebookDocument(await scratchCopy('chairman.knobe'));
    await vscode.window.showNotebookDocument(doc);
    const cell = cellNamed(doc, 'chairman');
    const line = cell.document.getText().split('\n').findIndex((l) => l.startsWith('item road'));
    const hovers = await waitFor('a hover with the prompt', async () => {
      const hs = (await vscode.commands.executeCommand('vscode.executeHoverProvider', cell.document.uri, new vscode.Position(line, 7))) as vscode.Hover[];
      const texts = hs.flatMap((h) => h.contents.map((c) => (typeof c === 'string' ? c : c.value)));
      return texts.some((t) => t.includes('Answer with a whole number')) ? texts : undefined;
    }, 30_000);
    const md = hovers.find((t) => t.includes('Answer with a whole number'))!;
    assert.match(md, /\*\*road \(negative\)\*\* · pretrained and finetuned · raw · \d+ tokens/);
    assert.match(md, /0 = not at all intentionally, 10 = completely intentionally\nAnswer:/);
  });
});
