// The notebook renderer bundle (dist/renderer.js) in Chromium behind a CSP without 'unsafe-eval',
// driven by a minimal VS Code host: it draws every fixture, follows the theme, exports, copies
// CSV, falls back to a table, and stops following the theme once disposed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { mimeFor, type CellOutput } from '../../src/common/results.js';
import { toCsv } from '../../src/common/charts/csv.js';
import { launch, offlineContext, RESULTS_DIR } from './browser.js';

const ORIGIN = 'https://knobe.test';
const BUNDLE = new URL('../../dist/renderer.js', import.meta.url);
const fixture = (name: string) => readFileSync(new URL(`../fixtures/results/${name}.json`, import.meta.url), 'utf8');
const PAGE = `<!doctype html><html><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; script-src ${ORIGIN}; style-src 'unsafe-inline'; img-src data:">
<style>body{background:var(--vscode-editor-background);color:var(--vscode-editor-foreground)}</style>
<script type="module" src="${ORIGIN}/host.js"></script></head><body></body></html>`;

let browser: Browser;
let context: BrowserContext;
let page: Page;
let blocked: string[];
const problems: string[] = [];

before(async () => {
  if (!existsSync(BUNDLE)) throw new Error('dist/renderer.js is missing: run `npm run build` first');
  browser = await launch();
  const net = await offlineContext(browser, (url) => {
    if (url.origin !== ORIGIN) return undefined;
    if (url.pathname === '/') return { body: PAGE, contentType: 'text/html' };
    if (url.pathname === '/host.js') return { body: readFileSync(new URL('./renderer-host.js', import.meta.url)), contentType: 'text/javascript' };
    if (url.pathname === '/renderer.js') return { body: readFileSync(BUNDLE), contentType: 'text/javascript' };
    return undefined;
  }, { acceptDownloads: true, viewport: { width: 1000, height: 900 } });
  context = net.context;
  blocked = net.blocked;
  await context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: ORIGIN });
  page = await context.newPage();
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('console', (m) => {
    if (m.type() === 'error' || /Content Security Policy|unsafe-eval/.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  await page.goto(`${ORIGIN}/`);
  await page.waitForFunction(() => (window as unknown as { hostReady?: boolean }).hostReady === true);
});
after(() => browser?.close());

const render = (id: string, kind: string, text: string) =>
  page.evaluate(([i, m, t]) => (window as unknown as { host: { render(a: string, b: string, c: string): Promise<void> } }).host.render(i, m, t), [id, kind, text]);
const setTheme = (kind: 'light' | 'dark') => page.evaluate((k) => (window as unknown as { host: { setTheme(k: string): void } }).host.setTheme(k), kind);
const dispose = (id: string) => page.evaluate((i) => (window as unknown as { host: { dispose(i: string): void } }).host.dispose(i), id);

/** Background colour of the first chart of an output, and its drawn mark items. */
function drawn(id: string) {
  return page.$eval(`#${id}`, (el) => ({
    background: el.querySelector('svg .background')?.getAttribute('fill') ?? el.querySelector('svg rect')?.getAttribute('fill') ?? null,
    svgBackground: (el.querySelector('.knobe-chart svg') as SVGElement | null)?.style.backgroundColor ?? null,
    charts: el.querySelectorAll('.knobe-chart svg').length,
    points: el.querySelectorAll('g.patch_points_marks > path').length,
    marks: el.querySelectorAll('g.role-mark > path, g.role-mark > rect').length,
    theme: (el.querySelector('.knobe-output') as HTMLElement | null)?.dataset.theme ?? null,
  }));
}

test('renders a sweep: one point per patch, in the light theme colours', async () => {
  await render('sweep', mimeFor('sweep'), fixture('sweep'));
  const d = await drawn('sweep');
  assert.equal(d.charts, 1);
  assert.equal(d.points, 36);
  assert.equal(d.theme, 'light');
  const fill = await page.$eval('#sweep svg', (svg) => getComputedStyle(svg).backgroundColor);
  assert.equal(fill, 'rgb(255, 255, 254)');
  await page.screenshot({ path: join(RESULTS_DIR, 'renderer-light.png'), fullPage: true });
});

test('re-renders when the body switches to vscode-dark', async () => {
  await setTheme('dark');
  await page.waitForFunction(() => (document.querySelector('#sweep .knobe-output') as HTMLElement | null)?.dataset.theme === 'dark');
  await page.waitForFunction(() => document.querySelectorAll('#sweep g.patch_points_marks > path').length === 36);
  const fill = await page.$eval('#sweep svg', (svg) => getComputedStyle(svg).backgroundColor);
  assert.equal(fill, 'rgb(31, 31, 31)');
  const siteColours = await page.$$eval('#sweep g.patch_points_marks', (gs) => gs.map((g) => g.querySelector('path')?.getAttribute('fill')));
  assert.deepEqual(siteColours, ['#3794ff', '#d18616', '#89d185']);
  await page.screenshot({ path: join(RESULTS_DIR, 'renderer-dark.png'), fullPage: true });
});

test('draws every kind of output', async () => {
  const cases: [string, string, string, number][] = [
    ['ratings', 'ratings', 'ratings', 96],
    ['localization', 'localization', 'localization', 24],
    ['positions', 'sweep', 'sweep-positions', 84],
    ['stats', 'stats', 'stats', 3],
  ];
  for (const [id, kind, file, least] of cases) {
    await render(id, mimeFor(kind as 'sweep'), fixture(file));
    const d = await drawn(id);
    assert.equal(d.charts, 1, `${id}: charts`);
    assert.ok(d.marks >= least, `${id}: ${d.marks} marks`);
  }
  await page.screenshot({ path: join(RESULTS_DIR, 'renderer-all-dark.png'), fullPage: true });
});

test('tooltips show the exact numbers', async () => {
  const point = await page.$('#sweep g.patch_points_marks > path');
  await point!.hover();
  const tip = page.locator('#vg-tooltip-element');
  await tip.waitFor({ state: 'visible' });
  const text = await tip.textContent();
  const row = (JSON.parse(fixture('sweep')) as CellOutput).result as { rows: { delta: number }[] };
  assert.ok(text?.includes('Δ after patch'), text ?? '');
  assert.ok(text?.includes(row.rows[0].delta.toFixed(3)), text ?? '');
  await page.mouse.move(0, 0);
});

test('item names reach tooltips as text, never as markup', async () => {
  const hostile = JSON.parse(fixture('ratings')) as { result: { rows: { item: string }[] } };
  const payload = `<img src=x onerror="window.__pwned='tooltip'">`;
  hostile.result.rows[0].item = payload;
  await render('hostile', mimeFor('ratings'), JSON.stringify(hostile));
  const first = await page.$('#hostile g.rating_points_marks > path');
  await first!.hover({ force: true });
  const tip = page.locator('#vg-tooltip-element');
  await tip.waitFor({ state: 'visible' });
  assert.ok((await tip.textContent())?.includes(payload));
  assert.equal(await tip.locator('img').count(), 0);
  await page.waitForTimeout(200);
  assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
  await page.mouse.move(0, 0);
  await dispose('hostile');
});

test('copies the data as CSV', async () => {
  await page.click('#localization .knobe-toolbar button:has-text("Copy data as CSV")');
  await page.waitForFunction(() => document.querySelector('#localization .knobe-status')?.textContent?.startsWith('Copied'));
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, toCsv((JSON.parse(fixture('localization')) as CellOutput).result));
});

