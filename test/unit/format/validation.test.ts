import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../src/core/format/parser.js';
import { validate } from '../../../src/core/format/validation.js';
import { CODES } from '../../../src/core/format/diagnostics.js';

const H = '%knobe 2\n';
const PAIR = '::: pair main\npretrained: demo:pretrained\nfinetuned: demo:finetuned\n:::\n';
const SET = '::: scenarios s\nquestion: Q {a|b}?\nitem one\n  The {x|y}.\n:::\n';

/** Diagnostics as `line:column code`, in text order. */
function found(text: string): string[] {
  return validate(parse(text)).map((d) => `${d.line}:${d.column} ${d.code}`);
}
const is = (text: string, expected: string[]) => assert.deepEqual(found(text), expected, text);
/** The same, for a body placed in a valid file after a pair and a scenario set (lines 11+). */
const inFile = (body: string, expected: string[]) => is(H + PAIR + SET + body, expected);

test('a valid file has no diagnostics', () => {
  is(H + PAIR + SET + '::: ratings r\nscenarios: s\n:::\n::: sweep w\nratings: r\ntop: 2 of w2\n:::\n::: sweep w2\nratings: r\n:::\n::: stats t\nratings: r, r\n:::\n', []);
});

test('header', () => {
  is('# Title\n', ['1:1 missing-header']);
  is('%knobe 9\n', ['1:8 unknown-version']);
  is('%knobe two\n', ['1:8 unknown-version']);
  is('%knobe\n', ['1:1 unknown-version']);
  is('%knobe 2 beta\n', ['1:10 stray-text']);
  is('%knobe 1\n', []);
});

test('fences and names', () => {
  is(H + '::: pair main\npretrained: demo:pretrained\nfinetuned: demo:finetuned\n', ['2:1 unterminated-cell']);
  is(H + '::: chart c\n:::\n', ['2:5 unknown-cell-kind']);
  is(H + '::: models m\n:::\n', ['2:5 unknown-cell-kind']);
  is(H + '::: stats\nratings: x\n:::\n', ['2:5 invalid-name', '3:10 unknown-reference']);
  is(H + PAIR + '::: pair main x\npretrained: demo:pretrained\nfinetuned: demo:finetuned\n:::\n', ['6:10 duplicate-name', '6:15 stray-text']);
  is(H + '::: pair a.b\npretrained: ./m\nfinetuned: ./n\n:::\n', ['2:10 invalid-name']);
  is(H + ':::\n', ['2:1 stray-text']);
});

test('keys', () => {
  is(H + '::: pair p\npretrained: ./a\nfinetuned: ./b\ncolor: red\n:::\n', ['5:1 unknown-key']);
  is(H + '::: pair p\npretrained: ./a\nfinetuned: ./b\nprompt: raw\nprompt: chat\n:::\n', ['6:1 duplicate-key']);
  is(H + '::: pair p\npretrained: ./a\n:::\n', ['2:1 missing-key']);
  is(H + '::: pair p\npretrained: ./a\nfinetuned: ./b\nwhat is this\n:::\n', ['5:1 stray-text']);
  is(H + '::: pair p\n  floating\npretrained: ./a\nfinetuned: ./b\n:::\n', ['3:3 stray-text']);
});

test('values', () => {
  is(H + '::: pair p\npretrained: somewhere\nfinetuned: hf:org/name@v1.0\n:::\n', ['3:13 bad-value']);
  is(H + '::: pair p\npretrained: ./a\nfinetuned: ./b\nprompt: fancy\n:::\n', ['5:9 bad-value']);
  inFile('::: ratings r\nscenarios: s\nsamples: 0\n:::\n', ['13:10 bad-range']);
  inFile('::: ratings r\nscenarios: s\nsamples: lots\n:::\n', ['13:10 bad-value']);
  inFile('::: ratings r\nscenarios: s\ntemperature: 1.2..0.8\n:::\n', ['13:14 bad-range']);
  inFile('::: ratings r\nscenarios: s\ntop-p: 1.5\n:::\n', ['13:8 bad-range']);
  inFile('::: ratings r\nscenarios: s\nmodels: pretrained, teacher\n:::\n', ['13:9 bad-value']);
  inFile('::: ratings r\nscenarios: s\nseed:\n:::\n', ['13:6 bad-value']);
  inFile('::: localize l\nscenarios: s\nsite: resid_post, embed\npositions: "the lake"\n:::\n', ['13:7 bad-value']);
  inFile('::: localize l\nscenarios: s\npositions: first\n:::\n', ['13:12 bad-value']);
  inFile('::: ratings r\nscenarios: s\n:::\n::: sweep w\nratings: r\nlayers: 9..4\n:::\n', ['16:9 bad-range']);
  inFile('::: ratings r\nscenarios: s\n:::\n::: sweep w\nratings: r\nsets: 3+x\ndirection: up\nmix: 2\n:::\n', ['16:7 bad-value', '17:12 bad-value', '18:6 bad-range']);
  inFile('::: ratings r\nscenarios: s\n:::\n::: sweep w\nratings: r\ntop: three of w\n:::\n', ['16:6 bad-value']);
  inFile('::: stats t\nratings: r,\ntests: welch, magic\n:::\n', ['12:10 bad-value', '13:8 bad-value']);
});

