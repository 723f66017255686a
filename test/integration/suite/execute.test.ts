// Running cells through the Knobe controller: every result cell writes its vendor MIME item with
// the result data plus a Markdown fallback, and the demo pair shows its planted effect.
import * as vscode from 'vscode';
import assert from 'node:assert/strict';
import {
  activateExtension, cellNamed, codeCells, describeRun, openWithKernel, outputItem, outputJson, readText, runCells, scratchCopy, scratchFile, ERROR_MIME,
} from '../support/workbench.js';
import { expectedNotebook, resultKindOf } from '../support/knobeText.js';

const mime = (kind: string) => `application/vnd.knobe.${kind}+json`;

describe('running cells', function () {
  this.timeout(600_000);
  let doc: vscode.NotebookDocument;

  before(async () => {
    await activateExtension();
    const uri = await scratchCopy('tutorial.knobe');
    doc = (await openWithKernel(uri)).notebook;
    await runCells(doc, codeCells(doc), 540_000);
  });

  it('finishes every cell of the tutorial successfully', () => {
    const failed = codeCells(doc).filter((c) => c.executionSummary?.success !== true);
    assert.equal(failed.length, 0, describeRun(failed));
  });

  it('writes application/vnd.knobe.<kind>+json and a Markdown fallback for each result cell', async () => {
    const want = expectedNotebook(await readText(doc.uri));
    for (const [i, cell] of codeCells(doc).entries()) {
      const kind = resultKindOf(want.code[i].kind);
      if (!kind) continue;
      const data = outputJson(cell, mime(kind));
      assert.equal(data.result?.kind, kind, `cell ${want.code[i].name}`);
      assert.match(String(data.hash), /^[0-9a-f]{8,}$/, `cell ${want.code[i].name}: hash`);
      assert.ok(data.provenance?.models?.length === 2, `cell ${want.code[i].name}: provenance names both models`);
      assert.ok(data.provenance.models.every((m: any) => m.synthetic === true), 'demo results are labelled synthetic');
      const md = outputItem(cell, 'text/markdown');
      assert.ok(md && new TextDecoder().decode(md.data).trim().length > 0, `cell ${want.code[i].name}: markdown summary`);
    }
  });

  it('rates every vignette with both models, and the fine-tuned model shows the planted effect', () => {
    const { result } = outputJson(cellNamed(doc, 'baseline'), mime('ratings'));
    assert.equal(result.protocol, 'expected');
    assert.deepEqual(result.scale, ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10']);
    // Six paired items, two conditions, two models.
    assert.equal(result.rows.length, 24);
    for (const row of result.rows) assert.ok(row.expected >= 0 && row.expected <= 10, `rating ${row.expected} of ${row.item}`);
    const delta = (m: string) => result.summary.find((s: any) => s.model === m).delta.estimate;
    assert.ok(delta('finetuned') > delta('pretrained') + 0.5, `Δ finetuned ${delta('finetuned')} vs pretrained ${delta('pretrained')}`);
    assert.ok(Math.abs(delta('pretrained')) < 0.5, `pretrained Δ ${delta('pretrained')}`);
  });

  it('reports sampled ratings with how many answers were parsed', () => {
    const { result } = outputJson(cellNamed(doc, 'sampled'), mime('ratings'));
    assert.equal(result.protocol, 'sample');
    for (const row of result.rows) {
      assert.equal(row.samples, 5);
      assert.ok(row.parsed >= 0 && row.parsed <= 5);
    }
  });

  it('localizes per layer, site and model', () => {
    const { result } = outputJson(cellNamed(doc, 'care'), mime('localization'));
    const sites = new Set(result.rows.map((r: any) => r.site));
    assert.deepEqual([...sites].sort(), ['mlp_out', 'resid_post']);
    assert.deepEqual([...new Set(result.rows.map((r: any) => r.model))].sort(), ['finetuned', 'pretrained']);
    for (const r of result.rows) assert.ok(r.l2 >= 0 && r.cosine >= -1 - 1e-6 && r.cosine <= 1 + 1e-6, JSON.stringify(r));
  });

  it('sweeps one patch per layer and site against both baselines', () => {
    const cell = cellNamed(doc, 'single');
    const { result } = outputJson(cell, mime('sweep'));
    assert.equal(result.direction, 'pretrained->finetuned');
    assert.ok(result.baseline.finetuned > result.baseline.pretrained, JSON.stringify(result.baseline));
    // The sites the cell asks for (docs/format.md: `site`, default resid_post).
    const asked = /^site:\s*(.+)$/m.exec(cell.document.getText())?.[1].split(',').map((x) => x.trim()) ?? ['resid_post'];
    assert.deepEqual([...new Set(result.rows.map((r: any) => r.site))].sort(), [...asked].sort());
    for (const site of asked) {
      const layers = result.rows.filter((r: any) => r.site === site).map((r: any) => r.layers);
      assert.ok(layers.length >= 2 && layers.every((l: number[]) => l.length === 1), `${site}: ${JSON.stringify(layers)}`);
      assert.deepEqual(layers.map((l: number[]) => l[0]), layers.map((_: unknown, i: number) => i), `${site}: every layer once, in order`);
    }
    // Patching the pretrained activations somewhere removes most of the effect.
    assert.ok(Math.max(...result.rows.map((r: any) => r.fractionRemoved)) > 0.5);
  });

  it('finds a smallest layer set removing the asked share', () => {
    const { result } = outputJson(cellNamed(doc, 'smallest'), mime('sweep'));
    assert.ok(result.smallest, 'smallest set reported');
    assert.equal(result.smallest.target, 0.9);
    assert.ok(result.smallest.layers.length >= 1);
  });

  it('runs the statistics cell', () => {
    const { result } = outputJson(cellNamed(doc, 'summary'), mime('stats'));
    assert.equal(result.correction, 'holm');
    assert.ok(result.tests.length >= 2);
    for (const t of result.tests) assert.ok(t.p >= 0 && t.p <= 1 && typeof t.apa === 'string', JSON.stringify(t));
  });

  it('fails a cell whose model path does not exist, naming the path', async () => {
    const text = (await readText(doc.uri)).replace('pretrained: demo:pretrained', 'pretrained: ./models/no-such-model');
    const broken = (await openWithKernel(await scratchFile('bad-model', text))).notebook;
    const ran = [cellNamed(broken, 'demo'), cellNamed(broken, 'basics'), cellNamed(broken, 'baseline')];
    await runCells(broken, ran, 120_000);
    const now = ran.map((c) => broken.cellAt(c.index));
    // The error shows on the cell that failed (the pair, or the ratings cell loading it); the
    // ratings cell gets no result either way.
    const errors = now.flatMap((c) => c.outputs.flatMap((o) => o.items.filter((i) => i.mime === ERROR_MIME)));
    assert.ok(errors.some((e) => /no-such-model/.test(new TextDecoder().decode(e.data))), describeRun(now));
    const baseline = now[2];
    assert.notEqual(baseline.executionSummary?.success, true, describeRun(now));
    assert.equal(outputItem(baseline, mime('ratings')), undefined, 'no result from a failed run');
  });
});
