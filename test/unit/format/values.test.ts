import { test } from 'node:test';
import assert from 'node:assert/strict';
import { anchors, direction, equivalence, layers, positions, scale, sets, source, top, type Read } from '../../../src/core/format/values.js';
import { template } from '../../../src/core/format/templates.js';

/** `value` when read, else the problem's code. */
const r = <T>(x: Read<T>): T | string => (x.ok ? x.value : `!${x.code}`);

test('scales', () => {
  const cases: [string, unknown][] = [
    ['0..3', ['0', '1', '2', '3']], ['1 .. 2', ['1', '2']], ['-1..1', ['-1', '0', '1']], ['Yes, No', ['Yes', 'No']],
    ['3..3', '!scale-without-answers'], ['Yes', '!scale-without-answers'], ['3..1', '!bad-range'], ['a..b', '!bad-value'],
    ['Yes,,No', '!bad-value'], ['A, B, A', '!bad-value'], ['0..5000', '!bad-range'],
  ];
  for (const [t, v] of cases) assert.deepEqual(r(scale(t)), v, t);
});

test('anchors', () => {
  const s = ['0', '5', '10'];
  const cases: [string, unknown][] = [
    ['0 = not at all, 10 = completely', { 0: 'not at all', 10: 'completely' }],
    ['0 = not at all, really, 10 = fully, 5=half', { 0: 'not at all, really', 10: 'fully', 5: 'half' }],
    ['0 = a = b', { 0: 'a = b' }],
    ['7 = no', '!bad-value'], ['0 = a, 7 = b', '!bad-value'], ['words', '!bad-value'], ['0 =', '!bad-value'], ['0 = a, 0 = b', '!bad-value'],
  ];
  for (const [t, v] of cases) assert.deepEqual(r(anchors(t, s)), v, t);
});

test('layers, positions, sets, top', () => {
  const table: [Read<unknown>, unknown][] = [
    [layers('all'), 'all'], [layers('2..4'), [2, 3, 4]], [layers('3, 5,7'), [3, 5, 7]], [layers('4..2'), '!bad-range'], [layers('-1'), '!bad-range'], [layers('x'), '!bad-value'],
    [positions('last'), { kind: 'last' }], [positions('all'), { kind: 'all' }], [positions('3, 7'), { kind: 'indexes', indexes: [3, 7] }],
    [positions('"the lake"'), { kind: 'phrase', phrase: 'the lake' }], [positions('"'), '!bad-value'], [positions('"a"b"'), '!bad-value'], [positions('first'), '!bad-value'],
    [sets('3+4, 5+6+7'), [[3, 4], [5, 6, 7]]], [sets('3'), [[3]]], [sets('3+'), '!bad-value'],
    [top('3 of where'), { k: 3, cell: 'where' }], [top('0 of w'), '!bad-range'], [top('3 where'), '!bad-value'],
  ];
  table.forEach(([got, v], i) => assert.deepEqual(r(got), v, `row ${i}`));
});

test('model sources and directions', () => {
  const table: [Read<unknown>, unknown][] = [
    [source('demo:pretrained'), { kind: 'demo', role: 'pretrained' }], [source('./m'), { kind: 'local', path: './m' }], [source('/abs/m'), { kind: 'local', path: '/abs/m' }],
    [source('C:\\m'), { kind: 'local', path: 'C:\\m' }], [source('hf:org/name'), { kind: 'hub', id: 'org/name', revision: undefined }],
    [source('hf:org/name@main'), { kind: 'hub', id: 'org/name', revision: 'main' }], [source('hf:'), '!bad-value'], [source('demo:other'), '!bad-value'], [source('models/x'), '!bad-value'],
    [direction('pretrained -> finetuned'), 'pretrained->finetuned'], [direction('finetuned->pretrained'), 'finetuned->pretrained'], [direction('up'), '!bad-value'],
  ];
  table.forEach(([got, v], i) => assert.deepEqual(r(got), v, `row ${i}`));
});

test('templates', () => {
  const cases: [string, string, string, number][] = [
    ['The {harm|help}.', 'The harm.', 'The help.', 0], ['{a|b} and {c|d}', 'a and c', 'b and d', 0], ['{|b}', '', 'b', 0],
    ['plain', 'plain', 'plain', 0], ['{a}', '{a}', '{a}', 1], ['{a|b|c}', '{a|b|c}', '{a|b|c}', 1], ['{a|b', '{a|b', '{a|b', 1], ['a}', 'a}', 'a}', 1], ['{{a|b}', '{a', '{b', 1],
  ];
  for (const [t, neg, pos, problems] of cases) {
    const x = template(t);
    assert.deepEqual([x.expand('negative'), x.expand('positive'), x.problems.length], [neg, pos, problems], t);
  }
});

test('demo sources may name another planted pair', () => {
  const cases: [string, unknown][] = [
    ['demo:finetuned?edit=2:attn,6:mlp', { kind: 'demo', role: 'finetuned', plant: { edits: [{ layer: 2, site: 'attn' }, { layer: 6, site: 'mlp' }] } }],
    ['demo:pretrained?seed=11', { kind: 'demo', role: 'pretrained', plant: { seed: 11 } }],
    ['demo:finetuned?seed=11&edit=3:mlp&strength=1.5', { kind: 'demo', role: 'finetuned', plant: { seed: 11, edits: [{ layer: 3, site: 'mlp' }], strength: 1.5 } }],
    ['demo:finetuned?edit=2:ffn', '!bad-value'], ['demo:finetuned?edit=', '!bad-value'], ['demo:finetuned?colour=red', '!bad-value'],
    ['demo:finetuned?seed=-1', '!bad-range'], ['demo:finetuned?seed=4294967296', '!bad-range'], ['demo:finetuned?strength=0', '!bad-value'],
    ['demo:finetuned?seed=1&seed=2', '!bad-value'],
  ];
  for (const [t, v] of cases) assert.deepEqual(r(source(t)), v, t);
});

test('equivalence bounds: symmetric, a range around 0, or in units of d', () => {
  const cases: [string, unknown][] = [
    ['0.5', { low: -0.5, high: 0.5, unit: 'raw' }], ['-0.3..0.5', { low: -0.3, high: 0.5, unit: 'raw' }],
    ['d 0.3', { low: -0.3, high: 0.3, unit: 'd' }], ['d -0.2 .. 0.4', { low: -0.2, high: 0.4, unit: 'd' }],
    ['0', '!bad-range'], ['-0.5', '!bad-range'], ['0.1..0.5', '!bad-range'], ['d', '!bad-value'], ['half a point', '!bad-value'],
  ];
  for (const [t, v] of cases) assert.deepEqual(r(equivalence(t)), v, t);
});