test('scales and anchors', () => {
  const set = (lines: string) => H + `::: scenarios s\nquestion: Q?\n${lines}\nitem a negative\n  A.\nitem b positive\n  B.\n:::\n`;
  is(set('scale: 5..5'), ['4:8 scale-without-answers']);
  is(set('scale: Yes'), ['4:8 scale-without-answers']);
  is(set('scale:'), ['4:7 bad-value']);
  is(set('scale: Yes, No, Yes'), ['4:8 bad-value']);
  is(set('scale: 10..0'), ['4:8 bad-range']);
  is(set('scale: 0..4\nanchors: 0 = never, 4 = always, sometimes'), []);
  is(set('scale: 0..4\nanchors: 0 = never, 7 = always'), ['5:10 bad-value']);
  is(set('anchors: just words'), ['4:10 bad-value']);
});

test('a value the format no longer has is a warning naming what to write, and reads as its replacement', () => {
  inFile('::: ratings r\nscenarios: s\nprotocol: choice\n:::\n', ['13:11 obsolete-value']);
  const d = validate(parse(H + PAIR + SET + '::: ratings r\nscenarios: s\nprotocol: choice\n:::\n')).find((x) => x.code === 'obsolete-value')!;
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /`protocol: expected`/);
});

test('prompt templates: unknown and missing slots, where they are', () => {
  const set = (template: string) => H + `::: scenarios s\nquestion: Q?\n${template}\nitem a\n  {x|y}\n:::\n`;
  is(set('template: {vignette} {question} {answer}'), []);
  is(set('template: {vignette} {question} {scales} {answer}'), ['4:33 unknown-slot']);
  is(set('template: {vignette} {answer}'), ['4:11 missing-slot']);
  is(set('template: {vignette} {answer} {question}'), ['4:11 missing-slot']);
  // In a block, a slot is located on its own line.
  is(set('template: |\n  {vignette}\n  {question}\n  Rate it on {the scale}.\n  {answer}'), ['7:14 unknown-slot']);
  is(set('template: |\n  {vignette}\n  {answer}'), ['5:3 missing-slot']);
  is(set('template: |'), ['4:11 bad-value']);
});

test('references', () => {
  inFile('::: ratings r\nscenarios: nope\n:::\n', ['12:12 unknown-reference']);
  inFile('::: ratings r\nscenarios: main\n:::\n', ['12:12 unknown-reference']);
  inFile('::: ratings r\nscenarios: s\npair: s\n:::\n', ['13:7 unknown-reference']);
  inFile('::: ratings r\nscenarios: s\n:::\n::: sweep w\nratings: r\ntop: 3 of r\n:::\n', ['16:6 unknown-reference']);
  inFile('::: ratings r\nscenarios: s\n:::\n::: sweep w\nratings: r\ntop: 3 of w\n:::\n', ['16:6 unknown-reference']);
  inFile('::: stats t\nratings: r, s\n:::\n', ['12:10 unknown-reference', '12:10 unknown-reference']);
  is(H + SET + '::: ratings r\nscenarios: s\n:::\n', ['7:1 missing-key']);
  is(H + PAIR + PAIR.replace('main', 'other') + SET + '::: ratings r\nscenarios: s\n:::\n', ['15:1 missing-key']);
});

