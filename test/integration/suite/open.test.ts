// Every example opens as a Knobe notebook whose cells match the file.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { activateExtension, exampleFiles, readText, NOTEBOOK_TYPE, codeCells } from '../support/workbench.js';
import { expectedNotebook } from '../support/knobeText.js';

describe('opening example notebooks', () => {
  before(activateExtension);

  it('finds the examples', async () => {
    const names = (await exampleFiles()).map((u) => u.path.split('/').pop());
    for (const n of ['chairman.knobe', 'independent.knobe', 'tutorial.knobe']) assert.ok(names.includes(n), `${n} missing from ${names.join(', ')}`);
  });

  it('opens each example with the Knobe serializer, one code cell per fenced block', async () => {
    for (const uri of await exampleFiles()) {
      const want = expectedNotebook(await readText(uri));
      const doc = await vscode.workspace.openNotebookDocument(uri);
      const file = uri.path.split('/').pop();
      assert.equal(doc.notebookType, NOTEBOOK_TYPE, file);
      const code = codeCells(doc);
      assert.deepEqual(
        code.map((c) => [c.document.languageId, c.document.getText()]),
        want.code.map((c) => ['knobe', c.text]),
        `${file}: code cells`,
      );
      const markup = doc.getCells().filter((c) => c.kind === vscode.NotebookCellKind.Markup);
      assert.equal(markup.length, want.prose.length, `${file}: one markdown cell per stretch of prose`);
      assert.deepEqual(markup.map((c) => c.document.getText().trim()), want.prose, `${file}: prose`);
      assert.ok(markup.every((c) => c.document.languageId === 'markdown'), `${file}: markdown cells`);
      assert.equal(doc.cellCount, code.length + markup.length, `${file}: no other cells`);
    }
  });

  it('keeps cells in file order, prose and code interleaved', async () => {
    const uri = (await exampleFiles()).find((u) => u.path.endsWith('/tutorial.knobe'))!;
    const text = await readText(uri);
    const doc = await vscode.workspace.openNotebookDocument(uri);
    let at = 0;
    for (const cell of doc.getCells()) {
      const firstLine = cell.document.getText().trim().split('\n')[0];
      const found = text.indexOf(firstLine, at);
      assert.ok(found >= 0, `cell ${cell.index} ("${firstLine}") is out of order`);
      at = found + firstLine.length;
    }
  });
});
