// Puts run results back into a notebook's text: each named cell's output block is replaced (or
// added); every other byte of the file stays as it was.
import type { CellOutput } from '../../common/results.js';
import { fromNotebook, toNotebook } from '../format/notebook.js';

const FENCE = /^\uFEFF?:::[ \t]+\S+[ \t]+([A-Za-z0-9_-]+)/;

export function withOutputs(text: string, outputs: ReadonlyMap<string, CellOutput>): string {
  if (outputs.size === 0) return text;
  const nb = toNotebook(text);
  for (const cell of nb.cells) {
    if (cell.kind !== 'code') continue;
    const name = FENCE.exec(cell.value)?.[1];
    const out = name === undefined ? undefined : outputs.get(name);
    if (out) cell.outputs = [out];
  }
  return fromNotebook(nb);
}
