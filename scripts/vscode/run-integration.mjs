// `npm run test:vscode`: runs test/integration inside a real VS Code (code-server) on this machine.
// Sets up code-server (cached), packages the extension and the suite, starts code-server with a
// throwaway profile on a copy of examples/, connects headless Chromium so the extension host
// starts, streams the suite's TAP lines and exits non-zero on any failure.
// Outside CI a machine that cannot host code-server skips with a reason; under CI=true it fails.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ROOT, log, codeServerOrExit, packageExtension, startCodeServer, examplesWorkspace, launchChromium,
} from './code-server.mjs';
import { buildIntegration } from './build-integration.mjs';

const TIMEOUT_MS = Number(process.env.KNOBE_INTEGRATION_TIMEOUT_MS ?? 20 * 60_000);
const keep = process.argv.includes('--keep');
const grepArg = process.argv.find((a) => a.startsWith('--grep='));

async function main() {
  const t0 = Date.now();
  const codeServerDir = codeServerOrExit('test:vscode');
  // The suite's own reference reader is checked first, in plain Node.
  const support = readdirSync(join(ROOT, 'test/integration/support')).filter((f) => f.endsWith('.test.ts')).map((f) => join('test/integration/support', f));
  const unit = spawnSync(process.execPath, ['--import', 'tsx', '--test', ...support], { cwd: ROOT, encoding: 'utf8' });
  if (unit.status !== 0) {
    console.error(`test:vscode FAILED: the suite's support tests fail:\n${unit.stdout}${unit.stderr}`);
    return 1;
  }
  const vsix = packageExtension();
  const { vsix: runnerVsix } = await buildIntegration();
  const home = mkdtempSync(join(tmpdir(), 'knobe-integration-'));
  const out = join(home, 'results');
  const folder = examplesWorkspace(home);
  const server = await startCodeServer({
    codeServerDir, home, folder, vsixes: [vsix, runnerVsix],
    env: {
      KNOBE_INTEGRATION_OUT: out,
      KNOBE_INTEGRATION_MOCHA: join(ROOT, 'node_modules/mocha'),
      ...(grepArg ? { KNOBE_INTEGRATION_GREP: grepArg.slice('--grep='.length) } : {}),
    },
  });
  log(`code-server on ${server.url}, profile ${home}`);
  const browser = await launchChromium();
  let status = 1;
  try {
    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
    await page.goto(server.workbenchUrl, { waitUntil: 'domcontentloaded', timeout: 180_000 });
    let printed = 0;
    const progress = join(out, 'progress.tap');
    const resultsFile = join(out, 'results.json');
    const deadline = Date.now() + TIMEOUT_MS;
    for (;;) {
      if (existsSync(progress)) {
        const text = readFileSync(progress, 'utf8');
        if (text.length > printed) {
          process.stdout.write(text.slice(printed));
          printed = text.length;
        }
      }
      if (existsSync(resultsFile)) break;
      if (Date.now() > deadline) {
        console.error(`test:vscode FAILED: no results after ${TIMEOUT_MS / 1000} s; code-server log: ${server.logFile}`);
        return 1;
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    const results = JSON.parse(readFileSync(resultsFile, 'utf8'));
    if (results.error) console.error(`suite error: ${results.error}`);
    console.log(`# integration (code-server): ${results.passed} passed, ${results.failed} failed, ${results.pending} pending; suite ${(results.durationMs / 1000).toFixed(1)} s, total ${((Date.now() - t0) / 1000).toFixed(1)} s`);
    status = results.failed === 0 && results.passed > 0 ? 0 : 1;
    return status;
  } finally {
    await browser.close();
    await server.stop();
    if (!keep && status === 0) rmSync(home, { recursive: true, force: true });
    else log(`kept ${home} (code-server log: ${server.logFile})`);
  }
}

main().then((code) => process.exit(code), (e) => {
  console.error(`test:vscode FAILED: ${e.stack ?? e}`);
  process.exit(1);
});
