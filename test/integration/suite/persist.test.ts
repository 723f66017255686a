// Results are saved into the file below their cell and come back when the file is reopened.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import { activateExtension, cellNamed, describeRun, openWithKernel, outputItem, outputJson, readText, runCells, scratchCopy, scratchFile, touch } from '../support/workbench.js';
import { expectedNotebook } from '../support/knobeText.js';

const RATINGS = 'application/vnd.knobe.ratings+json';

describe('saving results', function () {
  this.timeout(300_000);
  before(activateExtension);
  /** The tutorial with the baseline's result saved, as the first test leaves it. */
  let saved = '';

  it('writes an output block that reopens as the same result', async () => {
    const uri = await scratchCopy('tutorial.knobe');
    const doc = (await openWithKernel(uri)).notebook;
    const original = await readText(uri);
    const cells = [cellNamed(doc, 'demo'), cellNamed(doc, 'basics'), cellNamed(doc, 'baseline')];
    await runCells(doc, cells, 240_000);
    assert.equal(doc.cellAt(cells[2].index).executionSummary?.success, true, describeRun(cells.map((c) => doc.cellAt(c.index))));
    const ran = outputJson(cellNamed(doc, 'baseline'), RATINGS);
    assert.ok(await doc.save(), 'saved');

    const text = await readText(uri);
    saved = text;
    const stored = expectedNotebook(text).code.find((c) => c.name === 'baseline');
    assert.ok(stored?.output, 'an output block below the baseline cell');
    assert.match(stored.output, /^::: output baseline\nkind: "?ratings"?\n/);
    // Only the output block was added below the cell: the rest of the file is untouched.
    const cellEnd = original.indexOf(stored.text) + stored.text.length;
    assert.equal(text.slice(0, cellEnd), original.slice(0, cellEnd));
    assert.ok(text.endsWith(original.slice(cellEnd).replace(/^\n+/, '')), 'text after the cell is kept');
    assert.equal(text.length - original.length >= stored.output.length, true);

    // A different file with the same text, so the editor cannot hand back the open document.
    const reopened = await vscode.workspace.openNotebookDocument(await scratchFile('reopened', text));
    const back = outputJson(cellNamed(reopened, 'baseline'), RATINGS);
    assert.deepEqual(back.result, ran.result);
    assert.equal(back.hash, ran.hash);
    assert.deepEqual(back.provenance, ran.provenance);
    // Saving the reopened notebook unchanged keeps the stored block byte for byte.
    await vscode.window.showNotebookDocument(reopened);
    await touch(reopened.cellAt(0).document);
    assert.ok(await reopened.save());
    assert.equal(await readText(reopened.uri), text);
  });

  it('shows a result edited by hand as edited, keeps it so through a save, and a run replaces it', async () => {
    assert.ok(saved, 'the first test saved a result');
    const edited = saved.replace(/("expected":)(\d[\d.]*)/, (_, key: string, v: string) => `${key}${Number(v) + 1}`);
    assert.notEqual(edited, saved);
    const uri = await scratchFile('edited', edited);
    const doc = (await openWithKernel(uri)).notebook;
    const shown = () => outputJson(cellNamed(doc, 'baseline'), RATINGS);
    assert.equal(shown().integrity, 'edited', 'the renderer is told');
    const markdown = outputItem(cellNamed(doc, 'baseline'), 'text/markdown');
    assert.match(new TextDecoder().decode(markdown!.data), /^> \*\*Edited by hand\*\*/);

    // The cell's own text changes: its output block is written anew, with the checksum as it was.
    const cell = cellNamed(doc, 'baseline');
    const add = new vscode.WorkspaceEdit();
    add.insert(cell.document.uri, new vscode.Position(1, 0), '# looked at by hand\n');
    assert.ok(await vscode.workspace.applyEdit(add));
    assert.ok(await doc.save());
    const reopened = await vscode.workspace.openNotebookDocument(await scratchFile('edited-again', await readText(uri)));
    assert.equal(outputJson(cellNamed(reopened, 'baseline'), RATINGS).integrity, 'edited', 'saving did not launder the edit');

    // Running the cell recomputes it: the result is computed again, and nothing marks it.
    await runCells(doc, [cellNamed(doc, 'baseline')], 240_000);
    assert.equal(shown().integrity, undefined, describeRun([cellNamed(doc, 'baseline')]));
  });
});
