import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scan, scanLines, splitLines } from '../../../src/core/format/scanner.js';

/** Tokens of a text as `type:text` strings, the table's right-hand side. */
function tokens(text: string): string[] {
  return scan(text).map((t) => `${t.type}:${text.slice(t.start, t.end)}`);
}
const is = (text: string, expected: string[]) => assert.deepEqual(tokens(text), expected, JSON.stringify(text));
const kinds = (text: string) => scanLines(text).map((l) => l.kind);

test('header line', () => {
  is('%knobe 2', ['header:%knobe', 'version:2']);
  is('%knobe   12  ', ['header:%knobe', 'version:12']);
  is('%knobe', ['header:%knobe']);
  is('%knobe 2 extra words', ['header:%knobe', 'version:2', 'extra:extra words']);
  is('\uFEFF%knobe 2', ['bom:\uFEFF', 'header:%knobe', 'version:2']);
  is('%knobes 2', ['prose:%knobes 2']);
  is('text\n%knobe 2', ['prose:text', 'prose:%knobe 2']);
});

test('fences', () => {
  is('::: pair main\n:::', ['fence-open::::', 'kind:pair', 'name:main', 'fence-close::::']);
  is('::: pair', ['fence-open::::', 'kind:pair']);
  is('::: pair main more text', ['fence-open::::', 'kind:pair', 'name:main', 'extra:more text']);
  is(':::\t sweep\tx  \n:::  ', ['fence-open::::', 'kind:sweep', 'name:x', 'fence-close::::']);
  is(':::pair main', ['prose::::pair main']);
  is(':::', ['fence-close::::']);
  is(' ::: pair main', ['prose: ::: pair main']);
});

test('cell body lines', () => {
  is('::: a b\nkey: value\n:::', ['fence-open::::', 'kind:a', 'name:b', 'key:key', 'value:value', 'fence-close::::']);
  is('::: a b\nkey:\n:::', ['fence-open::::', 'kind:a', 'name:b', 'key:key', 'value:', 'fence-close::::']);
  is('::: a b\ntop-p :  0.9  \n:::', ['fence-open::::', 'kind:a', 'name:b', 'key:top-p', 'value:0.9', 'fence-close::::']);
  is('::: a b\n  more text\n:::', ['fence-open::::', 'kind:a', 'name:b', 'continuation:more text', 'fence-close::::']);
  is('::: a b\n\tmore\n:::', ['fence-open::::', 'kind:a', 'name:b', 'continuation:more', 'fence-close::::']);
  is('::: a b\n # note\n:::', ['fence-open::::', 'kind:a', 'name:b', 'comment: # note', 'fence-close::::']);
  is('::: a b\nitem x negative\n:::', ['fence-open::::', 'kind:a', 'name:b', 'item:item', 'name:x', 'label:negative', 'fence-close::::']);
  is('::: a b\nitem\n:::', ['fence-open::::', 'kind:a', 'name:b', 'item:item', 'fence-close::::']);
  is('::: a b\nitem: 3\n:::', ['fence-open::::', 'kind:a', 'name:b', 'key:item', 'value:3', 'fence-close::::']);
  is('::: a b\nitems x\n:::', ['fence-open::::', 'kind:a', 'name:b', 'stray:items x', 'fence-close::::']);
  is('::: a b\n what\n:::', ['fence-open::::', 'kind:a', 'name:b', 'stray: what', 'fence-close::::']);
  is('::: a b\n\n:::', ['fence-open::::', 'kind:a', 'name:b', 'blank:', 'fence-close::::']);
});

test('output blocks hold key lines and continuations, no comments', () => {
  is('::: output x\nrows: [\n  1\n]\n# no\n:::', [
    'fence-open::::', 'kind:output', 'name:x', 'key:rows', 'value:[', 'continuation:  1', 'continuation:]', 'continuation:# no', 'fence-close::::',
  ]);
});

test('prose and breaks', () => {
  is('# Title\n%%\ntext', ['prose:# Title', 'break:%%', 'prose:text']);
  is('%% ', ['break:%% ']);
  is('%%%', ['prose:%%%']);
  is('key: value', ['prose:key: value']);
});

test('line kinds follow the cell state', () => {
  assert.deepEqual(kinds('a\n::: k n\nx: 1\n:::\nx: 1'), ['prose', 'fence-open', 'entry', 'fence-close', 'prose']);
  assert.deepEqual(kinds(':::\n'), ['stray']);
  assert.deepEqual(kinds(':::\n\n'), ['stray', 'blank']);
  assert.deepEqual(kinds('::: k n\n::: k m\n:::'), ['fence-open', 'fence-open', 'fence-close']);
});

test('every line break style ends a line', () => {
  const spans = (t: string) => splitLines(t).map((l) => [l.start, l.end, l.next]);
  assert.deepEqual(spans('a\nb'), [[0, 1, 2], [2, 3, 3]]);
  assert.deepEqual(spans('a\r\nb'), [[0, 1, 3], [3, 4, 4]]);
  assert.deepEqual(spans('a\rb\r'), [[0, 1, 2], [2, 3, 4]]);
  assert.deepEqual(spans(''), [[0, 0, 0]]);
  assert.deepEqual(spans('\n'), [[0, 0, 1]]);
});
