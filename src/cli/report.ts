// Writes the self-contained HTML report of a run: the notebook's prose and cells in order, each
// with its result (or why it failed).
import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { renderReport, type ReportCell } from '../core/report/index.js';
import type { KnobeDocument } from '../core/format/nodes.js';
import { wordText } from '../core/format/nodes.js';
import { cellSource } from '../core/study/hash.js';
import type { CellRun } from '../core/study/study.js';
import { TOOL_VERSION } from '../core/study/version.js';

export function reportCells(doc: KnobeDocument, runs: CellRun[]): ReportCell[] {
  const byName = new Map(runs.map((r) => [r.name, r]));
  const cells: ReportCell[] = [];
  for (const c of doc.cells) {
    if (c._type === 'markdown') {
      const text = doc.text.slice(c.start, c.end).replace(/^[ \t]*%%[ \t]*$/m, '').trim();
      if (text) cells.push({ kind: 'markdown', text });
    } else if (c._type === 'knobe') {
      const name = wordText(c.name) ?? '';
      const run = byName.get(name);
      cells.push({
        kind: 'knobe',
        cellKind: c.kind ?? wordText(c.kindWord) ?? '',
        name,
        source: cellSource(doc, c),
        output: run?.output ?? c.output?.output,
        error: run?.error ? `${run.error.message}${run.error.hint ? ` — ${run.error.hint}` : ''}` : undefined,
      });
    }
  }
  return cells;
}

export async function writeReport(file: string, doc: KnobeDocument, runs: CellRun[], title?: string): Promise<void> {
  const html = await renderReport({ title: title ?? basename(file).replace(/\.html?$/, ''), cells: reportCells(doc, runs), generator: `Knobe Lab ${TOOL_VERSION}` });
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, html);
}
