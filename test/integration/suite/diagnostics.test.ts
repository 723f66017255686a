// A broken cell is flagged on the cell's own document, at the line of the problem.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { activateExtension, cellNamed, diagnosticCode, scratchFile, waitFor } from '../support/workbench.js';

const BROKEN = `%knobe 2

::: pair main
pretrained: demo:pretrained
finetuned: demo:finetuned
:::

::: ratings broken
scenarios: nowhere
protocol: expected
:::
`;

describe('diagnostics', function () {
  this.timeout(60_000);
  before(activateExtension);

  it('flags a reference to a missing cell on the broken cell', async () => {
    const doc = await vscode.workspace.openNotebookDocument(await scratchFile('broken', BROKEN));
    await vscode.window.showNotebookDocument(doc);
    const cell = cellNamed(doc, 'broken');
    const diags = await waitFor('diagnostics on the broken cell', () => {
      const d = vscode.languages.getDiagnostics(cell.document.uri);
      return d.length > 0 ? d : undefined;
    }, 30_000);
    const hit = diags.find((d) => diagnosticCode(d) === 'unknown-reference');
    assert.ok(hit, `codes: ${diags.map(diagnosticCode).join(', ')}`);
    assert.equal(hit.range.start.line, 1, 'on the `scenarios:` line of the cell');
    assert.equal(hit.severity, vscode.DiagnosticSeverity.Error);
    assert.deepEqual(vscode.languages.getDiagnostics(cellNamed(doc, 'main').document.uri).filter((d) => d.severity === vscode.DiagnosticSeverity.Error), []);
  });

  it('clears the diagnostic once the cell is fixed', async () => {
    const doc = await vscode.workspace.openNotebookDocument(await scratchFile('fixable', BROKEN));
    await vscode.window.showNotebookDocument(doc);
    const cell = cellNamed(doc, 'broken');
    await waitFor('the first diagnostic', () => vscode.languages.getDiagnostics(cell.document.uri).length > 0, 30_000);
    const edit = new vscode.WorkspaceEdit();
    edit.replace(cell.document.uri, cell.document.lineAt(1).range, 'scenarios: main');
    assert.ok(await vscode.workspace.applyEdit(edit));
    // `main` exists but is a pair, not scenarios: still an error, still the same code.
    await waitFor('the diagnostic to follow the edit', () => {
      const d = vscode.languages.getDiagnostics(cell.document.uri);
      return d.some((x) => diagnosticCode(x) === 'unknown-reference' && x.range.start.line === 1) ? d : undefined;
    }, 30_000);
    const text = cell.document.getText();
    const fixed = new vscode.WorkspaceEdit();
    fixed.replace(cell.document.uri, new vscode.Range(0, 0, cell.document.lineCount, 0), text.replace('scenarios: main', 'pair: main'));
    assert.ok(await vscode.workspace.applyEdit(fixed));
    // Without a scenarios key the cell now misses a required key instead.
    const after = await waitFor('the missing key to be reported', () => {
      const d = vscode.languages.getDiagnostics(cell.document.uri);
      return d.some((x) => diagnosticCode(x) === 'missing-key') ? d : undefined;
    }, 30_000);
    assert.ok(!after.some((x) => diagnosticCode(x) === 'unknown-reference'), 'the old diagnostic is gone');
  });

  it('flags a .knobe file opened as text', async () => {
    const uri = await scratchFile('broken-text', BROKEN);
    const text = await vscode.workspace.openTextDocument(uri);
    if (text.languageId !== 'knobe') await vscode.languages.setTextDocumentLanguage(text, 'knobe');
    const diags = await waitFor('diagnostics on the text document', () => {
      const d = vscode.languages.getDiagnostics(uri);
      return d.length > 0 ? d : undefined;
    }, 30_000);
    const hit = diags.find((d) => diagnosticCode(d) === 'unknown-reference');
    assert.ok(hit, `codes: ${diags.map(diagnosticCode).join(', ')}`);
    assert.equal(hit.range.start.line, 8);
  });
});
