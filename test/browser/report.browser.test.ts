// The HTML report in a real browser, opened from a file with the network blocked: every chart is
// drawn, nothing is fetched, no notebook text runs, and both palettes look right (screenshots are
// kept under test-results/).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Browser, Page } from 'playwright-core';
import { renderReport } from '../../src/core/report/index.js';
import { hostileNotebook, studyNotebook } from '../fixtures/results/notebook.js';
import { launch, offlineContext, RESULTS_DIR } from './browser.js';

let browser: Browser;
let studyFile: string;
let hostileFile: string;
let hostileNoCspFile: string;

before(async () => {
  browser = await launch();
  studyFile = join(RESULTS_DIR, 'report-study.html');
  hostileFile = join(RESULTS_DIR, 'report-hostile.html');
  hostileNoCspFile = join(RESULTS_DIR, 'report-hostile-no-csp.html');
  writeFileSync(studyFile, await renderReport(studyNotebook()));
  const hostile = await renderReport(hostileNotebook());
  writeFileSync(hostileFile, hostile);
  // The same page without its Content-Security-Policy: escaping alone must keep it inert.
  const noCsp = hostile.replace(/<meta http-equiv="Content-Security-Policy"[^>]*>/, '');
  assert.notEqual(noCsp, hostile);
  writeFileSync(hostileNoCspFile, noCsp);
});
after(() => browser?.close());

async function open(file: string, colorScheme: 'light' | 'dark') {
  const net = await offlineContext(browser, undefined, { colorScheme, viewport: { width: 1100, height: 900 } });
  const page = await net.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  return { page, ...net, errors };
}

/** For each figure: its chart id, which palette is visible, and the number of drawn mark items. */
function figures(page: Page) {
  return page.$$eval('figure.chart', (figs) =>
    figs.map((f) => {
      const visible = [...f.querySelectorAll(':scope > div')].find((d) => getComputedStyle(d).display !== 'none');
      const items = visible ? visible.querySelectorAll('g.role-mark > path, g.role-mark > rect, g.role-mark > line, g.role-mark > text').length : 0;
      const box = visible?.querySelector('svg')?.getBoundingClientRect();
      return { id: f.getAttribute('data-chart'), palette: visible?.className, items, width: box?.width ?? 0 };
    }),
  );
}

for (const scheme of ['light', 'dark'] as const) {
  test(`report draws every chart in the ${scheme} palette with the network blocked`, async () => {
    const { page, context, blocked, requested, errors } = await open(studyFile, scheme);
    const figs = await figures(page);
    assert.deepEqual(figs.map((f) => f.id), ['ratings', 'localization', 'layer-effect', 'position-heatmap', 'effects']);
    // At least one item per data point: 96 vignettes, 24 δ_l cells, 36 patches, 84 cells, 3 tests.
    const least: Record<string, number> = { ratings: 96, localization: 24, 'layer-effect': 36, 'position-heatmap': 84, effects: 3 };
    for (const f of figs) {
      assert.equal(f.palette, scheme, `${f.id}: wrong palette shown`);
      assert.ok(f.items >= least[f.id!], `${f.id}: only ${f.items} marks drawn`);
      assert.ok(f.width > 200, `${f.id}: ${f.width}px wide`);
    }
    const points = await page.$$eval('figure[data-chart="layer-effect"] > div:not([style*="none"]) g.patch_points_marks', (gs) =>
      gs.filter((g) => g.getBoundingClientRect().width > 0).map((g) => g.querySelectorAll('path').length),
    );
    assert.deepEqual(points, [12, 12, 12]);
    const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
    assert.equal(bg, scheme === 'dark' ? 'rgb(30, 30, 30)' : 'rgb(255, 255, 255)');
    await page.screenshot({ path: join(RESULTS_DIR, `report-${scheme}.png`), fullPage: true });
    assert.deepEqual(blocked, []);
    assert.deepEqual(requested, [pathToFileURL(studyFile).href], 'the report loaded something besides itself');
    assert.deepEqual(errors, []);
    await context.close();
  });
}

test('the theme switch works without script', async () => {
  const { page, context } = await open(studyFile, 'light');
  await page.click('label[for=theme-dark]');
  assert.ok((await figures(page)).every((f) => f.palette === 'dark'));
  await page.click('label[for=theme-light]');
  assert.ok((await figures(page)).every((f) => f.palette === 'light'));
  await context.close();
});

for (const [what, file] of [['with', () => hostileFile], ['without', () => hostileNoCspFile]] as const) {
  test(`no notebook text runs (${what} the content security policy)`, async () => {
    const { page, context, blocked, errors } = await open(file(), 'light');
    // Give deferred payloads (onerror of a failed image, onload) their chance, and hover the points.
    for (const el of (await page.$$('figure.chart .light g.rating_points_marks > path')).slice(0, 4)) await el.hover({ force: true });
    await page.waitForTimeout(300);
    assert.equal(await page.evaluate(() => (window as unknown as { __pwned?: unknown }).__pwned), undefined);
    assert.equal(await page.$$eval('script, iframe, object, embed', (e) => e.length), 0);
    assert.equal(await page.$$eval('img', (e) => e.length), 0);
    const text = await page.textContent('main');
    assert.ok(text?.includes("<script>window.__pwned='prose-script'</script>"), 'the prose payload is shown as text');
    assert.ok(text?.includes('The chairman said "</code></pre><script>'), 'the vignette payload is shown as text');
    assert.equal(await page.title(), "Chairman </title><script>window.__pwned='title'</script>");
    assert.deepEqual(blocked, [], 'nothing was fetched (the remote image is not embedded)');
    assert.deepEqual(errors, []);
    await page.screenshot({ path: join(RESULTS_DIR, `report-hostile-${what}-csp.png`), fullPage: true });
    await context.close();
  });
}