test('templates and items', () => {
  const set = (items: string, q = 'Q?') => H + `::: scenarios s\nquestion: ${q}\n${items}:::\n`;
  is(set('item a\n  The {x|y|z}.\n'), ['5:7 template-mismatch']);
  is(set('item a\n  The {x} and {p|q}.\n'), ['5:7 template-mismatch']);
  is(set('item a\n  The {x|y.\n'), ['5:7 template-mismatch']);
  is(set('item a\n  The x|y}.\n'), ['5:10 template-mismatch']);
  is(set('item a negative\n  The {x|y}.\n'), ['2:1 template-mismatch', '4:8 template-mismatch']);
  is(set('item a\n  Plain.\n'), ['4:1 template-mismatch']);
  is(set('item a negative\n  A.\nitem b negative\n  B.\nitem c positive\n  C.\n'), ['2:1 template-mismatch']);
  is(set('item a maybe\n  A.\nitem b positive\n  B.\n'), ['2:1 template-mismatch', '4:8 bad-value']);
  is(set('item a\n  {x|y}\nitem a\n  {x|y}\n'), ['6:6 duplicate-name']);
  is(set('item a\n  {x|y}\nitem\n'), ['6:1 invalid-name', '6:1 missing-key']);
  is(set('item a\n  {x|y}\n', 'Q {a}?'), ['3:13 template-mismatch']);
  is(set(''), ['2:1 missing-key']);
  is(H + PAIR + '::: ratings r\nscenarios: main\nitem a\n  {x|y}\n:::\n', ['7:12 unknown-reference', '8:1 stray-text']);
});

test('imbalance is information, not an error', () => {
  const d = validate(parse(H + '::: scenarios s\nquestion: Q?\nitem a negative\n  A.\n:::\n'));
  assert.deepEqual(d.map((x) => [x.code, x.severity]), [['template-mismatch', 'info']]);
});

test('outputs', () => {
  const prov = 'provenance: {"tool":"t","date":"d","models":[]}';
  const ok = `::: output t\nkind: stats\nhash: h\n${prov}\ntests: []\ncorrection: holm\n:::\n`;
  const stats = '::: stats t\nratings: r\n:::\n';
  const rat = '::: ratings r\nscenarios: s\n:::\n';
  inFile(rat + stats + ok, []);
  inFile(rat + ok, ['14:1 orphan-output']);
  inFile(rat + stats + ok.replace('kind: stats', 'kind: chart'), ['18:7 malformed-output']);
  inFile(rat + stats + ok.replace('hash: h\n', ''), ['17:1 malformed-output']);
  inFile(rat + stats + ok.replace('tests: []', 'tests: [1,'), ['21:8 malformed-output']);
  inFile(rat + stats + ok.replace('tests: []', 'tests: [\n  1\n'), ['21:8 malformed-output']);
  inFile(rat + stats + ok.replace('kind', 'stray words\nkind'), ['18:1 malformed-output']);
  inFile(rat + stats + ok.slice(0, -4), ['17:1 unterminated-cell']);
  // A checksum that does not match the content: edited by hand.
  inFile(rat + stats + ok.replace('hash: h\n', 'hash: h\nchecksum: 0123456789abcdef\n'), ['20:1 edited-output']);
});

test('every code is produced by some input above', () => {
  // Keeps the table honest: a code nobody can trigger would be dead weight in the contract.
  const inputs = [
    '# x', '%knobe 9', H + '::: pair p\n', H + '::: chart c\n:::', H + '::: pair a.b\n:::', H + PAIR + PAIR, H + '::: pair p\nx: 1\n:::',
    H + '::: pair p\nprompt: raw\nprompt: raw\n:::', H + '::: scenarios s\ntemplate: {vignette} {x}\n:::', H + '::: scenarios s\nscale: 1..1\n:::', H + '::: scenarios s\nscale: 2..1\n:::',
    H + '::: pair p\nprompt: x\n:::', H + '::: ratings r\nscenarios: q\n:::', H + '::: scenarios s\nitem a\n  {x}\n:::',
    H + '::: output o\n:::', H + '::: stats o\n:::\n::: output o\nkind: x\n:::', H + ':::', H + '::: ratings r\nprotocol: choice\n:::',
    H + '::: stats o\n:::\n::: output o\nkind: stats\nhash: h\nchecksum: abc\nprovenance: {"tool":"t","date":"d","models":[]}\n:::',
  ];
  const seen = new Set(inputs.flatMap((t) => validate(parse(t)).map((d) => d.code)));
  assert.deepEqual(CODES.filter((c) => !seen.has(c)), []);
});
