import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from '../../../src/core/format/parser.js';
import { print, upgradeCellText } from '../../../src/core/format/printer.js';
import { cellByName, knobeCells } from '../../../src/core/format/nodes.js';
import { validate } from '../../../src/core/format/validation.js';
import { pairSpec, ratingsSpec } from '../../../src/core/format/specs.js';
import { fromNotebook, toNotebook } from '../../../src/core/format/notebook.js';

const v1 = readFileSync('test/fixtures/format/v1-chairman.knobe', 'utf8');

test('a version-1 file loads into the current model', () => {
  const doc = parse(v1);
  assert.equal(doc.version, 1);
  assert.deepEqual(validate(doc), []);
  assert.deepEqual(knobeCells(doc).map((c) => c.kind), ['pair', 'scenarios', 'ratings']);
  const pair = pairSpec(doc, cellByName(doc, 'main')!);
  assert.deepEqual([pair.pretrained.text, pair.finetuned.text, pair.prompt], ['demo:pretrained', 'demo:finetuned', 'raw']);
  assert.equal(ratingsSpec(doc, cellByName(doc, 'baseline')!).pair, 'main');
  const out = cellByName(doc, 'baseline')!.output?.output;
  assert.equal(out?.hash, '5d41402abc4b');
  assert.equal(out?.result.kind, 'ratings');
  assert.equal((out?.result as { rows: unknown[] }).rows.length, 2);
});

test('unedited, it prints back byte for byte', () => {
  assert.equal(print(parse(v1)), v1);
  assert.equal(fromNotebook(toNotebook(v1)), v1);
});

test('edited, the whole file is written as version 2', () => {
  const nb = toNotebook(v1);
  const md = nb.cells.findIndex((c) => c.kind === 'markup');
  nb.cells[md].value += '\n\nEdited.';
  const v2 = fromNotebook(nb);
  assert.match(v2, /^%knobe 2\n/);
  assert.match(v2, /::: pair main\npretrained: demo:pretrained\nfinetuned: demo:finetuned\nprompt: raw\n:::/);
  assert.match(v2, /::: output baseline\nkind: ratings\n/);
  assert.match(v2, /Edited\./);
  assert.doesNotMatch(v2, /::: (models|result)|^base:|^tuned:/m);
  const doc = parse(v2);
  assert.equal(doc.version, 2);
  assert.deepEqual(validate(doc), []);
  // Same cells and the same stored result as the version-1 reading.
  const before = parse(v1);
  assert.deepEqual(cellByName(doc, 'baseline')!.output!.output, cellByName(before, 'baseline')!.output!.output);
  assert.deepEqual(pairSpec(doc, cellByName(doc, 'main')!), pairSpec(before, cellByName(before, 'main')!));
  // And it is stable from then on.
  assert.equal(fromNotebook(toNotebook(v2)), v2);
});

test('upgrading one cell text', () => {
  assert.equal(upgradeCellText('::: models m\n# the pair\nbase: ./a\ntuned: ./b\n:::'), '::: pair m\n# the pair\npretrained: ./a\nfinetuned: ./b\n:::');
  assert.equal(upgradeCellText('::: ratings r\nscenarios: s\n:::'), '::: ratings r\nscenarios: s\n:::');
  assert.equal(upgradeCellText('::: result r\nkind: [\n:::'), '::: output r\nkind: [\n:::');
});
