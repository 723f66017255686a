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
import { outputFrameText, drawnCharts, openFile, pollFor, runAll, revealChart, runCommand, scanNotebook, waitForWorkbench } from './workbench.js';

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
    try {
      await page.waitForSelector('.notebook-editor .code-cell-row', { state: 'attached', timeout: 60_000 });
      const markdown = await page.locator('.notebook-editor .markdown-cell-row').count();
      assert.ok(markdown >= 1, 'markdown cells are shown');
    } finally {
      await shot('01-tutorial-open');
    }
  });

  it('runs all cells and draws the layer-effect chart', async () => {
    await runAll(page);
    try {
      // The layer-effect chart speaks of patching and has a layer axis (the δ_l heatmap has a
      // layer axis too); a canvas chart has no text to read.
      const layerChart = await scanNotebook(page, 'a layer-effect chart in an output webview', async () => {
        const charts = await drawnCharts(page);
        return charts.find((c) => /patch/i.test(c.text) && /layer/i.test(c.text)) ?? charts.find((c) => c.fingerprint.startsWith('canvas'));
      }, RUN_TIMEOUT_MS);
      // Let the remaining cells finish drawing, then bring the chart into view for the picture.
      await page.waitForTimeout(3000);
      await revealChart(page, layerChart);
    } finally {
      await shot('02-tutorial-run-all');
    }
    const charts = await drawnCharts(page);
    assert.ok(charts.length >= 2, `charts drawn: ${charts.length}`);
  });

  it('redraws the charts in a dark theme', async () => {
    const before = new Set((await drawnCharts(page)).map((c) => c.fingerprint));
    try {
      await switchToDark(before);
    } finally {
      await shot('03-tutorial-dark');
    }
  });

  async function switchToDark(before: Set<string>) {
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
    assert.ok(redrawn.length >= 1);
  }

  it('shows an error naming the missing model of a broken notebook', async () => {
    await openFile(page, 'broken-model.knobe');
    await page.waitForSelector('.notebook-editor .code-cell-row', { timeout: 60_000 });
    await runAll(page);
    try {
      // Only output webviews count: the cell's own source names the path too.
      const text = await scanNotebook(page, 'an error output naming ./models/no-such-model', async () => {
        const t = await outputFrameText(page);
        return /no-such-model/.test(t) ? t : undefined;
      }, RUN_TIMEOUT_MS);
      assert.match(text, /no-such-model/);
    } finally {
      await shot('04-broken-model-error');
    }
  });
});
