// Editor features computed from the text alone: completions, hovers and diagnostics. Pure, so the
// VS Code adapter (src/extension/language.ts) only converts positions and types. Everything that
// is known about keys comes from the schema table.
import { LineIndex, CELL_KINDS, knobeCells, wordText, type KnobeCell, type KnobeDocument } from './nodes.js';
import type { Diagnostic } from './diagnostics.js';
import { parse } from './parser.js';
import { validate } from './validation.js';
import { KEYS, KIND_DOCS, keyDoc, type KeyDoc } from './schema.js';
import { SLOT_DOCS, SLOTS, type Slot } from './prompt-template.js';

export type CompletionKind = 'kind' | 'key' | 'value' | 'reference' | 'keyword';

export interface Completion {
  label: string;
  kind: CompletionKind;
  insertText: string;
  detail?: string;
  /** Markdown. */
  documentation?: string;
  /** The text the completion replaces (offsets). */
  start: number;
  end: number;
}

export interface Hover {
  /** Markdown. */
  contents: string;
  start: number;
  end: number;
}

/** Parses and validates: the diagnostics an editor shows for a whole `.knobe` text. */
export function diagnose(text: string): Diagnostic[] {
  return validate(parse(text));
}

function lineAt(text: string, offset: number): { start: number; prefix: string; line: string } {
  const li = new LineIndex(text);
  const { line } = li.position(offset);
  const start = li.starts[line - 1];
  const rest = text.slice(start);
  const m = /\r\n|\r|\n/.exec(rest);
  const full = m ? rest.slice(0, m.index) : rest;
  return { start, prefix: text.slice(start, offset), line: full };
}

/** The cell around an offset; an unterminated cell reaches to whatever follows it. */
function cellAt(doc: KnobeDocument, offset: number): KnobeCell | undefined {
  return knobeCells(doc).find((c) => c.start <= offset && offset <= (c.close._type === 'missing' ? c.span.end : c.end));
}

