// Cancelling a run stops it and leaves no partial result behind.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { activateExtension, codeCells, openWithKernel, outputItem, scratchCopy, waitFor } from '../support/workbench.js';

describe('cancelling a run', function () {
  this.timeout(300_000);

  it('stops the queued and running cells of a notebook', async () => {
    await activateExtension();
    const doc = (await openWithKernel(await scratchCopy('chairman.knobe'))).notebook;
    const cells = codeCells(doc);
    let started = false;
    let lastChange = Date.now();
    const sub = vscode.workspace.onDidChangeNotebookDocument((e) => {
      if (e.notebook !== doc || !e.cellChanges.some((c) => c.executionSummary || c.outputs)) return;
      started = true;
      lastChange = Date.now();
    });
    try {
      void vscode.commands.executeCommand('notebook.cell.execute', {
        ranges: [{ start: cells[0].index, end: cells[cells.length - 1].index + 1 }],
        document: doc.uri,
      });
      await waitFor('the run to start', () => started, 60_000, 20);
      await vscode.commands.executeCommand('notebook.cancelExecution', doc.uri);
      // Nothing reports "still running" through the API: the run has settled once cells stop
      // changing for a few seconds.
      await waitFor('the cells to stop changing after the cancel', () => Date.now() - lastChange > 3000, 60_000);
      const summaries = cells.map((c) => doc.cellAt(c.index).executionSummary?.success);
      assert.ok(summaries.some((s) => s !== true), `some cell must be cut short; got ${JSON.stringify(summaries)}`);
      for (const c of cells.map((c) => doc.cellAt(c.index))) {
        if (c.executionSummary?.success === true) continue;
        const results = c.outputs.flatMap((o) => o.items).filter((i) => i.mime.startsWith('application/vnd.knobe.'));
        assert.deepEqual(results.map((i) => i.mime), [], `cell ${c.index} was cut short but shows a result`);
      }
    } finally {
      sub.dispose();
    }
  });
});
