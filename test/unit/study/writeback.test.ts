// Writing results back into a notebook touches only output blocks: every other byte stays,
// whatever the line endings, stale outputs or unreadable cells around them.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CellOutput } from '../../../src/common/results.js';
import { parse } from '../../../src/core/format/parser.js';
import { Study } from '../../../src/core/study/study.js';
import { mergeOutputs, withOutputs } from '../../../src/core/study/writeback.js';
import { sourceHash } from '../../../src/core/study/hash.js';
import { cellByName } from '../../../src/core/format/nodes.js';
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

test('merging results into a notebook that changed since the run read it', () => {
  const doc = parse(text);
  const pending = new Map([...outputs].map(([name, output]) => [name, { output, source: sourceHash(doc, cellByName(doc, name)!) }]));
  const cases: [string, (t: string) => string, Record<string, string>][] = [
    ['unchanged', (t) => t, {}],
    ['prose edited', (t) => t.replace('# Study', '# Study, edited'), {}],
    ['a paragraph added', (t) => `${t}\nMore.\n`, {}],
    ['a result already written by another run', (t) => withOutputs(t, only('rate')), {}],
    ['the stats cell edited', (t) => t.replace('tests: welch', 'tests: welch, anova'), { test: 'edited' }],
    ['the ratings cell edited: the stats cell reads it', (t) => t.replace('scenarios: set\n:::', 'scenarios: set\nseed: 3\n:::'), { rate: 'edited', test: 'edited' }],
    ['the stats cell renamed', (t) => t.replace('::: stats test', '::: stats check'), { test: 'missing' }],
    ['a second cell of the same name', (t) => `${t}\n::: stats test\nratings: rate\n:::\n`, { test: 'ambiguous' }],
  ];
  for (const [what, edit, conflicts] of cases) {
    const now = edit(text);
    const merged = mergeOutputs(now, pending);
    assert.deepEqual(Object.fromEntries(merged.conflicts.map((c) => [c.cell, c.reason])), conflicts, what);
    const kept = new Map([...outputs].filter(([name]) => !(name in conflicts)));
    assert.equal(merged.text, withOutputs(now, kept), what);
  }
});
