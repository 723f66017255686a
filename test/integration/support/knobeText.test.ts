// Runs with node's test runner outside VS Code: the reference reader itself must be right.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { expectedNotebook } from './knobeText.js';

const shape = (src: string) => {
  const nb = expectedNotebook(src);
  return { header: nb.header, code: nb.code.map((c) => `${c.kind} ${c.name}${c.output ? ' +output' : ''}`), prose: nb.prose.length };
};
const cases: [string, string, ReturnType<typeof shape>][] = [
  ['empty', '', { header: undefined, code: [], prose: 0 }],
  ['header only', '%knobe 2\n', { header: '%knobe 2', code: [], prose: 0 }],
  ['prose only', '%knobe 2\n\n# Title\ntext\n', { header: '%knobe 2', code: [], prose: 1 }],
  ['break splits prose', '%knobe 2\na\n%%\nb\n', { header: '%knobe 2', code: [], prose: 2 }],
  ['blank stretch is no cell', '%knobe 2\n\n::: pair p\na: b\n:::\n\n::: ratings r\n:::\n', { header: '%knobe 2', code: ['pair p', 'ratings r'], prose: 0 }],
  ['output belongs to the cell above', '::: ratings r\n:::\n::: output r\nkind: "ratings"\n:::\nafter\n', { header: undefined, code: ['ratings r +output'], prose: 1 }],
  ['prose between cells', 'x\n::: pair p\n:::\ny\n::: stats s\n:::\nz', { header: undefined, code: ['pair p', 'stats s'], prose: 3 }],
  ['crlf', '%knobe 2\r\n::: pair p\r\n:::\r\n', { header: '%knobe 2', code: ['pair p'], prose: 0 }],
];
for (const [name, src, want] of cases) test(`reference reader: ${name}`, () => assert.deepEqual(shape(src), want));

test('reference reader: cell text is the whole fenced block', () => {
  const nb = expectedNotebook('intro\n::: sweep s\nratings: r\nlayers: all\n:::\nend\n');
  assert.equal(nb.code[0].text, '::: sweep s\nratings: r\nlayers: all\n:::');
  assert.deepEqual(nb.prose, ['intro', 'end']);
});

const errors: [string, string, RegExp][] = [
  ['unclosed cell', '::: pair p\na: b\n', /line 1: .*never closed/],
  ['unknown kind', '::: chart c\n:::\n', /unknown cell kind "chart"/],
  ['orphan output', 'text\n::: output r\n:::\n', /does not follow its cell/],
];
for (const [name, src, re] of errors) test(`reference reader rejects: ${name}`, () => assert.throws(() => expectedNotebook(src), re));

test('reference reader reads every example', () => {
  const dir = new URL('../../../examples/', import.meta.url);
  const files = readdirSync(dir).filter((f) => f.endsWith('.knobe'));
  assert.ok(files.length >= 3, `expected the three examples, found ${files.join(', ')}`);
  for (const f of files) {
    const nb = expectedNotebook(readFileSync(new URL(f, dir), 'utf8'));
    assert.equal(nb.header, '%knobe 2', f);
    assert.ok(nb.code.some((c) => c.kind === 'pair') && nb.code.some((c) => c.kind === 'ratings'), f);
  }
});
