import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromNotebook, toNotebook, type PlainCell } from '../../../src/core/format/notebook.js';

/** Cells as `kind:value` strings. */
const cells = (text: string) => toNotebook(text).cells.map((c) => `${c.kind === 'markup' ? 'md' : 'kn'}:${c.value}`);
const fresh = (kind: 'markup' | 'code', value: string): PlainCell => ({ kind, language: kind === 'markup' ? 'markdown' : 'knobe', value, outputs: [], metadata: {} });

test('text to cells', () => {
  assert.deepEqual(cells('%knobe 2\n\n# T\n\n::: pair p\nx: 1\n:::\n\nMore\n%%\nAgain\n'), ['md:# T', 'kn:::: pair p\nx: 1\n:::', 'md:More', 'md:Again']);
  assert.deepEqual(cells('junk \0 bytes'), ['md:junk \0 bytes']);
  assert.deepEqual(cells('\n\n'), ['md:']);
  assert.deepEqual(cells('::: pair p\nno close'), ['kn:::: pair p\nno close']);
  assert.deepEqual(cells('::: output o\nkind: x\n:::'), ['kn:::: output o\nkind: x\n:::']);
  // An output block that does not decode stays a cell of its own, below its cell.
  assert.deepEqual(cells('::: stats o\n:::\n::: output o\nkind: [\n:::\n'), ['kn:::: stats o\n:::', 'kn:::: output o\nkind: [\n:::']);
  assert.deepEqual(toNotebook('%knobe 1\n').metadata, { header: '%knobe 1\n', version: 1, eol: '\n' });
  assert.deepEqual(toNotebook('x\r\ny').metadata, { header: '', version: 2, eol: '\r\n' });
});

test('a non-empty text never gives an empty notebook without its header', () => {
  for (const t of [' ', '\0', '\r', ':::', '::: ', '%knob', '\uFEFF']) {
    const nb = toNotebook(t);
    assert.ok(nb.cells.length > 0 || nb.metadata.header, JSON.stringify(t));
    assert.equal(fromNotebook(nb), t);
  }
});

test('editing one cell rewrites only that cell', () => {
  const text = '%knobe 2\n\n# Title\n\n::: pair p\npretrained: ./a\nfinetuned: ./b\n:::\n\n\nText   \n';
  const nb = toNotebook(text);
  nb.cells[1].value = '::: pair p\npretrained: ./c\nfinetuned: ./b\n:::';
  assert.equal(fromNotebook(nb), text.replace('./a', './c'));
  nb.cells[2].value = 'New text';
  assert.equal(fromNotebook(nb), text.replace('./a', './c').replace('Text   ', 'New text'));
});

test('new cells, inserted and appended', () => {
  const nb = toNotebook('%knobe 2\n\n# A\n');
  nb.cells.push(fresh('markup', '# B'), fresh('code', '::: pair p\n:::'));
  assert.equal(fromNotebook(nb), '%knobe 2\n\n# A\n%%\n\n# B\n\n::: pair p\n:::\n');
  const empty = { cells: [fresh('markup', '# New')], metadata: { version: 2, eol: '\n' } };
  assert.equal(fromNotebook(empty), '%knobe 2\n\n# New\n');
  assert.equal(fromNotebook({ cells: [], metadata: { version: 2, eol: '\n' } }), '');
  // A last cell without a final line break gets one when a cell is added after it.
  const nb2 = toNotebook('%knobe 2\n::: pair p\n:::');
  nb2.cells.push(fresh('markup', 'End'));
  assert.equal(fromNotebook(nb2), '%knobe 2\n::: pair p\n:::\nEnd\n');
});

test('cells to text to cells', () => {
  const cs = [fresh('markup', '# Study'), fresh('code', '::: pair p\npretrained: ./a\nfinetuned: ./b\n:::'), fresh('markup', 'One'), fresh('markup', 'Two')];
  const text = fromNotebook({ cells: cs, metadata: { version: 2, eol: '\r\n' } });
  const back = toNotebook(text);
  assert.deepEqual(back.cells.map((c) => [c.kind, c.value]), cs.map((c) => [c.kind, c.value]));
  assert.equal(fromNotebook(back), text);
});

test('deleting cells keeps the rest intact', () => {
  const text = '%knobe 2\n\nA\n\n%%\n\nB\n\n::: pair p\n:::\n\nC\n';
  const nb = toNotebook(text);
  nb.cells.splice(1, 1);
  assert.equal(fromNotebook(nb), '%knobe 2\n\nA\n\n::: pair p\n:::\n\nC\n');
  nb.cells.splice(1, 1);
  const t2 = fromNotebook(nb);
  // The blank lines each cell was read with stay with it; a `%%` keeps the two prose cells apart.
  assert.equal(t2, '%knobe 2\n\nA\n\n%%\n\nC\n');
  assert.deepEqual(toNotebook(t2).cells.map((c) => c.value), ['A', 'C']);
});

test('an editor that normalises line breaks in a cell changes nothing', () => {
  const text = '%knobe 2\r\n\r\n::: pair p\r\npretrained: ./a\r\nfinetuned: ./b\r\n:::\r\n';
  const nb = toNotebook(text);
  nb.cells[0].value = nb.cells[0].value.replace(/\r\n/g, '\n');
  assert.equal(fromNotebook(nb), text);
});
