// The grammar colours what the parser reads: for every line of the example notebooks, the format
// fixtures and the grammar test files, the scope at the line's first character must match the
// kind the format scanner gives that line. A grammar rule that drifts from the scanner (say, a
// different idea of what continues a value) fails here with the file and line.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';
import { scanLines, splitLines, type LineKind } from '../../src/core/format/scanner.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(import.meta.url);
// The grammar test tool is the one place the project gets vscode-textmate from; its registry loads
// the grammar exactly as the `npm run test:grammar` cases see it.
const { createRegistry } = require('vscode-tmgrammar-test/dist/common/index.js') as {
  createRegistry(gs: { path: string; scopeName: string }[]): {
    loadGrammar(scope: string): Promise<Grammar | null>;
  };
};
interface Token { startIndex: number; endIndex: number; scopes: string[] }
interface Grammar { tokenizeLine(line: string, stack: unknown): { tokens: Token[]; ruleStack: unknown } }

const KEY = 'support.type.property-name.knobe';
const ITEM = 'keyword.other.item.knobe';
const PROSE = 'meta.embedded.block.markdown';
const COMMENT = 'comment.line.number-sign.knobe';
const OPEN = 'punctuation.definition.cell.begin.knobe';
const CLOSE = 'punctuation.definition.cell.end.knobe';

/** Scopes a line of each kind must carry at its first non-blank character, and must not. */
const expected: Record<LineKind, { has?: string; not: string[] }> = {
  header: { has: 'keyword.control.directive.header.knobe', not: [PROSE] },
  break: { has: 'punctuation.separator.cell.knobe', not: [PROSE] },
  'fence-open': { has: OPEN, not: [PROSE] },
  'fence-close': { has: CLOSE, not: [PROSE] },
  prose: { has: PROSE, not: [OPEN, CLOSE, KEY, ITEM, COMMENT] },
  comment: { has: COMMENT, not: [PROSE, KEY] },
  item: { has: ITEM, not: [PROSE, KEY] },
  entry: { has: KEY, not: [PROSE, ITEM] },
  continuation: { not: [PROSE, ITEM, OPEN, CLOSE, COMMENT] },
  stray: { not: [PROSE, KEY, ITEM, OPEN, CLOSE] },
  blank: { not: [] },
};

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir).sort()) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.knobe')) out.push(p);
  }
  return out;
}

