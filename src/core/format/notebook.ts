// Text ⇄ notebook cells, free of the VS Code API so it is tested in plain Node (the serializer in
// src/extension maps these plain cells onto vscode types). Every cell remembers the exact bytes
// it came from; a cell whose text and outputs are unchanged is written back as those bytes, so
// opening and saving a file changes nothing, and editing one cell changes only that cell.
import type { CellOutput } from '../../common/results.js';
import { CURRENT_VERSION, type KnobeDocument } from './nodes.js';
import { renderOutputBlock, stableJson } from './output.js';
import { parse } from './parser.js';
import { dominantEol, upgradeCellText } from './printer.js';

/** Where a cell's text came from; absent for cells created in the editor. */
export interface CellOrigin {
  /** The cell's whole segment as read: lead + value + gap + output + trail. */
  raw: string;
  value: string;
  /** stableJson of the outputs as read. */
  outputs: string;
  /** Text before the value (blank lines, a `%%` break). */
  lead: string;
  /** Between the closing `:::` and the output block. */
  gap: string;
  /** After the value or the output block: the line break and blank lines. */
  trail: string;
}

export interface PlainCell {
  kind: 'markup' | 'code';
  language: 'markdown' | 'knobe';
  value: string;
  outputs: CellOutput[];
  metadata: { knobe?: CellOrigin };
}

export interface NotebookMeta {
  /**
   * The header segment as read (header line and blank lines after it); `''` for a file read
   * without a header (it stays without one); absent for a new notebook (it gets one).
   */
  header?: string;
  version: number;
  eol: string;
}

export interface PlainNotebook {
  cells: PlainCell[];
  metadata: NotebookMeta;
}

const NEW_HEADER = `%knobe ${CURRENT_VERSION}`;

/** Reads a `.knobe` text into notebook cells; a non-empty text never gives zero cells and no header. */
export function toNotebook(text: string): PlainNotebook {
  const doc = parse(text);
  return { cells: cellsOf(doc), metadata: { header: doc.header ? slice(doc, doc.header.span) : '', version: doc.version, eol: dominantEol(text) } };
}

function slice(doc: KnobeDocument, s: { start: number; end: number }): string {
  return doc.text.slice(s.start, s.end);
}

function cellsOf(doc: KnobeDocument): PlainCell[] {
  const t = doc.text;
  const cells: PlainCell[] = [];
  const push = (kind: 'markup' | 'code', spanStart: number, start: number, end: number, spanEnd: number, output?: { start: number; end: number; value: CellOutput }) => {
    const value = t.slice(start, end);
    const outputs = output ? [output.value] : [];
    const bodyEnd = output ? output.end : end;
    cells.push({
      kind, language: kind === 'markup' ? 'markdown' : 'knobe', value, outputs,
      metadata: {
        knobe: {
          raw: t.slice(spanStart, spanEnd), value, outputs: stableJson(outputs), lead: t.slice(spanStart, start),
          gap: output ? t.slice(end, output.start) : '', trail: t.slice(bodyEnd, spanEnd),
        },
      },
    });
  };
  for (const c of doc.cells) {
    if (c._type === 'markdown') push('markup', c.span.start, c.start, c.end, c.span.end);
    else if (c._type === 'orphan-output') push('code', c.span.start, c.start, c.end, c.span.end);
    else if (c.output?.output) push('code', c.span.start, c.start, c.end, c.span.end, { start: c.output.start, end: c.output.end, value: c.output.output });
    else if (c.output) {
      // An output block that does not decode stays editable as a cell of its own.
      push('code', c.span.start, c.start, c.end, c.output.start);
      push('code', c.output.start, c.output.start, c.output.end, c.span.end);
    } else push('code', c.span.start, c.start, c.end, c.span.end);
  }
  return cells;
}

const lf = (s: string) => s.replace(/\r\n?/g, '\n');

/** Unchanged since read; an editor that normalised the cell's line breaks changed nothing. */
function unchanged(cell: PlainCell): boolean {
  const o = cell.metadata.knobe;
  return !!o && (o.value === cell.value || lf(o.value) === lf(cell.value)) && o.outputs === stableJson(cell.outputs);
}

/** The name on a cell text's fence line, for its output block. */
function cellName(value: string): string {
  const m = /^:::[ \t]+\S+[ \t]+([A-Za-z0-9_-]+)/.exec(value);
  return m ? m[1] : 'unnamed';
}

/** Writes notebook cells as `.knobe` text. */
export function fromNotebook(nb: PlainNotebook): string {
  const eol = nb.metadata.eol || '\n';
  const upgrade = nb.metadata.version !== CURRENT_VERSION && !nb.cells.every(unchanged);
  // Pieces are collected and joined once: testing the end of a growing string would flatten it
  // on every cell and make saving a large notebook quadratic.
  const parts: string[] = [];
  const put = (p: string) => {
    if (p) parts.push(p);
  };
  let header: string;
  if (nb.metadata.header !== undefined) {
    header = upgrade ? nb.metadata.header.replace(/^(\uFEFF?%knobe)[ \t]*\S*/, `$1 ${CURRENT_VERSION}`) : nb.metadata.header;
  } else {
    header = nb.cells.length ? NEW_HEADER + eol + eol : '';
  }
  put(header);
  nb.cells.forEach((cell, i) => {
    const tail = parts.length ? parts[parts.length - 1] : '';
    if (i > 0 && !/[\r\n]$/.test(tail)) put(eol);
    const o = cell.metadata.knobe;
    const last = i === nb.cells.length - 1;
    // Two Markdown cells in a row need a `%%` between them, or they read back as one.
    const needsBreak = cell.kind === 'markup' && nb.cells[i - 1]?.kind === 'markup' && !/^[ \t]*%%[ \t]*$/m.test(o?.lead ?? '');
    if (unchanged(cell) && !(upgrade && cell.kind === 'code')) {
      put((needsBreak ? `%%${eol}` : '') + o!.raw);
      return;
    }
    const trail = o?.trail ?? (last ? eol : eol + eol);
    if (cell.kind === 'markup') {
      put((needsBreak ? `%%${eol}${eol}` : o?.lead ?? '') + cell.value + trail);
      return;
    }
    const value = upgrade ? upgradeCellText(cell.value, eol) : cell.value;
    put((o?.lead ?? '') + value);
    if (cell.outputs.length) {
      put(o?.gap && cell.metadata.knobe?.outputs !== '[]' ? o.gap : eol + eol);
      // One output block per cell: a run replaces the cell's result, it does not add to it.
      put(renderOutputBlock(cellName(value), cell.outputs[0], eol));
    }
    put(trail);
  });
  return parts.join('');
}
