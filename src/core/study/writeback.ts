// Puts run results back into a notebook's text: each named cell's output block is replaced (or
// added); every other byte of the file stays as it was.
import type { CellOutput } from '../../common/results.js';
import { fromNotebook, toNotebook } from '../format/notebook.js';

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