test('saves the chart as SVG and as PNG', async () => {
  const [svg] = await Promise.all([page.waitForEvent('download'), page.click('#sweep .knobe-toolbar button:has-text("Save as SVG")')]);
  assert.equal(svg.suggestedFilename(), 'knobe-layer-effect.svg');
  const svgText = readFileSync((await svg.path())!, 'utf8');
  assert.match(svgText, /^<svg /);
  assert.equal((svgText.match(/<path aria-label="(resid_post|attn_out|mlp_out) \d+: Δ/g) ?? []).length, 36);
  const [png] = await Promise.all([page.waitForEvent('download'), page.click('#sweep .knobe-toolbar button:has-text("Save as PNG")')]);
  assert.equal(png.suggestedFilename(), 'knobe-layer-effect.png');
  assert.deepEqual([...readFileSync((await png.path())!).subarray(0, 4)], [0x89, 0x50, 0x4e, 0x47]);
});

test('shows a table when the chart cannot be drawn', async () => {
  const broken = JSON.parse(fixture('sweep')) as { result: { rows: Record<string, unknown>[] } };
  broken.result.rows = [{ site: 'resid_post', label: '<b>7</b>', delta: 1.5 }];
  await render('broken', mimeFor('sweep'), JSON.stringify(broken));
  const fallback = await page.$eval('#broken', (el) => ({
    error: el.querySelector('.knobe-error')?.textContent ?? '',
    cells: [...el.querySelectorAll('td')].map((td) => td.textContent),
    bold: el.querySelectorAll('b').length,
  }));
  assert.match(fallback.error, /^The chart could not be drawn: /);
  assert.deepEqual(fallback.cells, ['resid_post', '<b>7</b>', '1.5']);
  assert.equal(fallback.bold, 0, 'row text is shown as text, not markup');

  await render('alien', mimeFor('sweep'), JSON.stringify({ hello: 'world' }));
  assert.match(await page.$eval('#alien .knobe-error', (e) => e.textContent ?? ''), /not a Knobe result/);
  await render('garbled', mimeFor('sweep'), '{"result": ');
  assert.match(await page.$eval('#garbled .knobe-error', (e) => e.textContent ?? ''), /not valid JSON/);
});

test('a stored result edited by hand, or without a checksum, says so above its chart', async () => {
  const marks: [string, string | undefined, RegExp | undefined][] = [
    ['edited', 'edited', /^Edited by hand — these numbers no longer match the checksum/],
    ['unverified', 'unverified', /^Not verifiable — this result was written before results carried a checksum/],
    ['computed', undefined, undefined],
  ];
  for (const [id, integrity, text] of marks) {
    const data = { ...(JSON.parse(fixture('stats')) as CellOutput), integrity };
    await render(id, mimeFor('stats'), JSON.stringify(data));
    const shown = await page.$eval(`#${id}`, (el) => ({
      note: el.querySelector('.knobe-integrity')?.textContent ?? null,
      charts: el.querySelectorAll('.knobe-chart svg').length,
    }));
    assert.equal(shown.charts, 1, `${id}: the chart is still drawn`);
    if (text) assert.match(shown.note ?? '', text, id);
    else assert.equal(shown.note, null, id);
  }
  // The fallback table keeps the banner.
  const broken = { ...(JSON.parse(fixture('sweep')) as CellOutput), integrity: 'edited' } as unknown as { result: { rows: unknown[] } };
  broken.result.rows = [{ site: 'resid_post' }];
  await render('edited-broken', mimeFor('sweep'), JSON.stringify(broken));
  assert.match(await page.$eval('#edited-broken', (el) => el.querySelector('.knobe-integrity')?.textContent ?? ''), /^Edited by hand/);
});

test('a disposed output no longer follows the theme; the others do', async () => {
  await dispose('ratings');
  await setTheme('light');
  await page.waitForFunction(() => (document.querySelector('#sweep .knobe-output') as HTMLElement | null)?.dataset.theme === 'light');
  await page.waitForTimeout(200);
  assert.equal((await drawn('ratings')).theme, 'dark');
  assert.equal((await drawn('localization')).theme, 'light');
});

test('the renderer asked for nothing over the network and raised no error', () => {
  assert.deepEqual(blocked, []);
  assert.deepEqual(problems, []);
});
