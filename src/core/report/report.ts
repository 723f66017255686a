// renderReport: a notebook and its results → one self-contained HTML file. Charts are drawn to
// SVG here, in both palettes, so the file needs no script and no network to be read.
import { chartsFor, darkTheme, lightTheme } from '../../common/charts/index.js';
import { MODEL_LABEL } from '../../common/charts/common.js';
import { summaryTables } from '../../common/charts/tables.js';
import { INTEGRITY_LABEL, type CellOutput, type KnobeResult } from '../../common/results.js';
import { outputIntegrity } from '../format/checksum.js';
import { esc, scopeSvgIds, tableHtml } from './html.js';
import { markdownToHtml } from './markdown.js';
import { REPORT_CSS } from './style.js';
import { specToSvg } from './svg.js';
import type { ReportCell, ReportInput } from './types.js';

// Nothing may be fetched or run: inline styles, inline SVG and data: images only.
const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";
const LONG_TABLE = 12;
const KINDS: readonly KnobeResult['kind'][] = ['ratings', 'localization', 'sweep', 'stats'];

function provenanceHtml(output: CellOutput): string {
  const p = output.provenance;
  const models = p.models
    .map((m) => `${esc(MODEL_LABEL[m.role] ?? m.role)}: <code>${esc(m.source)}</code> (${esc(m.architecture)}, sha256 ${esc(m.sha256.slice(0, 12))})`)
    .join('; ');
  const facts = [
    p.protocol && `protocol ${esc(p.protocol)}`,
    p.prompt && `prompt ${esc(p.prompt)}`,
    p.template && `template ${esc(p.template.id)}`,
    p.seed !== undefined && `seed ${esc(String(p.seed))}`,
    `tool ${esc(p.tool)}`,
    esc(p.date),
    output.seconds !== undefined && `${output.seconds.toFixed(1)} s`,
    `hash ${esc(output.hash)}`,
    p.inputs?.length && `computed from ${p.inputs.map((i) => `${esc(i.cell)} (${esc(i.digest)})`).join(', ')}`,
  ].filter(Boolean);
  const badge = p.models.some((m) => m.synthetic) ? '<span class="badge">synthetic demo pair</span> ' : '';
  return `${integrityHtml(output)}<p class="provenance">${badge}${models}<br>${facts.join(' · ')}</p>${promptsHtml(p.prompts ?? [])}`;
}

/** A stored result that is not as a run wrote it says so above everything else. */
function integrityHtml(output: CellOutput): string {
  const integrity = outputIntegrity(output);
  if (integrity === 'verified') return '';
  const { title, text } = INTEGRITY_LABEL[integrity];
  return `<p class="integrity ${integrity}" role="note"><span class="badge ${integrity}">${esc(title.toLowerCase())}</span> ${esc(text.charAt(0).toUpperCase() + text.slice(1))}</p>`;
}

/** The exact text the first vignette became, folded: once when both models received the same. */
function promptsHtml(prompts: NonNullable<CellOutput['provenance']['prompts']>): string {
  const same = prompts.length > 1 && prompts.every((x) => x.text === prompts[0].text && x.vignette === prompts[0].vignette);
  const shown = same ? [{ ...prompts[0], who: 'both models' }] : prompts.map((x) => ({ ...x, who: `the ${MODEL_LABEL[x.model] ?? x.model} model` }));
  return shown.map((x) => `<details class="prompt"><summary>prompt of ${esc(x.vignette)}, as ${esc(x.who)} received it</summary><pre>${esc(x.text)}</pre></details>`).join('');
}

async function chartsHtml(output: CellOutput, cellIndex: number): Promise<string> {
  const lights = chartsFor(output, lightTheme);
  const darks = chartsFor(output, darkTheme);
  const parts: string[] = [];
  for (let i = 0; i < lights.length; i++) {
    const id = lights[i].id;
    try {
      const [l, d] = await Promise.all([specToSvg(lights[i].spec), specToSvg(darks[i].spec)]);
      parts.push(
        `<figure class="chart" data-chart="${esc(id)}"><div class="light">${scopeSvgIds(l, `c${cellIndex}-${i}-l`)}</div>` +
          `<div class="dark">${scopeSvgIds(d, `c${cellIndex}-${i}-d`)}</div></figure>`,
      );
    } catch (err) {
      parts.push(`<div class="error">chart ${esc(id)} could not be drawn: ${esc(err instanceof Error ? err.message : String(err))}</div>`);
    }
  }
  return parts.join('\n');
}

async function cellHtml(cell: ReportCell, index: number): Promise<string> {
  if (cell.kind === 'markdown') return `<section class="prose">${markdownToHtml(cell.text)}</section>`;
  const out: string[] = [
    `<section class="cell" id="cell-${index}">`,
    `<h2><span class="kind">${esc(cell.cellKind)}</span> ${esc(cell.name)}</h2>`,
    // Cells that produce nothing (pair, scenarios) are their source: show it; fold the rest.
    `<details${cell.output || cell.error ? '' : ' open'}><summary>source</summary><pre><code>${esc(cell.source)}</code></pre></details>`,
  ];
  if (cell.error) out.push(`<div class="error" role="alert">${esc(cell.error)}</div>`);
  if (cell.output) {
    const kind = (cell.output as { result?: { kind?: unknown } }).result?.kind;
    if (!KINDS.includes(kind as KnobeResult['kind'])) {
      out.push(`<div class="error" role="alert">output of cell ${esc(cell.name)} has an unknown result kind: ${esc(String(kind))}</div>`);
    } else {
      out.push(provenanceHtml(cell.output));
      out.push(await chartsHtml(cell.output, index));
      // Short tables are the summary a reader wants; long ones are the data behind a chart.
      for (const t of summaryTables(cell.output.result)) {
        out.push(t.rows.length > LONG_TABLE ? `<details class="data"><summary>${esc(t.caption)} (${t.rows.length} rows)</summary>${tableHtml(t)}</details>` : tableHtml(t));
      }
    }
  }
  out.push('</section>');
  return out.join('\n');
}

/** The whole report as one HTML document string. */
export async function renderReport(input: ReportInput): Promise<string> {
  const cells: string[] = [];
  // Sequential on purpose: each chart is a vega view, and two cores gain little from overlap.
  for (let i = 0; i < input.cells.length; i++) cells.push(await cellHtml(input.cells[i], i));
  const synthetic = input.cells.some((c) => c.kind === 'knobe' && c.output?.provenance.models.some((m) => m.synthetic));
  const generator = input.generator ?? 'Knobe Lab';
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="${esc(generator)}">
<title>${esc(input.title)}</title>
<style>${REPORT_CSS}</style>
</head>
<body>
<div class="page">
<header class="topbar">
<h1>${esc(input.title)}</h1>
<div class="themes" role="radiogroup" aria-label="colour theme">theme
<input type="radio" name="theme" id="theme-auto" checked><label for="theme-auto">auto</label>
<input type="radio" name="theme" id="theme-light"><label for="theme-light">light</label>
<input type="radio" name="theme" id="theme-dark"><label for="theme-dark">dark</label>
</div>
</header>
${synthetic ? '<p class="banner">Some results below come from the built-in <strong>synthetic demo pair</strong>: they are a positive control for the method, not a finding about a real model.</p>\n' : ''}<main>
${cells.join('\n')}
</main>
<footer>Report written by ${esc(generator)}. Charts are pre-drawn SVG; this file loads nothing from the network.</footer>
</div>
</body>
</html>
`;
}
