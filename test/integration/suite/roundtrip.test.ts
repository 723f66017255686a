// Saving an opened notebook writes back exactly the bytes it was read from.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { activateExtension, exampleFiles, readText, scratchFile, touch } from '../support/workbench.js';

describe('serializer round trip through a save', () => {
  before(activateExtension);

  it('saves every example byte for byte', async () => {
    for (const example of await exampleFiles()) {
      const original = await vscode.workspace.fs.readFile(example);
      const copy = await scratchFile('roundtrip', new TextDecoder().decode(original));
      const doc = await vscode.workspace.openNotebookDocument(copy);
      await vscode.window.showNotebookDocument(doc);
      await touch(doc.cellAt(0).document);
      assert.ok(doc.isDirty, 'document is dirty before the save');
      assert.ok(await doc.save(), `saved ${copy.fsPath}`);
      const saved = await vscode.workspace.fs.readFile(copy);
      assert.equal(new TextDecoder().decode(saved), new TextDecoder().decode(original), example.path);
      assert.deepEqual(Buffer.from(saved), Buffer.from(original));
    }
  });

  it('saves an edited cell and reopens it', async () => {
    const [first] = await exampleFiles();
    const copy = await scratchFile('edited', await readText(first));
    const doc = await vscode.workspace.openNotebookDocument(copy);
    await vscode.window.showNotebookDocument(doc);
    const md = doc.getCells().find((c) => c.kind === vscode.NotebookCellKind.Markup);
    assert.ok(md, 'a markdown cell');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(md.document.uri, new vscode.Position(0, 0), 'Edited note.\n\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    assert.ok(await doc.save());
    const text = await readText(copy);
    assert.ok(text.includes('Edited note.\n\n' + md.document.getText().slice('Edited note.\n\n'.length).split('\n')[0]), 'the edit is in the file');
    const reopened = await vscode.workspace.openNotebookDocument(await scratchFile('edited-again', text));
    assert.equal(reopened.cellCount, doc.cellCount);
    assert.deepEqual(reopened.getCells().map((c) => c.document.getText()), doc.getCells().map((c) => c.document.getText()));
  });
});
