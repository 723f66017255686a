// Writing results back into a notebook touches only output blocks: every other byte stays,
// whatever the line endings, stale outputs or unreadable cells around them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CellOutput } from '../../../src/common/results.js';
import { parse } from '../../../src/core/format/parser.js';
import { Study } from '../../../src/core/study/study.js';
import { withOutputs } from '../../../src/core/study/writeback.js';
import { cell, notebook, outputsIn, pairCell, scenarios, smallPair, tmp, withoutOutputs } from './support.js';

const dir = tmp('writeback');
const text = notebook(pairCell('p', './pair/pretrained', './pair/finetuned'), scenarios('set'), cell('ratings', 'rate', 'scenarios: set'), cell('stats', 'test', 'ratings: rate', 'tests: welch'));
let outputs: Map<string, CellOutput>;
let written: string;

before(async () => {
  smallPair(join(dir, 'pair'), [{ layer: 2, site: 'mlp' }]);
  const study = new Study({ cacheDir: join(dir, 'cache'), baseDir: dir });
  try {
    const runs = await study.run(parse(text));
    outputs = new Map(runs.filter((r) => r.output).map((r) => [r.name, r.output!]));
  } finally {
    await study.dispose();
  }
  written = withOutputs(text, outputs);
});
after(() => rmSync(dir, { recursive: true, force: true }));

const only = (name: string) => new Map([[name, outputs.get(name)!]]);

test('write-back cases', () => {
  const cases: [string, string, Map<string, CellOutput>, (out: string, input: string) => void][] = [
    ['no outputs: the text as it was', text, new Map(), (out, input) => assert.equal(out, input)],
    ['the same outputs again: byte for byte', written, outputs, (out, input) => assert.equal(out, input)],
    ['one output: only that block is added', text, only('test'), (out, input) => {
      assert.equal(withoutOutputs(out), input);
      assert.deepEqual([...outputsIn(out)].filter(([, o]) => o).map(([n]) => n), ['test']);
    }],
    ['a new result replaces a stale one, never adds a second', written, new Map([['rate', { ...outputs.get('rate')!, hash: '0123456789abcdef' }]]), (out) => {
      assert.equal(out.split('::: output rate').length, 2);
      assert.equal(outputsIn(out).get('rate')!.hash, '0123456789abcdef');
      assert.deepEqual(outputsIn(out).get('test'), outputsIn(written).get('test'));
    }],
    ['CRLF line endings are kept', text.replace(/\n/g, '\r\n'), outputs, (out) => {
      assert.ok(!/[^\r]\n/.test(out), 'every line break is CRLF');
      assert.equal(out.replace(/\r\n/g, '\n'), written);
    }],
    ['an unreadable cell is kept verbatim', text.replace('::: stats test', '::: bogus thing\nkey value\n:::\n\n::: stats test'), outputs, (out, input) => {
      assert.ok(out.includes('::: bogus thing\nkey value\n:::'));
      assert.equal(withoutOutputs(out), input);
    }],
    ['an output for a cell the file lacks is dropped, not invented', text, new Map([['ghost', outputs.get('rate')!]]), (out, input) => assert.equal(out, input)],
  ];
  for (const [what, input, outs, check] of cases) {
    try {
      check(withOutputs(input, outs), input);
    } catch (e) {
      (e as Error).message = `${what}: ${(e as Error).message}`;
      throw e;
    }
  }
});

test('written outputs decode to the results that were written', () => {
  const back = outputsIn(written);
  for (const [name, out] of outputs) assert.deepEqual(back.get(name), JSON.parse(JSON.stringify(out)), name);
});
