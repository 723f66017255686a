// Seeded mutations of every example and fixture. Whatever the input: parsing never throws, the
// document and the notebook cells print back the exact input, and every diagnostic points inside
// the text. Mutations that break the syntax on purpose must be reported, at the right place.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../src/core/format/parser.js';
import { print } from '../../../src/core/format/printer.js';
import { validate } from '../../../src/core/format/validation.js';
import { fromNotebook, toNotebook } from '../../../src/core/format/notebook.js';
import { knobeCells, type KnobeCell } from '../../../src/core/format/nodes.js';
import type { Code } from '../../../src/core/format/diagnostics.js';
import { corpus } from './corpus.js';
import { seededRandom as prng } from '../../support/checkpoints.js';


const GARBAGE = ['\0', '\r', '\n', '\r\n', '\uFEFF', '\ud800', '\uffff', ':::', '::: ', '{', '|', '}', '%%', '%knobe', '\t', '  ', 'item ', ': ', '"', '[', '\x1b'];

type Mutation = (text: string, r: () => number) => string;
const pick = <T>(xs: readonly T[], r: () => number): T => xs[Math.floor(r() * xs.length)];
const at = (text: string, r: () => number) => Math.floor(r() * (text.length + 1));

const MUTATIONS: Record<string, Mutation> = {
  insert: (t, r) => {
    const i = at(t, r);
    return t.slice(0, i) + pick(GARBAGE, r) + t.slice(i);
  },
  binary: (t, r) => {
    const i = at(t, r);
    let g = '';
    for (let k = 0; k < 1 + r() * 16; k++) g += String.fromCharCode(Math.floor(r() * 0x10000));
    return t.slice(0, i) + g + t.slice(i);
  },
  delete: (t, r) => {
    const i = at(t, r);
    return t.slice(0, i) + t.slice(i + 1 + Math.floor(r() * 40));
  },
  truncate: (t, r) => t.slice(0, at(t, r)),
  duplicateLine: (t, r) => {
    const lines = t.split('\n');
    const i = Math.floor(r() * lines.length);
    lines.splice(i, 0, lines[i]);
    return lines.join('\n');
  },
  swapLines: (t, r) => {
    const lines = t.split('\n');
    const i = Math.floor(r() * lines.length);
    const j = Math.floor(r() * lines.length);
    [lines[i], lines[j]] = [lines[j], lines[i]];
    return lines.join('\n');
  },
  crlf: (t) => t.replace(/\n/g, '\r\n'),
  loneCr: (t) => t.replace(/\n/g, '\r'),
};

function checkInvariants(x: string, label: string): void {
  const doc = parse(x);
  assert.equal(print(doc), x, `${label}: print(parse(x)) differs`);
  assert.equal(fromNotebook(toNotebook(x)), x, `${label}: notebook round trip differs`);
  for (const d of validate(doc)) {
    assert.ok(d.start >= 0 && d.start <= d.end && d.end <= x.length, `${label}: ${d.code} span ${d.start}..${d.end} outside the text`);
    assert.ok(d.line >= 1 && d.line <= doc.lines.lineCount && d.column >= 1, `${label}: ${d.code} at ${d.line}:${d.column}`);
  }
}

test('1200 random mutations: no throw, exact round trip, positions inside the text', () => {
  const files = corpus();
  assert.ok(files.length >= 4);
  const names = Object.keys(MUTATIONS);
  let n = 0;
  for (let seed = 1; seed <= 1200; seed++) {
    const r = prng(seed);
    const f = pick(files, r);
    let x = f.text;
    // One to three stacked mutations per case.
    const steps = 1 + Math.floor(r() * 3);
    const applied: string[] = [];
    for (let s = 0; s < steps; s++) {
      const m = pick(names, r);
      applied.push(m);
      x = MUTATIONS[m](x, r);
    }
    checkInvariants(x, `seed ${seed} (${f.file}: ${applied.join('+')})`);
    n++;
  }
  assert.equal(n, 1200);
});

/** Asserts the text reports `code` on the given 1-based line. */
function reports(x: string, code: Code, line: number, label: string): void {
  const ds = validate(parse(x));
  assert.ok(ds.some((d) => d.code === code && d.line === line), `${label}: expected ${code} on line ${line}, got ${ds.map((d) => `${d.line}:${d.code}`).join(', ')}`);
}

const lineOf = (x: string, offset: number) => x.slice(0, offset).split(/\r\n|\r|\n/).length;
const closed = (doc: ReturnType<typeof parse>) => knobeCells(doc).filter((c): c is KnobeCell & { close: { _type: 'fence-close' } } => c.close._type === 'fence-close');

test('syntax-breaking mutations are reported where they happen', () => {
  const files = corpus().filter((f) => validate(parse(f.text)).every((d) => d.code !== 'unterminated-cell' && d.code !== 'unknown-cell-kind' && d.code !== 'missing-header'));
  assert.ok(files.length >= 3);
  let n = 0;
  for (let seed = 1; seed <= 300; seed++) {
    const r = prng(10_000 + seed);
    const f = pick(files, r);
    const doc = parse(f.text);
    const cells = closed(doc);
    const c = pick(cells, r);
    const label = `seed ${10_000 + seed} (${f.file}, cell at line ${lineOf(f.text, c.start)})`;
    switch (seed % 4) {
      case 0: {
        // Truncation anywhere after a cell's fence line and before its closing fence: it is unterminated.
        const from = c.start + (f.text.slice(c.start).search(/\r\n|\r|\n/) + 1);
        const cut = from + Math.floor(r() * (c.close.start - from + 1));
        reports(f.text.slice(0, cut), 'unterminated-cell', lineOf(f.text, c.start), label);
        break;
      }
      case 1: {
        // Deleting a closing fence line.
        const x = f.text.slice(0, c.close.start) + f.text.slice(c.close.end).replace(/^(\r\n|\r|\n)/, '');
        reports(x, 'unterminated-cell', lineOf(f.text, c.start), label);
        break;
      }
      case 2: {
        // Corrupting one character of a fence's kind into a character no kind has.
        const w = c.kindWord;
        const i = w.start + Math.floor(r() * (w.end - w.start));
        const x = f.text.slice(0, i) + pick(['X', '7', '_', 'Q', 'é'], r) + f.text.slice(i + 1);
        reports(x, 'unknown-cell-kind', lineOf(f.text, c.start), label);
        break;
      }
      case 3: {
        // Garbage in the header: in the keyword (then it is no header) or in the version.
        const h = doc.header!;
        const i = h.start + 1 + Math.floor(r() * (h.end - h.start - 1));
        const g = pick(['#', '?', 'x', '\0', 'Z'], r);
        const x = f.text.slice(0, i) + g + f.text.slice(i + 1);
        const ds = validate(parse(x)).filter((d) => d.line === 1);
        assert.ok(ds.some((d) => ['missing-header', 'unknown-version', 'stray-text'].includes(d.code)), `${label}: header ${JSON.stringify(x.slice(0, 10))} not reported`);
        break;
      }
    }
    checkInvariants(f.text, label);
    n++;
  }
  assert.equal(n, 300);
});
