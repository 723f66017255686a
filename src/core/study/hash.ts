// The hash a result is stored under: everything the result depends on — the cell's own text, the
// texts of the cells it reads (transitively), the models' content hashes, the tool version and the
// version of the default prompt template.
// Equal hash → the stored result is what a re-run would compute, so it is reused.
import { createHash } from 'node:crypto';
import { cellByName, wordText, type KnobeCell, type KnobeDocument } from '../format/nodes.js';
import { DEFAULT_TEMPLATE_ID } from '../format/prompt-template.js';
import { TOOL_VERSION } from './version.js';

/** The cell's own text: the fenced block, without its output block. */
export function cellSource(doc: KnobeDocument, cell: KnobeCell): string {
  const end = cell.output ? cell.output.start : cell.end;
  return doc.text.slice(cell.start, end).replace(/\r\n?/g, '\n').trimEnd();
}

/** Names of the cells a cell reads, in the order they are read. */
export function referencesOf(doc: KnobeDocument, cell: KnobeCell): string[] {
  const value = (key: string) => cell.entries.find((e) => e.name === key)?.value.trim();
  const names: string[] = [];
  const add = (n: string | undefined) => n && !names.includes(n) && names.push(n);
  switch (cell.kind) {
    case 'ratings':
    case 'localize': {
      add(value('scenarios'));
      const pair = value('pair') ?? wordText(doc.cells.find((c): c is KnobeCell => c._type === 'knobe' && c.kind === 'pair')?.name);
      add(pair);
      break;
    }
    case 'sweep': {
      add(value('ratings'));
      const top = value('top');
      if (top) add(/\bof\s+(\S+)/.exec(top)?.[1]);
      break;
    }
    case 'stats':
      for (const n of (value('ratings') ?? '').split(',')) add(n.trim() || undefined);
      for (const n of (value('sweeps') ?? '').split(',')) add(n.trim() || undefined);
      break;
  }
  return names;
}

/** The texts a cell's result depends on: its own and those of the cells it reads, transitively. */
function visitSources(doc: KnobeDocument, cell: KnobeCell, put: (text: string) => void): void {
  const seen = new Set<string>();
  const visit = (c: KnobeCell) => {
    const name = wordText(c.name) ?? '';
    if (seen.has(name)) return;
    seen.add(name);
    put(`cell ${name}\n${cellSource(doc, c)}\n`);
    for (const ref of referencesOf(doc, c)) {
      const dep = cellByName(doc, ref);
      if (dep) visit(dep);
    }
  };
  visit(cell);
}

/**
 * Hash of a cell and everything it reads. `modelHashes` are the content hashes of the pair it
 * uses; `inputs` the digests of the results it reads (a stats cell's ratings, a sweep's `top:`
 * sweep), so a result computed on other data — a stored result edited by hand, say — is stored
 * under another key and never served where the data differ.
 */
export function cellHash(doc: KnobeDocument, cell: KnobeCell, modelHashes: string[], inputs: string[] = []): string {
  const h = createHash('sha256');
  h.update(`knobe-lab ${TOOL_VERSION}\n`);
  // A set without a template of its own uses the default, which is no part of any cell's text: its
  // version stands for it, so a new default recomputes what the old one made.
  h.update(`prompt template ${DEFAULT_TEMPLATE_ID}\n`);
  visitSources(doc, cell, (t) => h.update(t));
  for (const m of modelHashes) h.update(`model ${m}\n`);
  for (const i of inputs) h.update(`input ${i}\n`);
  return h.digest('hex').slice(0, 16);
}

/**
 * Hash of the texts a cell's result depends on, without models or inputs: equal before and after a
 * run exactly when nobody edited the cell, or a cell it reads, meanwhile.
 */
export function sourceHash(doc: KnobeDocument, cell: KnobeCell): string {
  const h = createHash('sha256');
  visitSources(doc, cell, (t) => h.update(t));
  return h.digest('hex').slice(0, 16);
}
