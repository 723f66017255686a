import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cellDiagnostics, complete, hover } from '../../../src/core/format/language.js';

const DOC = '%knobe 2\n::: pair main\npretrained: demo:pretrained\nfinetuned: demo:finetuned\n:::\n::: scenarios s\nquestion: Q {a|b}?\nitem x\n  {p|q}\n:::\n::: ratings r\nscenarios: s\n:::\n';

/** Labels offered where `|` stands in the text. */
function offered(textWithCursor: string): string[] {
  const i = textWithCursor.indexOf('|@');
  const text = textWithCursor.slice(0, i) + textWithCursor.slice(i + 2);
  return complete(text, i).map((c) => c.label);
}
const is = (t: string, expected: string[]) => assert.deepEqual(offered(t), expected, t);

test('completions', () => {
  is('::: |@', ['pair', 'scenarios', 'ratings', 'localize', 'sweep', 'stats']);
  is('::: sw|@', ['pair', 'scenarios', 'ratings', 'localize', 'sweep', 'stats']);
  is(DOC + '::: ratings q\n|@\n:::', ['scenarios', 'pair', 'protocol', 'samples', 'temperature', 'top-p', 'top-k', 'max-tokens', 'seed', 'models']);
  is(DOC + '::: ratings q\nscenarios: s\nsam|@\n:::', ['pair', 'protocol', 'samples', 'temperature', 'top-p', 'top-k', 'max-tokens', 'seed', 'models']);
  is(DOC + '::: ratings q\nprotocol: |@\n:::', ['expected', 'sample', 'both']);
  is(DOC + '::: ratings q\nscenarios: |@\n:::', ['s']);
  is(DOC + '::: ratings q\npair: m|@', ['main']);
  is(DOC + '::: sweep w\nsite: resid_post, |@\n:::', ['resid_pre', 'resid_mid', 'attn_out', 'mlp_out']);
  is(DOC + '::: sweep w\ndirection: |@\n:::', ['pretrained -> finetuned', 'finetuned -> pretrained']);
  is(DOC + '::: sweep w\nratings: |@\n:::', ['r']);
  is(DOC + '::: sweep v\n:::\n::: sweep w\ntop: 3 of |@\n:::', ['v']);
  is(DOC + '::: sweep w\ntop: |@\n:::', []);
  is(DOC + '::: stats t\nratings: r, |@\n:::', []);
  is(DOC + '::: pair p\npretrained: |@\n:::', ['demo:pretrained', 'hf:', './']);
  is(DOC + '::: pair p\nfinetuned: |@\n:::', ['demo:finetuned', 'demo:finetuned?edit=4:attn,5:mlp', 'hf:', './']);
  is(DOC + '::: stats t\ntests: anova, |@\n:::', ['welch', 'student', 'paired', 'bootstrap', 'mixed', 'tost', 'wilcoxon', 'mann-whitney']);
  is(DOC + '::: stats t\nequivalence: |@\n:::', ['0.5', 'd 0.3', '-0.5..0.5']);
  is(DOC + '::: stats t\nslopes: |@\n:::', ['version', 'condition', 'family']);
  is(DOC + '::: sweep w\n:::\n::: stats t\nsweeps: |@\n:::', ['w']);
  is('::: scenarios s\n|@\n:::', ['question', 'scale', 'anchors', 'answer', 'template', 'item']);
  is('::: scenarios s\nitem a |@\n:::', ['negative', 'positive']);
  is('# prose |@', []);
  is('::: widget w\n|@\n:::', []);
});

test('slots are offered inside a template, on its first line and in its block', () => {
  const all = ['{vignette}', '{question}', '{scale}', '{anchors}', '{answer}'];
  is('::: scenarios s\ntemplate: {|@\n:::', all);
  is('::: scenarios s\ntemplate: |\n  {vignette}\n  {q|@\n:::', all);
  is('::: scenarios s\nquestion: {|@\n:::', []);
  const text = '::: scenarios s\ntemplate: |\n  Story {vi';
  const c = complete(text, text.length).find((x) => x.label === '{vignette}')!;
  assert.equal(text.slice(c.start, c.end), '{vi');
  assert.equal(c.insertText, '{vignette}');
  assert.match(c.documentation!, /vignette/);
});

test('completion replaces the word being typed', () => {
  const text = DOC + '::: ratings q\nprotocol: sam';
  const c = complete(text, text.length).find((x) => x.label === 'sample')!;
  assert.equal(text.slice(c.start, c.end), 'sam');
  assert.equal(c.insertText, 'sample');
  const k = complete('::: pair p\npro', 14).find((x) => x.label === 'prompt')!;
  assert.deepEqual([k.start, k.end, k.insertText], [11, 14, 'prompt: ']);
  assert.match(k.documentation!, /Default: `raw`/);
});

test('hovers', () => {
  const at = (needle: string, delta = 1) => hover(DOC, DOC.indexOf(needle) + delta);
  assert.match(at('ratings r', 2)!.contents, /How intentional/);
  assert.match(at('pretrained:')!.contents, /pretrained model/);
  assert.match(at('question:')!.contents, /Required/);
  assert.match(at('item x')!.contents, /paired template/);
  const ref = at('scenarios: s', 11)!;
  assert.match(ref.contents, /`scenarios` cell on line 6/);
  assert.equal(DOC.slice(ref.start, ref.end), 's');
  assert.equal(at('Q {a|b}'), undefined);
  const t = '::: scenarios s\ntemplate: |\n  {vignette}\n  Use {scale}.\n  {answer}\n:::';
  const slot = hover(t, t.indexOf('scale}') + 2)!;
  assert.match(slot.contents, /\*\*`\{scale\}`\*\*.*whole number from 0 to 10/s);
  assert.equal(t.slice(slot.start, slot.end), '{scale}');
  assert.match(hover(t, t.indexOf('template') + 2)!.contents, /slots/);
  assert.match(hover('%knobe 1\n::: models m\nbase: ./a\n:::', 23)!.contents, /version 1 spelling of `pretrained`/);
});

test('notebook cell diagnostics resolve references across cells and point into the cell', () => {
  const cells = [
    { kind: 'markup' as const, value: '# Title' },
    { kind: 'code' as const, value: '::: pair main\npretrained: demo:pretrained\nfinetuned: demo:finetuned\n:::' },
    { kind: 'code' as const, value: '::: ratings r\nscenarios: nowhere\npair: main\n:::' },
    { kind: 'code' as const, value: '::: sweep w\nratings: r\nmix: 3' },
  ];
  const per = cellDiagnostics(cells);
  assert.deepEqual(per.map((ds) => ds.map((d) => `${d.line}:${d.column} ${d.code}`)), [[], [], ['2:12 unknown-reference'], ['1:1 unterminated-cell', '3:6 bad-range']]);
  const d = per[2][0];
  assert.equal(cells[2].value.slice(d.start, d.end), 'nowhere');
});
