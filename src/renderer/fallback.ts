// What is shown when a chart cannot be drawn: the error and the result as readable tables, built
// with textContent so no notebook text is ever parsed as HTML.
import { summaryTables, type Table } from '../common/charts/tables.js';
import type { KnobeResult } from '../common/results.js';

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, className?: string): HTMLElementTagNameMap[K] {
  const e = document.createElement(tag);
  if (text !== undefined) e.textContent = text;
  if (className) e.className = className;
  return e;
}

export function tableElement(table: Table): HTMLElement {
  const t = el('table', undefined, 'knobe-table');
  t.append(el('caption', table.caption));
  const head = el('tr');
  for (const c of table.columns) head.append(el('th', c));
  t.append(el('thead'));
  t.tHead!.append(head);
  const body = el('tbody');
  for (const row of table.rows) {
    const tr = el('tr');
    for (const cell of row) tr.append(el('td', cell));
    body.append(tr);
  }
  t.append(body);
  const wrap = el('div');
  wrap.append(t, ...(table.notes ?? []).map((n) => el('p', n, 'knobe-note')));
  return wrap;
}

const show = (v: unknown) => (v === undefined || v === null ? '' : typeof v === 'object' ? JSON.stringify(v) : String(v));

/** Rows of any shape as a table: the last resort when even the summary cannot be computed. */
function genericTable(result: unknown): Table {
  const r = result as { kind?: unknown; rows?: unknown; tests?: unknown };
  const rows = Array.isArray(r?.rows) ? r.rows : Array.isArray(r?.tests) ? r.tests : [];
  const objects = rows.filter((x): x is Record<string, unknown> => typeof x === 'object' && x !== null);
  const columns = [...new Set(objects.flatMap((o) => Object.keys(o)))];
  return { caption: `${show(r?.kind) || 'result'}: ${objects.length} rows`, columns, rows: objects.map((o) => columns.map((c) => show(o[c]))) };
}

export function tablesFor(result: KnobeResult): HTMLElement[] {
  let tables: Table[];
  try {
    tables = summaryTables(result);
    if (!Array.isArray(tables)) throw new Error('no summary for this result kind');
  } catch {
    tables = [genericTable(result)];
  }
  return tables.map(tableElement);
}

export function fallbackElement(error: unknown, result: unknown): HTMLElement {
  const box = el('div', undefined, 'knobe-fallback');
  box.append(el('p', `The chart could not be drawn: ${error instanceof Error ? error.message : String(error)}`, 'knobe-error'));
  box.append(...tablesFor(result as KnobeResult));
  return box;
}
