// Headless Chromium for the browser tests: Debian's /usr/bin/chromium driven by playwright-core
// (scripts/ensure-chromium.sh installs it), with everything that phones home switched off.
import { chromium, type Browser, type BrowserContext, type Request } from 'playwright-core';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
export const RESULTS_DIR = fileURLToPath(new URL('../../test-results/', import.meta.url));

export async function launch(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing: run scripts/ensure-chromium.sh`);
  mkdirSync(RESULTS_DIR, { recursive: true });
  return chromium.launch({
    executablePath: CHROMIUM,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run', '--disable-quic'],
  });
}

/**
 * Aborts every http(s) request except those `serve` answers, and records all of them, so a test
 * can assert that nothing tried to reach the network.
 */
export async function offlineContext(
  browser: Browser,
  serve?: (url: URL) => { body: string | Buffer; contentType: string } | undefined,
  options: Parameters<Browser['newContext']>[0] = {},
): Promise<{ context: BrowserContext; blocked: string[]; requested: string[] }> {
  const context = await browser.newContext(options);
  const blocked: string[] = [];
  const requested: string[] = [];
  context.on('request', (r: Request) => requested.push(r.url()));
  await context.route(/^https?:/, async (route) => {
    const url = new URL(route.request().url());
    const answer = serve?.(url);
    if (answer) return route.fulfill({ status: 200, body: answer.body, contentType: answer.contentType });
    blocked.push(url.href);
    return route.abort('blockedbyclient');
  });
  return { context, blocked, requested };
}
