// Puts run results back into a notebook's text: each named cell's output block is replaced (or
// added); every other byte of the file stays as it was. `mergeOutputs` does so into a text that
// may have changed since the run read it.
import type { CellOutput } from '../../common/results.js';
import { cellByName, duplicateCells, wordText } from '../format/nodes.js';
import { fromNotebook, toNotebook } from '../format/notebook.js';
import { parse } from '../format/parser.js';
import { sourceHash } from './hash.js';

// The fence of a Knobe cell, not of an output block (a block that does not decode is a cell of its own).
const FENCE = /^\uFEFF?:::[ \t]+(?!output\b|result\b)\S+[ \t]+([A-Za-z0-9_-]+)/;

export function withOutputs(text: string, outputs: ReadonlyMap<string, CellOutput>): string {
  if (outputs.size === 0) return text;
  const nb = toNotebook(text);
  for (const cell of nb.cells) {
    if (cell.kind !== 'code') continue;
    const name = knobeCellName(cell.value);
    const out = name === undefined ? undefined : outputs.get(name);
    if (out) cell.outputs = [out];
  }
  return fromNotebook(nb);
}

/** The name of the Knobe cell whose text this is; undefined for prose and output blocks. */
export function knobeCellName(text: string): string | undefined {
  return FENCE.exec(text)?.[1];
}

/** A result to write, with the source hash its cell had when the run read the notebook. */
export interface PendingOutput {
  output: CellOutput;
  /** `sourceHash` of the cell in the text the run read. */
  source: string;
}

/** A result that was not written, and why. */
export interface WriteConflict {
  cell: string;
  reason: 'edited' | 'missing' | 'ambiguous';
}

/**
 * Merges run results into a notebook's text as it is now, which may differ from the text the run
 * read: every edit made meanwhile stays. A result is written only to the cell it was computed for,
 * found by name, and only if neither that cell nor a cell it reads was edited since the run read
 * them (same source hash); otherwise it is left out and reported.
 */
export function mergeOutputs(text: string, pending: ReadonlyMap<string, PendingOutput>): { text: string; conflicts: WriteConflict[] } {
  const doc = parse(text);
  const duplicated = new Set(duplicateCells(doc).map((c) => wordText(c.name)));
  const accepted = new Map<string, CellOutput>();
  const conflicts: WriteConflict[] = [];
  for (const [name, p] of pending) {
    const cell = cellByName(doc, name);
    if (!cell) conflicts.push({ cell: name, reason: 'missing' });
    else if (duplicated.has(name)) conflicts.push({ cell: name, reason: 'ambiguous' });
    else if (sourceHash(doc, cell) !== p.source) conflicts.push({ cell: name, reason: 'edited' });
    else accepted.set(name, p.output);
  }
  return { text: withOutputs(text, accepted), conflicts };
}
