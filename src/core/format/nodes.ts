// The typed document model of a `.knobe` file. Every node carries the offsets of its text, so
// diagnostics, hovers and the printer can point back into the source. Cells tile the document:
// the concatenation of the header's and the cells' `span`s is the whole text, byte for byte.
import type { CellOutput } from '../../common/results.js';
import type { RawDiagnostic } from './diagnostics.js';

export const CELL_KINDS = ['pair', 'scenarios', 'ratings', 'localize', 'sweep', 'stats'] as const;
export type CellKind = (typeof CELL_KINDS)[number];
export const CURRENT_VERSION = 2;
export const KNOWN_VERSIONS: readonly number[] = [1, 2];

export interface Span {
  start: number;
  end: number;
}

/** Something the parser expected and did not find, at the place it expected it. */
export interface Missing extends Span {
  _type: 'missing';
  expected: string;
}

/** A name or word with its own offsets (cell kind, cell name, item label). */
export interface Word extends Span {
  _type: 'word';
  text: string;
}

export interface Header extends Span {
  _type: 'header';
  /** The version as written; `undefined` when it is not a whole number. */
  version: number | undefined;
  versionText: Word | Missing;
  /** Whole tiled segment: header line, its line break and blank lines after it. */
  span: Span;
}

export interface Entry extends Span {
  _type: 'entry';
  /** The key as written (`base` in a version-1 `models` cell). */
  key: Word;
  /** The key in the current model (`pretrained` for version-1 `base`). */
  name: string;
  /** Value with continuation lines folded: lines joined by a space, a blank line as `\n`. */
  value: string;
  /** From the first character of the value to the end of its last continuation line. */
  valueSpan: Span;
}

export interface Item extends Span {
  _type: 'item';
  name: Word | Missing;
  /** `negative` / `positive` for an independent item; absent for a paired template. */
  label?: Word;
  /** Words after the label that mean nothing. */
  extra?: Word;
  /** The vignette text, folded like an entry value, without the question override. */
  text: string;
  textSpan: Span;
  question?: Entry;
}

export interface FenceClose extends Span {
  _type: 'fence-close';
}

export interface Comment extends Span {
  _type: 'comment';
}

/** A line inside a cell that is neither an entry, an item, a comment nor a continuation. */
export interface Stray extends Span {
  _type: 'stray';
}

export type OutputValue =
  | { ok: true; value: unknown }
  | { ok: false; error: string };

export interface OutputField extends Span {
  _type: 'output-field';
  key: Word;
  /** Raw text of the value, continuation lines included. */
  raw: string;
  valueSpan: Span;
  decoded: OutputValue;
}

export interface OutputBlock extends Span {
  _type: 'output';
  /** `output` in version 2, `result` in version 1. */
  keyword: Word;
  name: Word | Missing;
  fields: OutputField[];
  closed: boolean;
  /** The decoded result when every field decodes and the result is well formed. */
  output?: CellOutput;
  /** Why `output` is absent. */
  error?: { message: string; span: Span };
}

export interface KnobeCell extends Span {
  _type: 'knobe';
  /** The kind as written (`models` in a version-1 file). */
  kindWord: Word | Missing;
  /** The kind in the current model (version-1 `models` reads as `pair`); undefined if unknown. */
  kind: CellKind | undefined;
  name: Word | Missing;
  /** Text after the name on the fence line. */
  extra?: Word;
  entries: Entry[];
  items: Item[];
  comments: Comment[];
  strays: Stray[];
  /** Offsets of the closing `:::`, or a Missing node where it was expected. */
  close: FenceClose | Missing;
  output?: OutputBlock;
  span: Span;
}

export interface MarkdownCell extends Span {
  _type: 'markdown';
  /** Whether the cell begins with a `%%` break line. */
  breakBefore: boolean;
  span: Span;
}

/** An `output` block that follows no Knobe cell of its name: kept verbatim as its own cell. */
export interface OrphanOutputCell extends Span {
  _type: 'orphan-output';
  block: OutputBlock;
  span: Span;
}

export type Cell = MarkdownCell | KnobeCell | OrphanOutputCell;

export interface KnobeDocument {
  _type: 'document';
  text: string;
  /** Version from the header, or the current version when there is none or it is unreadable. */
  version: number;
  header?: Header;
  cells: Cell[];
  /** Problems found while parsing (syntax); `validate` adds the semantic ones. */
  syntax: RawDiagnostic[];
  lines: LineIndex;
}

/** Maps offsets to 1-based lines and columns; a line ends at `\n`, `\r\n` or a lone `\r`. */
export class LineIndex {
  readonly starts: number[];
  constructor(readonly text: string) {
    const starts = [0];
    for (let i = 0; i < text.length; i++) {
      const c = text.charCodeAt(i);
      if (c === 10) starts.push(i + 1);
      else if (c === 13) {
        if (text.charCodeAt(i + 1) === 10) i++;
        starts.push(i + 1);
      }
    }
    this.starts = starts;
  }
  get lineCount(): number {
    return this.starts.length;
  }
  /** 1-based line and column (in UTF-16 code units) of an offset. */
  position(offset: number): { line: number; column: number } {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: o - this.starts[lo] + 1 };
  }
  /** Offset of a 1-based line and column, clamped to the text. */
  offset(line: number, column: number): number {
    const l = Math.max(1, Math.min(line, this.starts.length));
    return Math.min(this.text.length, this.starts[l - 1] + Math.max(0, column - 1));
  }
}

export function isMissing(n: Word | Missing | Span | undefined): n is Missing {
  return !!n && (n as Missing)._type === 'missing';
}

/** Text of a word, or undefined for a Missing node. */
export function wordText(n: Word | Missing | undefined): string | undefined {
  return n && n._type === 'word' ? n.text : undefined;
}

export function knobeCells(doc: KnobeDocument): KnobeCell[] {
  return doc.cells.filter((c): c is KnobeCell => c._type === 'knobe');
}

const byName = new WeakMap<KnobeDocument, Map<string, KnobeCell>>();

/** The Knobe cell with this name, if any (the first one when names are duplicated). */
export function cellByName(doc: KnobeDocument, name: string): KnobeCell | undefined {
  // Indexed once per document: validation looks up every reference of every cell.
  let index = byName.get(doc);
  if (!index) {
    index = new Map();
    for (const c of knobeCells(doc)) {
      const n = wordText(c.name);
      if (n !== undefined && !index.has(n)) index.set(n, c);
    }
    byName.set(doc, index);
  }
  return index.get(name);
}

/** Knobe cells whose name an earlier cell already has, in document order. */
export function duplicateCells(doc: KnobeDocument): KnobeCell[] {
  const seen = new Set<string>();
  return knobeCells(doc).filter((c) => {
    const n = wordText(c.name);
    if (n === undefined) return false;
    if (seen.has(n)) return true;
    seen.add(n);
    return false;
  });
}

export function entry(cell: KnobeCell, key: string): Entry | undefined {
  return cell.entries.find((e) => e.name === key);
}