const keyDocText = (k: KeyDoc): string =>
  `${k.doc}${k.required ? '\n\nRequired.' : k.default !== undefined ? `\n\nDefault: \`${k.default}\`.` : ''}`;

/** Completions at an offset. */
export function complete(text: string, offset: number): Completion[] {
  const doc = parse(text);
  const { start: lineStart, prefix } = lineAt(text, offset);
  let m: RegExpExecArray | null;
  if ((m = /^:::[ \t]+([A-Za-z]*)$/.exec(prefix))) {
    const from = offset - m[1].length;
    return CELL_KINDS.map((k) => ({ label: k, kind: 'kind', insertText: `${k} `, detail: 'cell kind', documentation: KIND_DOCS[k], start: from, end: offset }));
  }
  const cell = cellAt(doc, offset);
  if (!cell || !cell.kind || lineStart === cell.start) return [];
  const kind = cell.kind;
  if ((m = /^([A-Za-z-]*)$/.exec(prefix))) {
    const present = new Set(cell.entries.map((e) => e.name));
    const from = lineStart;
    const out: Completion[] = KEYS[kind]
      .filter((k) => !present.has(k.key))
      .map((k) => ({ label: k.key, kind: 'key', insertText: `${k.key}: `, detail: k.required ? 'required' : k.default !== undefined ? `default ${k.default}` : undefined, documentation: keyDocText(k), start: from, end: offset }));
    if (kind === 'scenarios') out.push({ label: 'item', kind: 'keyword', insertText: 'item ', detail: 'a vignette', documentation: 'An item: `item NAME` for a paired template, `item NAME negative|positive` for an independent story; its text is indented below.', start: from, end: offset });
    return out;
  }
  if ((m = /^item[ \t]+\S+[ \t]+([a-z]*)$/.exec(prefix)) && kind === 'scenarios') {
    return ['negative', 'positive'].map((l) => ({ label: l, kind: 'value', insertText: l, documentation: `An independent item whose side effect is ${l === 'negative' ? 'harmful' : 'helpful'}.`, start: offset - m![1].length, end: offset }));
  }
  const slot = slotCompletions(cell, prefix, offset);
  if (slot) return slot;
  if ((m = /^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$/.exec(prefix))) {
    const e = cell.entries.find((x) => x.key.text === m![1]);
    const k = keyDoc(kind, e ? e.name : m[1]);
    if (!k) return [];
    return valueCompletions(doc, cell, k, m[2], offset);
  }
  return [];
}

/** The `template` entry whose lines hold an offset (its first line, or its indented lines below). */
function templateEntryAt(cell: KnobeCell, offset: number) {
  if (cell.kind !== 'scenarios') return undefined;
  return cell.entries.find((e) => e.name === 'template' && offset >= e.key.start && offset <= Math.max(e.end, e.valueSpan.end));
}

/** Slots, when `{` is being typed inside a template. */
function slotCompletions(cell: KnobeCell, prefix: string, offset: number): Completion[] | undefined {
  const m = /\{([a-z]*)$/.exec(prefix);
  if (!m || !templateEntryAt(cell, offset)) return undefined;
  const from = offset - m[0].length;
  return SLOTS.map((s) => ({ label: `{${s}}`, kind: 'value', insertText: `{${s}}`, detail: 'slot', documentation: SLOT_DOCS[s], start: from, end: offset }));
}

function valueCompletions(doc: KnobeDocument, cell: KnobeCell, k: KeyDoc, typed: string, offset: number): Completion[] {
  const isList = k.type === 'enum-list' || k.type === 'ref-list';
  // In a list only the element after the last comma is being typed.
  const current = isList ? typed.slice(typed.lastIndexOf(',') + 1).trimStart() : typed;
  const from = offset - current.length;
  const already = isList ? typed.split(',').map((s) => s.trim()) : [];
  const mk = (label: string, kind: CompletionKind, documentation?: string): Completion => ({ label, kind, insertText: label, documentation, start: from, end: offset });
  if (k.type === 'ref' || k.type === 'ref-list' || k.type === 'top') {
    const names = knobeCells(doc)
      .filter((c) => c !== cell && c.kind === k.ref)
      .map((c) => wordText(c.name))
      .filter((n): n is string => !!n && !already.includes(n));
    if (k.type === 'top') {
      const t = /^(\d+)[ \t]+of[ \t]+(\S*)$/.exec(typed);
      if (!t) return [];
      return names.map((n) => ({ ...mk(n, 'reference', `the \`${k.ref}\` cell \`${n}\``), start: offset - t[2].length }));
    }
    return names.map((n) => mk(n, 'reference', `the \`${k.ref}\` cell \`${n}\``));
  }
  const values = (k.values ?? []).filter((v) => !already.includes(v));
  return values.map((v) => mk(v, 'value'));
}

