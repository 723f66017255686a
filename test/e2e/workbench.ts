// Driving the code-server workbench with the keyboard, as a person would, and finding what the
// notebook renderer drew inside the output webviews.
import type { Frame, Page } from 'playwright-core';

export async function waitForWorkbench(page: Page): Promise<void> {
  await page.waitForSelector('.monaco-workbench', { timeout: 90_000 });
  // The explorer lists the workspace once the remote file system answers.
  await page.waitForSelector('.explorer-folders-view .monaco-list-row', { timeout: 90_000 });
}

async function pickFromQuickInput(page: Page, text: string, rowText: string | RegExp): Promise<void> {
  await page.waitForSelector('.quick-input-widget:not([style*="display: none"]) input', { timeout: 20_000 });
  await page.keyboard.type(text, { delay: 10 });
  const row = page.locator('.quick-input-list .monaco-list-row', { hasText: rowText }).first();
  await row.waitFor({ timeout: 30_000 });
  await row.click();
}

export async function openFile(page: Page, name: string): Promise<void> {
  await page.keyboard.press('Control+P');
  await pickFromQuickInput(page, name, name);
}

export async function runCommand(page: Page, title: string): Promise<void> {
  await page.keyboard.press('F1');
  await pickFromQuickInput(page, title, new RegExp(`^\\s*${title.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
}

/** Runs every cell; answers the kernel picker if VS Code asks which controller to use. */
export async function runAll(page: Page): Promise<void> {
  await page.locator('.notebook-editor').first().click({ position: { x: 200, y: 10 } }).catch(() => {});
  await runCommand(page, 'Notebook: Run All');
  const picker = page.locator('.quick-input-widget:not([style*="display: none"]) .monaco-list-row', { hasText: /Knobe/i }).first();
  if (await picker.waitFor({ timeout: 5_000 }).then(() => true, () => false)) await picker.click();
}

/** Frames (output webviews, nested) whose document matches `selector`. */
export async function framesWith(page: Page, selector: string): Promise<Frame[]> {
  const found: Frame[] = [];
  for (const f of page.frames()) {
    try {
      if (await f.$(selector)) found.push(f);
    } catch {
      // A frame can go away while it is being queried.
    }
  }
  return found;
}

export interface DrawnChart {
  frame: Frame;
  /** Position among the charts of its frame. */
  index: number;
  /** Visible text of the chart (axis titles, labels) when drawn as SVG. */
  text: string;
  /** The SVG markup, or the canvas size, so a redraw can be detected. */
  fingerprint: string;
}

/** Every vega chart drawn in any output webview. */
export async function drawnCharts(page: Page): Promise<DrawnChart[]> {
  const charts: DrawnChart[] = [];
  for (const frame of page.frames()) {
    let found: { text: string; fingerprint: string }[] = [];
    try {
      found = await frame.$$eval('svg.marks, canvas.marks', (els) =>
        els.map((el) =>
          el.tagName.toLowerCase() === 'svg'
            ? { text: el.textContent ?? '', fingerprint: el.outerHTML }
            : { text: '', fingerprint: `canvas ${(el as HTMLCanvasElement).width}x${(el as HTMLCanvasElement).height} ${(el as HTMLCanvasElement).toDataURL().length}` },
        ),
      );
    } catch {
      continue;
    }
    found.forEach((c, index) => charts.push({ frame, index, ...c }));
  }
  return charts;
}

export async function pollFor<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 500));
  }
}

/** Text shown in the output webviews (every frame but the workbench itself). */
export async function outputFrameText(page: Page): Promise<string> {
  const parts: string[] = [];
  for (const f of page.frames()) {
    if (f === page.mainFrame()) continue;
    try {
      parts.push(await f.evaluate(() => document.body?.innerText ?? ''));
    } catch {}
  }
  return parts.join('\n');
}

/** "Cell 3 of 24" in the status bar: the focused cell and the count. */
async function cellPosition(page: Page): Promise<[number, number] | undefined> {
  const text = await page.locator('.statusbar').innerText().catch(() => '');
  const m = /Cell (\d+) of (\d+)/.exec(text);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/**
 * Polls `probe` while walking through the notebook cell by cell with the keyboard, as a person
 * would: the notebook list is virtualised, so a cell's outputs are only drawn while the cell is
 * near the viewport. Starts over from the top after the last cell.
 */
export async function scanNotebook<T>(page: Page, what: string, probe: () => Promise<T | undefined>, timeoutMs: number): Promise<T> {
  // Selecting a rendered Markdown cell puts the notebook in command mode, where arrows move between cells.
  await page.locator('.notebook-editor .markdown-cell-row >> visible=true').first().click({ position: { x: 40, y: 10 } }).catch(() => {});
  await page.keyboard.press('Escape');
  return pollFor(what, async () => {
    const found = await probe();
    if (found !== undefined) return found;
    const at = await cellPosition(page);
    if (at && at[0] >= at[1]) await page.keyboard.press('Control+Home');
    else for (let i = 0; i < 2; i++) await page.keyboard.press('ArrowDown');
    await page.waitForTimeout(300);
    return undefined;
  }, timeoutMs);
}

/** Walks the notebook with the keyboard until the given chart is on screen, for the screenshot. */
export async function revealChart(page: Page, chart: DrawnChart): Promise<boolean> {
  const viewport = page.viewportSize() ?? { width: 1600, height: 1000 };
  for (let step = 0; step < 60; step++) {
    const els = await chart.frame.$$('svg.marks, canvas.marks').catch(() => []);
    const box = await els[chart.index]?.boundingBox().catch(() => null);
    if (box && box.y >= 60 && box.y + Math.min(box.height, 300) <= viewport.height) return true;
    const at = await cellPosition(page);
    await page.keyboard.press(at && at[0] >= at[1] ? 'Control+Home' : 'ArrowDown');
    await page.waitForTimeout(250);
  }
  return false;
}
