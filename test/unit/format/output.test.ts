import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellOutput, RatingsResult, SweepResult } from '../../../src/common/results.js';
import { decodeValue, renderOutputBlock, stableJson } from '../../../src/core/format/output.js';
import { decodeOutputBlock } from '../../../src/core/format/printer.js';
import { parse } from '../../../src/core/format/parser.js';
import { knobeCells } from '../../../src/core/format/nodes.js';
import { fromNotebook, toNotebook } from '../../../src/core/format/notebook.js';

const provenance = {
  tool: '0.1.0', date: '2026-11-30T10:00:00Z', seed: 1, protocol: 'expected', prompt: 'raw' as const,
  models: [{ role: 'finetuned' as const, source: 'demo:finetuned', sha256: 'ab12', architecture: 'llama', synthetic: true }],
};
const ratings: CellOutput<RatingsResult> = {
  hash: '9f2c1e0a7b3d', seconds: 2.5, provenance,
  result: {
    kind: 'ratings', scale: ['0', '1', '2'], protocol: 'expected',
    rows: [
      { model: 'finetuned', item: 'boardroom', condition: 'negative', expected: 1.5, distribution: [0.1, 0.3, 0.6] },
      { model: 'finetuned', item: 'boardroom', condition: 'positive', expected: 0.25, distribution: [0.8, 0.15, 0.05] },
    ],
    summary: [],
  },
};
const sweep: CellOutput<SweepResult> = {
  hash: '12', provenance,
  result: {
    kind: 'sweep', direction: 'pretrained->finetuned', mix: 1, baseline: { pretrained: 0.1, finetuned: 2 },
    rows: [{ site: 'resid_post', layers: [3, 4], label: '3–4', positions: 'last', delta: 0.5, ci: [0.1, 0.9], fractionRemoved: 0.79, fractionCi: [0.6, 0.95] }],
    smallest: { site: 'resid_post', layers: [3], fractionRemoved: 0.8, target: 0.8 },
  },
};

test('an output block is key: JSON lines, arrays one element per line, keys sorted', () => {
  assert.equal(
    renderOutputBlock('baseline', ratings),
    [
      '::: output baseline',
      'kind: ratings',
      'hash: 9f2c1e0a7b3d',
      'seconds: 2.5',
      'provenance: {"date":"2026-11-30T10:00:00Z","models":[{"architecture":"llama","role":"finetuned","sha256":"ab12","source":"demo:finetuned","synthetic":true}],"prompt":"raw","protocol":"expected","seed":1,"tool":"0.1.0"}',
      'protocol: expected',
      'rows: [',
      '  {"condition":"negative","distribution":[0.1,0.3,0.6],"expected":1.5,"item":"boardroom","model":"finetuned"},',
      '  {"condition":"positive","distribution":[0.8,0.15,0.05],"expected":0.25,"item":"boardroom","model":"finetuned"}',
      ']',
      'scale: [',
      '  "0",',
      '  "1",',
      '  "2"',
      ']',
      'summary: []',
      ':::',
    ].join('\n'),
  );
});

test('bare words are strings only when they are not JSON', () => {
  const cases: [string, unknown][] = [['ratings', 'ratings'], ['9f2c', '9f2c'], ['12', 12], ['"12"', '12'], ['true', true], ['null', null], ['1e3', 1000], ['[1, 2]', [1, 2]]];
  for (const [raw, value] of cases) assert.deepEqual(decodeValue(raw), { ok: true, value }, raw);
  assert.equal(decodeValue('{"a":').ok, false);
  assert.equal(decodeValue('two words').ok, false);
  assert.equal(stableJson({ b: 1, a: { d: undefined, c: [2, { z: 1, y: 0 }] } }), '{"a":{"c":[2,{"y":0,"z":1}]},"b":1}');
});

test('stored results decode to what was rendered', () => {
  for (const [name, out] of [['baseline', ratings], ['where', sweep]] as const) {
    for (const eol of ['\n', '\r\n']) {
      const decoded = decodeOutputBlock(renderOutputBlock(name, out, eol));
      assert.deepEqual(decoded, { output: out });
    }
  }
  const hash = { ...sweep, hash: '12' };
  assert.deepEqual(decodeOutputBlock(renderOutputBlock('x', hash)), { output: hash }, 'a numeric-looking hash stays a string');
});

test('a document with an output block re-opens with the same decoded result', () => {
  const cellText = '::: ratings baseline\nscenarios: s\n:::';
  const nb = toNotebook(`%knobe 2\n\n${cellText}\n`);
  nb.cells[0].outputs = [ratings];
  const saved = fromNotebook(nb);
  assert.equal(saved, `%knobe 2\n\n${cellText}\n\n${renderOutputBlock('baseline', ratings)}\n`);
  const cell = knobeCells(parse(saved))[0];
  assert.deepEqual(cell.output?.output, ratings);
  const again = toNotebook(saved);
  assert.deepEqual(again.cells.map((c) => [c.value, c.outputs]), [[cellText, [ratings]]]);
  assert.equal(fromNotebook(again), saved);
  // A re-run with one changed number changes one line.
  const rerun = structuredClone(ratings);
  rerun.result.rows[1].expected = 0.5;
  again.cells[0].outputs = [rerun];
  const diff = fromNotebook(again).split('\n').filter((l, i) => l !== saved.split('\n')[i]);
  assert.deepEqual(diff, ['  {"condition":"positive","distribution":[0.8,0.15,0.05],"expected":0.5,"item":"boardroom","model":"finetuned"}']);
});

test('malformed output blocks are refused with a reason', () => {
  const bad = ['::: output x\nkind: ratings\n:::', '::: output x\nkind: nope\n:::', 'text', '::: output x\nhash: [\n:::'];
  for (const b of bad) assert.ok('error' in decodeOutputBlock(b), b);
});
