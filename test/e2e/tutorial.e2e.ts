// End to end, as a person uses it: code-server with the packaged extension, headless Chromium,
// open the tutorial, Run All, see the layer-effect chart, switch to a dark theme, and see the
// error of a notebook whose model path is wrong. Screenshots go to test-results/e2e/.
// Run through `npm run test:e2e`, which sets up code-server and the VSIX first.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { ROOT, startCodeServer, examplesWorkspace, launchChromium } from '../../scripts/vscode/code-server.mjs';
import { allFrameText, drawnCharts, openFile, pollFor, runAll, runCommand, waitForWorkbench } from './workbench.js';

const codeServerDir = process.env.KNOBE_E2E_CODE_SERVER;
const vsix = process.env.KNOBE_E2E_VSIX;
const SHOTS = join(ROOT, 'test-results/e2e');
const RUN_TIMEOUT_MS = Number(process.env.KNOBE_E2E_RUN_TIMEOUT_MS ?? 300_000);

describe('Knobe notebooks in VS Code (code-server + Chromium)', { timeout: 15 * 60_000 }, () => {
  let server: Awaited<ReturnType<typeof startCodeServer>>;
  let browser: Browser;
  let page: Page;
  const shot = async (name: string) => page.screenshot({ path: join(SHOTS, `${name}.png`) });

  before(async () => {
    assert.ok(codeServerDir && vsix, 'KNOBE_E2E_CODE_SERVER and KNOBE_E2E_VSIX are set by scripts/vscode/run-e2e.mjs');
    mkdirSync(SHOTS, { recursive: true });
    const home = mkdtempSync(join(tmpdir(), 'knobe-e2e-'));
    const folder = examplesWorkspace(home);
    const tutorial = readFileSync(join(folder, 'tutorial.knobe'), 'utf8');
    assert.ok(tutorial.includes('pretrained: demo:pretrained'), 'the tutorial uses the demo pair');
    writeFileSync(join(folder, 'broken-model.knobe'), tutorial.replace('pretrained: demo:pretrained', 'pretrained: ./models/no-such-model'));
    server = await startCodeServer({ codeServerDir, vsixes: [vsix], folder, home, settings: { 'workbench.colorTheme': 'Default Light Modern' } });
    browser = await launchChromium();
    page = await browser.newPage({ viewport: { width: 1600, height: 1000 } });
    await page.goto(server.workbenchUrl, { waitUntil: 'domcontentloaded', timeout: 180_000 });
    await waitForWorkbench(page);
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  it('opens the tutorial as a notebook', async () => {
    await openFile(page, 'tutorial.knobe');
    await page.waitForSelector('.notebook-editor .cell-list-container', { timeout: 60_000 });
    await page.waitForSelector('.notebook-editor .markdown-cell-row, .notebook-editor .markdown', { timeout: 60_000 });
    await shot('01-tutorial-open');
    const codeCells = await page.locator('.notebook-editor .code-cell-row').count();
    assert.ok(codeCells >= 1, 'code cells are shown');
  });

  let layerChart: Awaited<ReturnType<typeof drawnCharts>>[number];

  it('runs all cells and draws the layer-effect chart', async () => {
    await runAll(page);
    layerChart = await pollFor('a layer-effect chart in an output webview', async () => {
      const charts = await drawnCharts(page);
      return charts.find((c) => /layer/i.test(c.text)) ?? (charts.length > 0 && charts.every((c) => c.text === '') ? charts[0] : undefined);
    }, RUN_TIMEOUT_MS);
    // Let the remaining cells finish drawing, then keep a picture.
    await page.waitForTimeout(3000);
    await shot('02-tutorial-run-all');
    const charts = await drawnCharts(page);
    assert.ok(charts.length >= 1, `charts drawn: ${charts.length}`);
  });

  it('redraws the charts in a dark theme', async () => {
    const before = new Set((await drawnCharts(page)).map((c) => c.fingerprint));
    await runCommand(page, 'Preferences: Color Theme');
    const dark = page.locator('.quick-input-list .monaco-list-row', { hasText: /^Dark Modern/ }).first();
    await dark.waitFor({ timeout: 20_000 });
    await dark.click();
    await pollFor('the workbench to turn dark', async () => ((await page.$('.monaco-workbench.vs-dark')) ? true : undefined), 20_000);
    await pollFor('the output webview to switch to the dark theme', async () => {
      for (const f of page.frames()) {
        try {
          if (await f.$('body.vscode-dark svg.marks, body.vscode-dark canvas.marks')) return true;
        } catch {}
      }
      return undefined;
    }, 30_000);
    const redrawn = await pollFor('a chart to be redrawn with the dark palette', async () => {
      const now = await drawnCharts(page);
      return now.length > 0 && now.some((c) => !before.has(c.fingerprint)) ? now : undefined;
    }, 30_000);
    await page.waitForTimeout(1000);
    await shot('03-tutorial-dark');
    assert.ok(redrawn.length >= 1);
  });

  it('shows an error naming the missing model of a broken notebook', async () => {
    await openFile(page, 'broken-model.knobe');
    await page.waitForSelector('.notebook-editor .code-cell-row', { timeout: 60_000 });
    await runAll(page);
    const text = await pollFor('an error output naming ./models/no-such-model', async () => {
      const t = await allFrameText(page);
      return /no-such-model/.test(t) ? t : undefined;
    }, RUN_TIMEOUT_MS);
    await shot('04-broken-model-error');
    assert.match(text, /no-such-model/);
  });
});
