// Printing. A parsed document prints back as the exact bytes it was read from: every cell keeps
// the offsets of its segment and the printer concatenates them. Building text from edited cells
// (the notebook serializer) lives in notebook.ts; the pieces it needs are here.
import type { CellOutput } from '../../common/results.js';
import type { KnobeDocument } from './nodes.js';
import { renderOutputBlock } from './output.js';
import { parse } from './parser.js';

/** The document's text from its segments: byte-identical to what was parsed. */
export function print(doc: KnobeDocument): string {
  let out = doc.header ? doc.text.slice(doc.header.span.start, doc.header.span.end) : '';
  for (const c of doc.cells) out += doc.text.slice(c.span.start, c.span.end);
  return out;
}

/** The line break a text uses most: `\r\n`, `\r` or (also for a text without any) `\n`. */
export function dominantEol(text: string): string {
  const crlf = text.split('\r\n').length - 1;
  const cr = text.split('\r').length - 1 - crlf;
  const lf = text.split('\n').length - 1 - crlf;
  if (crlf > lf && crlf >= cr) return '\r\n';
  if (cr > lf && cr > crlf) return '\r';
  return '\n';
}

/** Decodes the text of one output block (`::: output NAME` … `:::`). */
export function decodeOutputBlock(text: string): { output: CellOutput } | { error: string } {
  const doc = parse(text, 2);
  const c = doc.cells[0];
  const block = c?._type === 'orphan-output' ? c.block : undefined;
  if (!block) return { error: 'the text is not an output block' };
  if (!block.output) return { error: block.error?.message ?? 'the output block could not be read' };
  return { output: block.output };
}

/**
 * Rewrites the text of one version-1 cell in version-2 syntax: `::: models` becomes `::: pair`
 * with `pretrained` / `finetuned` keys, and a `::: result` block becomes an `::: output` block.
 * Everything else (comments, spacing, other cells) is left as written.
 */
export function upgradeCellText(text: string, eol = dominantEol(text)): string {
  const doc = parse(text, 1);
  const edits: { start: number; end: number; text: string }[] = [];
  for (const c of doc.cells) {
    if (c._type === 'knobe' && c.kindWord._type === 'word' && c.kindWord.text === 'models') {
      edits.push({ start: c.kindWord.start, end: c.kindWord.end, text: 'pair' });
      for (const e of c.entries) if (e.name !== e.key.text) edits.push({ start: e.key.start, end: e.key.end, text: e.name });
    }
    const blocks = c._type === 'knobe' ? (c.output ? [c.output] : []) : c._type === 'orphan-output' ? [c.block] : [];
    for (const b of blocks) {
      if (b.keyword.text !== 'result') continue;
      if (b.output && b.name._type === 'word' && b.closed) edits.push({ start: b.start, end: b.end, text: renderOutputBlock(b.name.text, b.output, eol) });
      else edits.push({ start: b.keyword.start, end: b.keyword.end, text: 'output' });
    }
  }
  let out = text;
  for (const e of edits.sort((a, b) => b.start - a.start)) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
