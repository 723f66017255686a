import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../src/core/format/parser.js';
import { entry, knobeCells, LineIndex, type KnobeCell } from '../../../src/core/format/nodes.js';

/** A document's cells as short strings: `md`, `md%%`, `pair:main`, `output!`, with `…` if unclosed. */
function shape(text: string): string[] {
  return parse(text).cells.map((c) => {
    if (c._type === 'markdown') return c.breakBefore ? `md%%:${text.slice(c.start, c.end)}` : `md:${text.slice(c.start, c.end)}`;
    if (c._type === 'orphan-output') return `orphan:${c.block.name._type === 'word' ? c.block.name.text : '?'}`;
    const name = c.name._type === 'word' ? c.name.text : '?';
    return `${c.kind ?? '!' + (c.kindWord._type === 'word' ? c.kindWord.text : '')}:${name}${c.close._type === 'missing' ? '…' : ''}${c.output ? '+out' : ''}`;
  });
}
const is = (text: string, expected: string[]) => assert.deepEqual(shape(text), expected, JSON.stringify(text));
const cell = (text: string, i = 0): KnobeCell => knobeCells(parse(text))[i];

test('cells of a document', () => {
  is('', []);
  is('%knobe 2\n', []);
  is('# Title', ['md:# Title']);
  is('\n\n', ['md:']);
  is('# A\n\n%%\n\n# B\n', ['md:# A', 'md%%:# B']);
  is('%%\n# B', ['md%%:# B']);
  is('# A\n%%\n%%\n', ['md:# A', 'md%%:', 'md%%:']);
  is('::: pair main\n:::\n\n\n::: ratings r\n:::\n', ['pair:main', 'ratings:r']);
  is('Intro\n::: pair main\n:::\nOutro', ['md:Intro', 'pair:main', 'md:Outro']);
  is('::: pair main\nx: 1\n', ['pair:main…']);
  is('::: pair main\n::: ratings r\n:::', ['pair:main…', 'ratings:r']);
  is('::: widget w\n:::', ['!widget:w']);
  is('::: pair\n:::', ['pair:?']);
  is('prose\n:::\nmore', ['md:prose\n:::\nmore']);
});

test('output blocks attach to the cell above of the same name', () => {
  const out = '::: output r\nkind: stats\nhash: h\nprovenance: {"tool":"t","date":"d","models":[]}\ntests: []\ncorrection: holm\n:::';
  is(`::: stats r\n:::\n\n${out}`, ['stats:r+out']);
  is(`::: stats r\n:::\n${out}`, ['stats:r+out']);
  is(`::: stats q\n:::\n${out}`, ['stats:q', 'orphan:r']);
  is(`::: stats r\n:::\ntext\n${out}`, ['stats:r', 'md:text', 'orphan:r']);
  is(out, ['orphan:r']);
  is(`::: stats r\n:::\n${out}\n${out}`, ['stats:r+out', 'orphan:r']);
  is(`::: stats r\n${out}`, ['stats:r…', 'orphan:r']);
});

test('entries fold continuation lines', () => {
  const c = cell('::: scenarios s\nquestion: How\n  intentionally\n\n  really?\nscale: 0..4\n:::');
  assert.equal(entry(c, 'question')!.value, 'How intentionally\nreally?');
  assert.equal(entry(c, 'scale')!.value, '0..4');
  assert.equal(entry(c, 'answer'), undefined);
  const t = '::: pair p\nsystem:\n  be brief\n:::';
  const e = entry(cell(t), 'system')!;
  assert.equal(e.value, 'be brief');
  assert.equal(t.slice(e.valueSpan.start, e.valueSpan.end), 'be brief');
});

