// Draws Knobe cell outputs with vega-embed and keeps them in step with the VS Code theme.
// Vega runs with vega-interpreter (no eval, which the webview's CSP forbids) and a loader that
// refuses every URL: charts carry their data inline, and the renderer never reaches the network.
import embed, { type Result } from 'vega-embed';
import { loader } from 'vega';
import { expressionInterpreter } from 'vega-interpreter';
import { chartsFor, type Chart } from '../common/charts/index.js';
import { toCsv } from '../common/charts/csv.js';
import { INTEGRITY_LABEL, type ShownOutput } from '../common/results.js';
import { copyText, savePng, saveSvg } from './actions.js';
import { fallbackElement, tablesFor } from './fallback.js';
import { RENDERER_CSS } from './style.js';
import { themeFromCss, themeKind } from './theme.js';

const offline = loader();
offline.load = async (uri: string) => {
  throw new Error(`Knobe charts load no data; refused ${uri}`);
};

interface Live {
  element: HTMLElement;
  output: ShownOutput;
  embeds: Result[];
  /** Theme the output was last drawn with, to skip redraws that change nothing. */
  themeKey: string;
  /** Draws of one output run one after another, never interleaved. */
  drawing: Promise<void>;
  disposed: boolean;
}

function button(label: string, onClick: () => Promise<string | void>, status: HTMLElement): HTMLButtonElement {
  const b = document.createElement('button');
  b.type = 'button';
  b.textContent = label;
  b.addEventListener('click', () => {
    onClick().then(
      (message) => (status.textContent = message ?? ''),
      (err: unknown) => (status.textContent = `${label} failed: ${err instanceof Error ? err.message : String(err)}`),
    );
  });
  return b;
}

function assertOutput(data: unknown): asserts data is ShownOutput {
  const kind = (data as { result?: { kind?: unknown } } | null)?.result?.kind;
  if (!['ratings', 'localization', 'sweep', 'stats'].includes(kind as string)) {
    throw new Error(`this output is not a Knobe result (result.kind is ${JSON.stringify(kind)})`);
  }
}

/** The banner above a stored result that is not as a run wrote it; none for a computed one. */
function integrityElement(output: ShownOutput): HTMLElement | undefined {
  const integrity = output.integrity;
  if (integrity !== 'edited' && integrity !== 'unverified') return undefined;
  const { title, text } = INTEGRITY_LABEL[integrity];
  const p = document.createElement('p');
  p.className = `knobe-integrity knobe-${integrity}`;
  p.setAttribute('role', 'note');
  const strong = document.createElement('strong');
  strong.textContent = title;
  p.append(strong, ` — ${text}`);
  return p;
}

export class OutputRegistry {
  private readonly live = new Map<string, Live>();
  private readonly observer: MutationObserver;
  private pending: ReturnType<typeof setTimeout> | undefined;

  constructor(private readonly body: HTMLElement) {
    if (!document.getElementById('knobe-renderer-style')) {
      const style = document.createElement('style');
      style.id = 'knobe-renderer-style';
      style.textContent = RENDERER_CSS;
      document.head.append(style);
    }
    // A theme change sets `vscode-light` / `vscode-dark` on <body> and the CSS variables on
    // <html>, in two steps: wait for both before reading the colours.
    this.observer = new MutationObserver(() => {
      if (this.pending) return;
      this.pending = setTimeout(() => {
        this.pending = undefined;
        void this.rethemeAll();
      }, 0);
    });
    this.observer.observe(body, { attributes: true, attributeFilter: ['class'] });
    this.observer.observe(document.documentElement, { attributes: true, attributeFilter: ['style', 'class'] });
  }

  async render(id: string, data: unknown, element: HTMLElement, signal?: AbortSignal): Promise<void> {
    this.dispose(id);
    try {
      assertOutput(data);
    } catch (err) {
      element.replaceChildren(fallbackElement(err, (data as { result?: unknown } | null)?.result));
      return;
    }
    const live: Live = { element, output: data, embeds: [], themeKey: '', drawing: Promise.resolve(), disposed: false };
    this.live.set(id, live);
    await this.queue(live);
    if (signal?.aborted) this.dispose(id);
  }

  dispose(id?: string): void {
    for (const key of id === undefined ? [...this.live.keys()] : [id]) {
      const live = this.live.get(key);
      if (!live) continue;
      live.disposed = true;
      for (const e of live.embeds) e.finalize();
      live.embeds = [];
      this.live.delete(key);
    }
  }

  /** Stops following the theme and releases every view. */
  close(): void {
    this.dispose();
    this.observer.disconnect();
  }

  private async rethemeAll(): Promise<void> {
    await Promise.all([...this.live.values()].map((live) => this.queue(live)));
  }

  private queue(live: Live): Promise<void> {
    live.drawing = live.drawing.then(() => this.draw(live));
    return live.drawing;
  }

  private async draw(live: Live): Promise<void> {
    const theme = themeFromCss(this.body);
    const key = JSON.stringify(theme);
    if (live.disposed || key === live.themeKey) return;
    live.themeKey = key;
    for (const e of live.embeds) e.finalize();
    live.embeds = [];
    const root = document.createElement('div');
    root.className = 'knobe-output';
    root.dataset.theme = themeKind(this.body);
    live.element.replaceChildren(root);
    const mark = integrityElement(live.output);
    if (mark) root.append(mark);
    try {
      const charts = chartsFor(live.output, theme);
      for (const chart of charts) await this.drawChart(live, root, chart, theme.mode);
      const details = document.createElement('details');
      const summary = document.createElement('summary');
      summary.textContent = charts.length ? 'Table' : 'Summary';
      details.append(summary, ...tablesFor(live.output.result));
      details.open = charts.length === 0;
      root.append(details);
    } catch (err) {
      for (const e of live.embeds) e.finalize();
      live.embeds = [];
      live.element.replaceChildren(...[integrityElement(live.output), fallbackElement(err, live.output.result)].filter((e): e is HTMLElement => !!e));
    }
  }

  private async drawChart(live: Live, root: HTMLElement, chart: Chart, mode: 'light' | 'dark'): Promise<void> {
    const wrap = document.createElement('div');
    wrap.className = 'knobe-chart';
    wrap.dataset.chart = chart.id;
    const target = document.createElement('div');
    const toolbar = document.createElement('div');
    toolbar.className = 'knobe-toolbar';
    const status = document.createElement('span');
    status.className = 'knobe-status';
    status.setAttribute('role', 'status');
    wrap.append(toolbar, target);
    root.append(wrap);
    const result = await embed(target, chart.spec, {
      actions: false,
      renderer: 'svg',
      ast: true,
      expr: expressionInterpreter,
      loader: offline,
      tooltip: { theme: mode },
      downloadFileName: chart.id,
    });
    if (live.disposed) {
      result.finalize();
      return;
    }
    live.embeds.push(result);
    const name = `knobe-${chart.id}`;
    toolbar.append(
      button('Save as SVG', () => saveSvg(result.view, name), status),
      button('Save as PNG', () => savePng(result.view, name), status),
      button('Copy data as CSV', async () => {
        await copyText(toCsv(live.output.result));
        return 'Copied the data as CSV.';
      }, status),
      status,
    );
  }
}