/** A grammar test case without its `SYNTAX TEST` header and assertion lines: the text it tokenizes. */
function caseSource(text: string): string {
  return text
    .split('\n')
    .slice(1)
    .filter((l) => !/^#\s*(\^|<~*-+)/.test(l))
    .join('\n');
}

async function grammar(): Promise<Grammar> {
  const registry = createRegistry([{ path: join(root, 'syntaxes', 'knobe.tmLanguage.json'), scopeName: 'source.knobe' }]);
  const g = await registry.loadGrammar('source.knobe');
  assert.ok(g, 'the grammar loads');
  return g;
}

/** Every disagreement between scanner and grammar in one text, as `line N (kind): problem`. */
function disagreements(g: Grammar, text: string): string[] {
  const kinds = scanLines(text);
  const raw = splitLines(text);
  const problems: string[] = [];
  let stack: unknown = null;
  // Inside a cell, a continuation line extends the last entry or item, across blank and comment
  // lines; before any, it is stray text. The grammar must draw the same boundary.
  let owner = false;
  raw.forEach((r, n) => {
    const line = text.slice(r.start, r.end).replace(/^\uFEFF/, '');
    const { tokens, ruleStack } = g.tokenizeLine(line, stack);
    stack = ruleStack;
    const kind = kinds[n].kind;
    const col = line.length - line.trimStart().length;
    if (kind === 'fence-open' || kind === 'fence-close' || kind === 'prose') owner = false;
    if (kind === 'blank' || col >= line.length) return;
    const scopes = tokens.find((t) => t.startIndex <= col && col < t.endIndex)?.scopes ?? [];
    const want = expected[kind];
    if (want.has && !scopes.includes(want.has)) problems.push(`line ${n + 1} (${kind}): no ${want.has} in ${scopes.join(' ')}`);
    for (const s of want.not) if (scopes.includes(s)) problems.push(`line ${n + 1} (${kind}): unexpected ${s}`);
    if (kind === 'continuation') {
      const owned = scopes.includes('meta.entry.knobe') || scopes.includes('meta.item.knobe');
      if (owned !== owner) problems.push(`line ${n + 1} (continuation): ${owner ? 'not part of' : 'wrongly part of'} the entry or item above`);
    }
    if (kind === 'entry' || kind === 'item') owner = true;
  });
  return problems;
}

const corpus = [
  ...files(join(root, 'examples')).map((p) => ({ p, text: readFileSync(p, 'utf8') })),
  ...files(join(root, 'test', 'grammar')).map((p) => ({ p, text: caseSource(readFileSync(p, 'utf8')) })),
];
try {
  corpus.push(...files(join(root, 'test', 'fixtures', 'format')).map((p) => ({ p, text: readFileSync(p, 'utf8') })));
} catch {
  // The format fixtures are optional input: the examples and grammar cases always exist.
}

test('the corpus holds the examples and the grammar cases', () => {
  const names = corpus.map((c) => c.p.slice(root.length + 1));
  for (const f of ['examples/chairman.knobe', 'examples/independent.knobe', 'examples/tutorial.knobe', 'test/grammar/scenarios.knobe']) {
    assert.ok(names.includes(f), f);
  }
});

for (const { p, text } of corpus) {
  test(`grammar and scanner agree on ${p.slice(root.length + 1)}`, async () => {
    assert.deepEqual(disagreements(await grammar(), text), []);
  });
}

// Lines whose kind depends on what came before: the check must see the scanner's context too.
const cases: [string, string][] = [
  ['value continued after a blank line', '::: pair p\nsystem: one\n\n  two\n:::\n'],
  ['comment inside a value', '::: stats s\ntests: welch,\n# why\n  anova\n:::\n'],
  ['tab continues an item', '::: scenarios s\nitem a\n\tThe {x|y}.\n:::\n'],
  ['one space does not', '::: scenarios s\nitem a\n one space\n:::\n'],
  ['indented text before any key is stray', '::: stats s\n  stray\nalpha: 0.05\n:::\n'],
  ['item text after a blank line and a comment', '::: scenarios s\nitem a\n  one\n\n# c\n  two {x|y}\n:::\n'],
  ['unterminated cell closed by the next fence', '::: ratings r\nseed: 1\n::: sweep w\nratings: r\n:::\n'],
  ['stray close fence in prose', 'text\n:::\nmore\n'],
  [':::x is prose outside cells', 'text\n:::x\n'],
  [':::x inside a cell', '::: pair p\n:::x\nprompt: raw\n:::\n'],
  ['output block with a multi-line array', '::: output r\nrows: [\n  1,\n  2\n]\nkind: "ratings"\n:::\n'],
  ['comment-like line in an output block', '::: output r\nrows: [\n# 1\n]\n:::\n'],
  ['header only on the first line', '%knobe 2\n%knobe 2\n'],
  ['key-like text in prose', 'prose: not a key\n'],
  ['item in a non-scenarios cell', '::: ratings r\nitem x\n:::\n'],
  ['break between prose', 'a\n%%\nb\n'],
];
for (const [name, text] of cases) {
  test(`grammar and scanner agree: ${name}`, async () => {
    assert.deepEqual(disagreements(await grammar(), text), []);
  });
}

test('a disagreement is reported with its line', async () => {
  // A line the scanner reads as a key, checked against a grammar-free token list: the helper must
  // see the missing scope rather than pass vacuously.
  const flat: Grammar = { tokenizeLine: (line) => ({ tokens: [{ startIndex: 0, endIndex: line.length, scopes: ['source.knobe'] }], ruleStack: null }) };
  assert.deepEqual(disagreements(flat, '::: pair p\nprompt: raw\n:::\n'), [
    `line 1 (fence-open): no ${OPEN} in source.knobe`,
    `line 2 (entry): no ${KEY} in source.knobe`,
    `line 3 (fence-close): no ${CLOSE} in source.knobe`,
  ]);
});