test('a value written `|` keeps the line breaks of the indented lines below it', () => {
  const t = '::: scenarios s\ntemplate: |\n  {vignette}\n    {question}\n\n  Answer with {scale}.  \n  {answer}\n\nscale: 0..4\n:::';
  const e = entry(cell(t), 'template')!;
  // Common indentation and trailing blanks go; deeper indentation and blank lines inside stay.
  assert.equal(e.value, '{vignette}\n  {question}\n\nAnswer with {scale}.\n{answer}');
  assert.equal(t.slice(e.valueSpan.start, e.valueSpan.end), '{vignette}\n    {question}\n\n  Answer with {scale}.  \n  {answer}');
  assert.equal(entry(cell(t), 'scale')!.value, '0..4');
  assert.equal(entry(cell('::: scenarios s\ntemplate: |\n:::'), 'template')!.value, '');
  // Only a value that is `|` alone opens a block.
  assert.equal(entry(cell('::: scenarios s\nquestion: a | b\n  c\n:::'), 'question')!.value, 'a | b c');
});

test('items: names, labels, text and the question override', () => {
  const t = '::: scenarios s\nquestion: Q?\nitem a\n  The {bad|good} one\n  goes on.\n  question: Why {x|y}?\nitem b positive\n  Plain.\n# note\nitem c\n:::';
  const c = cell(t);
  assert.deepEqual(
    c.items.map((i) => [i.name._type === 'word' ? i.name.text : '?', i.label?.text, i.text, i.question?.value]),
    [['a', undefined, 'The {bad|good} one goes on.', 'Why {x|y}?'], ['b', 'positive', 'Plain.', undefined], ['c', undefined, '', undefined]],
  );
  assert.equal(c.comments.length, 1);
  const q = c.items[0].question!;
  assert.equal(t.slice(q.valueSpan.start, q.valueSpan.end), 'Why {x|y}?');
  const a = c.items[0];
  assert.equal(t.slice(a.textSpan.start, a.textSpan.end), 'The {bad|good} one\n  goes on.');
});

test('version 1 reads models as pair with pretrained / finetuned keys', () => {
  const doc = parse('%knobe 1\n::: models m\nbase: demo:pretrained\ntuned: demo:finetuned\n:::');
  assert.equal(doc.version, 1);
  const c = knobeCells(doc)[0];
  assert.equal(c.kind, 'pair');
  assert.deepEqual(c.entries.map((e) => [e.key.text, e.name]), [['base', 'pretrained'], ['tuned', 'finetuned']]);
  assert.equal(knobeCells(parse('%knobe 2\n::: models m\n:::'))[0].kind, undefined);
});

test('the parser never throws and keeps every byte', () => {
  const nasty = ['\0\0\0', '\r', '\r\r\n\n', '\uFEFF', '\uFEFF::: pair x', '::: ', ':::\t', '\ud800', '%knobe', '%knobe \0', '::: output', '::: output x\n[', 'item', '::: s s\nitem\n  question:',
    // Long runs that a backtracking pattern would chew on.
    `::: pair a\nprompt: a${' '.repeat(5000)}x\n:::`, `%knobe 2${' '.repeat(5000)}x`, `::: scenarios s\nanchors: 0${' '.repeat(5000)}x\nitem a\n  ${'{'.repeat(5000)}\n:::`];
  for (const t of nasty) {
    const doc = parse(t);
    let s = doc.header ? t.slice(doc.header.span.start, doc.header.span.end) : '';
    for (const c of doc.cells) s += t.slice(c.span.start, c.span.end);
    assert.equal(s, t, JSON.stringify(t));
  }
});

test('line index gives 1-based lines and columns for every line break style', () => {
  const li = new LineIndex('ab\ncd\r\nef\rg');
  const at = (o: number) => Object.values(li.position(o));
  assert.deepEqual([at(0), at(1), at(3), at(7), at(10), at(11), at(99)], [[1, 1], [1, 2], [2, 1], [3, 1], [4, 1], [4, 2], [4, 2]]);
  assert.equal(li.offset(3, 2), 8);
  assert.equal(li.lineCount, 4);
});