/** Hover documentation for a cell kind, a key, an `item` keyword or a reference. */
export function hover(text: string, offset: number): Hover | undefined {
  const doc = parse(text);
  for (const c of knobeCells(doc)) {
    if (offset < c.start || offset > c.end) continue;
    const w = c.kindWord;
    if (w._type === 'word' && offset >= w.start && offset <= w.end && c.kind) {
      return { contents: `**\`${c.kind}\`** cell\n\n${KIND_DOCS[c.kind]}\n\nKeys: ${KEYS[c.kind].map((k) => `\`${k.key}\``).join(', ')}`, start: w.start, end: w.end };
    }
    if (!c.kind) return undefined;
    const tpl = templateEntryAt(c, offset);
    if (tpl && offset > tpl.key.end) {
      const slots = /\{(vignette|question|scale|anchors|answer)\}/g;
      const src = text.slice(tpl.valueSpan.start, tpl.valueSpan.end);
      for (let m; (m = slots.exec(src)); ) {
        const start = tpl.valueSpan.start + m.index;
        if (offset >= start && offset <= start + m[0].length) {
          return { contents: `**\`${m[0]}\`** slot\n\n${SLOT_DOCS[m[1] as Slot]}`, start, end: start + m[0].length };
        }
      }
    }
    for (const e of c.entries) {
      const k = keyDoc(c.kind, e.name);
      if (!k) continue;
      if (offset >= e.key.start && offset <= e.key.end) {
        const alias = e.name !== e.key.text ? ` (version 1 spelling of \`${e.name}\`)` : '';
        return { contents: `**\`${e.key.text}\`**${alias}\n\n${keyDocText(k)}`, start: e.key.start, end: e.key.end };
      }
      if (k.ref && offset >= e.valueSpan.start && offset <= e.valueSpan.end) {
        const word = /[A-Za-z0-9_-]+/g;
        const rel = offset - e.valueSpan.start;
        const src = text.slice(e.valueSpan.start, e.valueSpan.end);
        for (let m; (m = word.exec(src)); ) {
          if (rel >= m.index && rel <= m.index + m[0].length) {
            const target = knobeCells(doc).find((x) => wordText(x.name) === m![0]);
            if (!target) return undefined;
            const pos = doc.lines.position(target.start);
            return { contents: `\`${m[0]}\`: the \`${target.kind ?? wordText(target.kindWord)}\` cell on line ${pos.line}`, start: e.valueSpan.start + m.index, end: e.valueSpan.start + m.index + m[0].length };
          }
        }
      }
    }
    for (const it of c.items) {
      if (offset >= it.start && offset <= it.start + 4) {
        return { contents: '**`item`**\n\n`item NAME` is a paired template whose text carries `{negative|positive}` alternatives; `item NAME negative` / `item NAME positive` is an independent story. The text is indented below; an indented `question: …` as the last line overrides the set\'s question.', start: it.start, end: it.start + 4 };
      }
    }
  }
  return undefined;
}

/** The scenario item whose `item` line or text holds an offset, named with its set. */
export function itemAt(doc: KnobeDocument, offset: number): { set: string; item: string } | undefined {
  for (const c of knobeCells(doc)) {
    if (c.kind !== 'scenarios' || offset < c.start || offset > c.end) continue;
    const it = c.items.find((i) => offset >= i.start && offset <= Math.max(i.end, i.textSpan.end));
    const set = wordText(c.name);
    const item = it && wordText(it.name);
    return set && item ? { set, item } : undefined;
  }
  return undefined;
}

/** Where each notebook cell's text sits inside the joined text. */
export interface CellSlice {
  start: number;
  end: number;
}

/**
 * Joins the Knobe cells of a notebook into one text so references between cells resolve.
 * Markdown cells carry no Knobe syntax and are left out; `null` marks them.
 */
export function joinCells(cells: readonly ({ kind: 'markup' | 'code'; value: string })[], version = 2): { text: string; slices: (CellSlice | null)[] } {
  let text = `%knobe ${version}\n\n`;
  const slices: (CellSlice | null)[] = [];
  for (const c of cells) {
    if (c.kind === 'markup') {
      slices.push(null);
      continue;
    }
    const start = text.length;
    text += c.value;
    slices.push({ start, end: text.length });
    text += '\n\n';
  }
  return { text, slices };
}

/** Diagnostics per notebook cell, with offsets, lines and columns relative to the cell's text. */
export function cellDiagnostics(cells: readonly ({ kind: 'markup' | 'code'; value: string })[], version = 2): Diagnostic[][] {
  const { text, slices } = joinCells(cells, version);
  const all = diagnose(text);
  return slices.map((s, i) => {
    if (!s) return [];
    const local = new LineIndex(cells[i].value);
    return all
      .filter((d) => d.start >= s.start && d.start <= s.end)
      .map((d) => {
        const start = d.start - s.start;
        const end = Math.min(d.end, s.end) - s.start;
        return { ...d, start, end, ...local.position(start) };
      });
  });
}
