// An output block carries a checksum of its own content: reformatting leaves it valid, any changed
// value makes the block read as edited, a block without one reads as unverified (not as edited),
// and saving a notebook never launders an edited block into a verified one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellOutput, Integrity, RatingsResult } from '../../../src/common/results.js';
import { outputChecksum, outputIntegrity, withChecksum } from '../../../src/core/format/checksum.js';
import { validate } from '../../../src/core/format/validation.js';
import { fromNotebook, toNotebook } from '../../../src/core/format/notebook.js';
import { renderOutputBlock } from '../../../src/core/format/output.js';
import { parse } from '../../../src/core/format/parser.js';
import { print } from '../../../src/core/format/printer.js';
import { knobeCells } from '../../../src/core/format/nodes.js';

const computed: CellOutput<RatingsResult> = withChecksum({
  hash: '9f2c1e0a7b3d5e6f', seconds: 2.5,
  provenance: {
    tool: '0.1.0', date: '2026-11-30T10:00:00.000Z', seed: 1, protocol: 'expected', prompt: 'raw',
    models: [{ role: 'finetuned', source: 'demo:finetuned', sha256: 'ab12', architecture: 'llama', synthetic: true }],
  },
  result: {
    kind: 'ratings', scale: ['0', '1', '2'], protocol: 'expected',
    rows: [
      { model: 'finetuned', item: 'boardroom', condition: 'negative', expected: 1.5, distribution: [0.1, 0.3, 0.6] },
      { model: 'finetuned', item: 'boardroom', condition: 'positive', expected: 0.25, distribution: [0.8, 0.15, 0.05], outsideMass: Number.NaN },
    ],
    summary: [],
  },
}) as CellOutput<RatingsResult>;

const cellText = '::: ratings baseline\nscenarios: s\n:::';
const file = `%knobe 2\n\n${cellText}\n\n${renderOutputBlock('baseline', computed)}\n\nProse.\n`;

/** What the parser reads from a file whose output block was changed by `edit`, and its diagnostics about output blocks. */
function readBack(edit: (text: string) => string): { integrity: Integrity | 'malformed'; codes: string[] } {
  const text = edit(file);
  const doc = parse(text);
  const out = knobeCells(doc)[0].output?.output;
  return { integrity: out ? outputIntegrity(out) : 'malformed', codes: validate(doc).map((d) => d.code).filter((c) => c.endsWith('-output')) };
}

test('the checksum is written after the hash and read back as written', () => {
  assert.match(file, /\nhash: 9f2c1e0a7b3d5e6f\nchecksum: [0-9a-f]{16}\nseconds: 2.5\nprovenance: /);
  const back = knobeCells(parse(file))[0].output!.output!;
  assert.equal(back.checksum, computed.checksum);
  assert.equal(outputChecksum(back), computed.checksum, 'NaN, stored as null, reads back to the same checksum');
  assert.equal(print(parse(file)), file);
});

test('what an edit to a block does to its integrity', () => {
  const cases: [string, (t: string) => string, Integrity | 'malformed', string[]][] = [
    ['untouched', (t) => t, 'verified', []],
    ['array re-indented and spaces in the JSON', (t) => t.replace('  {"condition":"negative"', '      { "condition" : "negative"'), 'verified', []],
    ['an array written on one line', (t) => t.replace(/scale: \[\n {2}"0",\n {2}"1",\n {2}"2"\n\]/, 'scale: ["0", "1", "2"]'), 'verified', []],
    ['a number written with a trailing zero', (t) => t.replace('"expected":1.5', '"expected":1.50'), 'verified', []],
    ['CRLF line breaks', (t) => t.replace(/\n/g, '\r\n'), 'verified', []],
    ['a rating changed', (t) => t.replace('"expected":1.5', '"expected":1.6'), 'edited', ['edited-output']],
    ['a probability changed', (t) => t.replace('[0.1,0.3,0.6]', '[0.1,0.2,0.7]'), 'edited', ['edited-output']],
    ['a NaN filled in', (t) => t.replace('"outsideMass":null', '"outsideMass":0'), 'edited', ['edited-output']],
    ['the seed in the provenance', (t) => t.replace('"seed":1', '"seed":2'), 'edited', ['edited-output']],
    ['the hash', (t) => t.replace('hash: 9f2c1e0a7b3d5e6f', 'hash: 0000000000000000'), 'edited', ['edited-output']],
    ['the timing', (t) => t.replace('seconds: 2.5', 'seconds: 0.1'), 'edited', ['edited-output']],
    ['a row removed', (t) => t.replace(/,\n {2}\{"condition":"positive"[^\n]*/, ''), 'edited', ['edited-output']],
    ['a field added', (t) => t.replace('protocol: expected\n', 'protocol: expected\nnote: "checked by hand"\n'), 'edited', ['edited-output']],
    ['the checksum itself', (t) => t.replace(/checksum: [0-9a-f]+/, 'checksum: 0123456789abcdef'), 'edited', ['edited-output']],
    ['the checksum removed: not verifiable, not called edited', (t) => t.replace(/checksum: [0-9a-f]+\n/, ''), 'unverified', []],
    ['the checksum not a string', (t) => t.replace(/checksum: [0-9a-f]+/, 'checksum: [1]'), 'malformed', ['malformed-output']],
  ];
  for (const [what, edit, integrity, codes] of cases) {
    const got = readBack(edit);
    assert.equal(got.integrity, integrity, what);
    assert.deepEqual(got.codes, codes, what);
  }
  const d = validate(parse(file.replace('"expected":1.5', '"expected":1.6'))).find((x) => x.code === 'edited-output')!;
  assert.equal(d.severity, 'warning');
  assert.match(d.message, /`baseline`.*edited by hand.*recompute/);
  assert.deepEqual([d.line, d.column], [10, 1], "on the block's checksum line");
});

test('saving a notebook never turns an edited block into a verified one', () => {
  const edited = file.replace('"expected":1.5', '"expected":1.6');
  const nb = toNotebook(edited);
  // The cell's own text is edited in the editor: its output block is written anew from the data.
  nb.cells[0].value = cellText.replace('scenarios: s', 'scenarios: s\nseed: 2');
  const saved = fromNotebook(nb);
  assert.notEqual(saved, edited);
  const out = knobeCells(parse(saved))[0].output!.output!;
  assert.equal(out.result.kind === 'ratings' && out.result.rows[0].expected, 1.6);
  assert.equal(outputIntegrity(out), 'edited');
  // A verified block written anew stays verified; one without a checksum gains none.
  for (const [source, integrity] of [[file, 'verified'], [file.replace(/checksum: [0-9a-f]+\n/, ''), 'unverified']] as const) {
    const again = toNotebook(source);
    again.cells[0].value += '\n';
    assert.equal(outputIntegrity(knobeCells(parse(fromNotebook(again)))[0].output!.output!), integrity);
  }
});

test('the checksum does not depend on key order or on undefined fields', () => {
  const reordered = { checksum: computed.checksum, provenance: computed.provenance, result: { ...computed.result, extra: undefined }, seconds: computed.seconds, hash: computed.hash } as CellOutput;
  assert.equal(outputIntegrity(reordered), 'verified');
  assert.notEqual(outputChecksum({ ...computed, seconds: undefined }), computed.checksum, 'a block without its timing is another block');
});
