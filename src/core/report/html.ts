// HTML text and attribute escaping, and the pieces of markup built from notebook strings. Every
// string from the notebook passes through `esc` here: the report never splices raw text.
import type { Table } from '../../common/charts/tables.js';

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Escapes text for element content and for double- or single-quoted attribute values. */
export function esc(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]);
}

export function tableHtml(table: Table): string {
  const head = table.columns.map((c) => `<th scope="col">${esc(c)}</th>`).join('');
  const body = table.rows.map((r) => `<tr>${r.map((c, i) => (i === 0 ? `<th scope="row">${esc(c)}</th>` : `<td>${esc(c)}</td>`)).join('')}</tr>`).join('\n');
  const notes = (table.notes ?? []).map((n) => `<p class="note">${esc(n)}</p>`).join('');
  return `<div class="table"><table><caption>${esc(table.caption)}</caption><thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table>${notes}</div>`;
}

/**
 * Gives the ids inside one inline SVG a prefix. Vega numbers its gradients and clip paths per
 * drawing, so two charts in one page would otherwise share `gradient_0` and draw each other's.
 */
export function scopeSvgIds(svg: string, prefix: string): string {
  const ids = new Set([...svg.matchAll(/\bid="([^"]+)"/g)].map((m) => m[1]));
  if (ids.size === 0) return svg;
  return svg
    .replace(/\bid="([^"]+)"/g, (m, id: string) => `id="${prefix}-${id}"`)
    .replace(/url\(#([^)]+)\)/g, (m, id: string) => (ids.has(id) ? `url(#${prefix}-${id})` : m))
    .replace(/href="#([^"]+)"/g, (m, id: string) => (ids.has(id) ? `href="#${prefix}-${id}"` : m));
}
