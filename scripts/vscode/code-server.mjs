// Starts a throwaway code-server (a real VS Code whose extension host is Node) and a headless
// Chromium that connects to it: the extension host only starts once a workbench page is open.
// Shared by the integration runner and the e2e suite.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync, readdirSync, cpSync, createWriteStream } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const CHROMIUM = process.env.KNOBE_CHROMIUM ?? '/usr/bin/chromium';
export const VSIX = join(ROOT, 'knobe-lab.vsix');

/** Thrown when the machine lacks something the suites need; the caller decides skip or fail. */
export class MissingPrerequisite extends Error {}

export function log(msg) {
  process.stderr.write(`[vscode] ${msg}\n`);
}

/** Runs scripts/vscode/setup.sh (instant when cached) and returns the code-server folder. */
export function setupCodeServer() {
  const t0 = Date.now();
  const r = spawnSync('bash', [join(ROOT, 'scripts/vscode/setup.sh')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new MissingPrerequisite(`scripts/vscode/setup.sh failed (exit ${r.status}); see its messages above`);
  const dir = r.stdout.trim().split('\n').pop();
  if (!dir || !existsSync(join(dir, 'out/node/entry.js'))) throw new MissingPrerequisite(`setup.sh did not leave code-server in ${dir}`);
  if (!existsSync(CHROMIUM)) throw new MissingPrerequisite(`no Chromium at ${CHROMIUM} (set KNOBE_CHROMIUM)`);
  log(`code-server ready (${((Date.now() - t0) / 1000).toFixed(1)} s): ${dir}`);
  return dir;
}

function newestMtime(paths) {
  let newest = 0;
  const visit = (p) => {
    if (!existsSync(p)) return;
    const s = statSync(p);
    if (s.isDirectory()) for (const n of readdirSync(p)) visit(join(p, n));
    else newest = Math.max(newest, s.mtimeMs);
  };
  paths.forEach(visit);
  return newest;
}

/** `npm run package` unless knobe-lab.vsix is newer than everything that goes into it (KNOBE_VSIX: test that file instead). */
export function packageExtension() {
  if (process.env.KNOBE_VSIX) {
    log(`using the prebuilt VSIX ${process.env.KNOBE_VSIX}`);
    return process.env.KNOBE_VSIX;
  }
  const inputs = ['src', 'package.json', 'syntaxes', 'media', 'language-configuration.json', '.vscodeignore', 'scripts/build.mjs'].map((p) => join(ROOT, p));
  if (existsSync(VSIX) && statSync(VSIX).mtimeMs > newestMtime(inputs)) {
    log('knobe-lab.vsix is up to date');
    return VSIX;
  }
  const t0 = Date.now();
  const r = spawnSync('npm', ['run', 'package'], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  if (r.status !== 0) throw new Error(`npm run package failed (exit ${r.status}):\n${r.stdout}`);
  log(`packaged knobe-lab.vsix in ${((Date.now() - t0) / 1000).toFixed(1)} s (${(statSync(VSIX).size / 1e6).toFixed(1)} MB)`);
  return VSIX;
}

function freePort() {
  return new Promise((res, rej) => {
    const srv = createServer();
    srv.on('error', rej);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => res(port));
    });
  });
}

const DEFAULT_SETTINGS = {
  'workbench.startupEditor': 'none',
  'workbench.tips.enabled': false,
  'workbench.enableExperiments': false,
  'telemetry.telemetryLevel': 'off',
  'update.mode': 'none',
  'extensions.autoCheckUpdates': false,
  'extensions.autoUpdate': false,
  'security.workspace.trust.enabled': false,
  'notebook.confirmDeleteRunningCell': false,
  'files.hotExit': 'off',
  // Tests save explicitly; code-server would otherwise write files while a test reads them.
  'files.autoSave': 'off',
  'window.restoreWindows': 'none',
  'chat.disableAIFeatures': true,
};

/**
 * Starts code-server on 127.0.0.1 with a fresh user-data-dir and extensions-dir, the given VSIX
 * files installed and `folder` as its workspace.
 * Returns { url, port, home, logFile, stop() }.
 */
export async function startCodeServer({ codeServerDir, vsixes, folder, env = {}, settings = {}, home }) {
  home ??= mkdtempSync(join(tmpdir(), 'knobe-code-server-'));
  const userData = join(home, 'user-data');
  const extensions = join(home, 'extensions');
  mkdirSync(join(userData, 'User'), { recursive: true });
  mkdirSync(extensions, { recursive: true });
  writeFileSync(join(userData, 'User/settings.json'), JSON.stringify({ ...DEFAULT_SETTINGS, ...settings }, null, 2));
  const entry = join(codeServerDir, 'out/node/entry.js');
  const base = ['--user-data-dir', userData, '--extensions-dir', extensions];
  for (const vsix of vsixes) {
    const r = spawnSync(process.execPath, [entry, ...base, '--install-extension', vsix, '--force'], { encoding: 'utf8' });
    if (r.status !== 0 || !/successfully installed/i.test(r.stdout + r.stderr)) {
      throw new Error(`installing ${vsix} into code-server failed (exit ${r.status}):\n${r.stdout}\n${r.stderr}`);
    }
  }
  const port = await freePort();
  const logFile = join(home, 'code-server.log');
  const out = createWriteStream(logFile);
  const child = spawn(
    process.execPath,
    [entry, ...base, '--config', join(home, 'config.yaml'), '--auth', 'none', '--bind-addr', `127.0.0.1:${port}`, '--disable-telemetry', '--disable-update-check',
      '--disable-workspace-trust', '--disable-getting-started-override', folder],
    { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'], detached: true },
  );
  child.stdout.pipe(out);
  child.stderr.pipe(out);
  let exited = null;
  child.on('exit', (code) => (exited = code ?? -1));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (exited !== null) throw new Error(`code-server exited with ${exited}; log: ${logFile}`);
    try {
      const r = await fetch(`${url}/healthz`);
      if (r.ok) break;
    } catch {}
    if (Date.now() > deadline) throw new Error(`code-server did not answer on ${url} within 60 s; log: ${logFile}`);
    await new Promise((r) => setTimeout(r, 250));
  }
  const stop = async () => {
    if (exited === null) {
      try { process.kill(-child.pid, 'SIGTERM'); } catch {}
      await Promise.race([new Promise((r) => child.once('exit', r)), new Promise((r) => setTimeout(r, 5000))]);
      if (exited === null) try { process.kill(-child.pid, 'SIGKILL'); } catch {}
    }
    out.end();
  };
  return { url, port, home, userData, extensions, logFile, stop, workbenchUrl: `${url}/?folder=${encodeURIComponent(folder)}` };
}

/** A throwaway copy of examples/ to open as the workspace, so tests may write into it. */
export function examplesWorkspace(home) {
  const dir = join(home, 'workspace');
  rmSync(dir, { recursive: true, force: true });
  cpSync(join(ROOT, 'examples'), dir, { recursive: true });
  return dir;
}

export async function launchChromium() {
  const { chromium } = await import('playwright-core');
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--no-first-run', '--disable-quic', '--disable-dev-shm-usage'],
  });
}

/** True under CI, where missing prerequisites fail the run instead of skipping it. */
export const STRICT = /^(1|true)$/i.test(process.env.CI ?? '');

/**
 * code-server's folder, set up if needed. Where this machine cannot host it, prints why and exits:
 * with 1 under CI (a suite that cannot run has failed), with 0 elsewhere (skipped).
 */
export function codeServerOrExit(label) {
  try {
    return setupCodeServer();
  } catch (e) {
    if (!(e instanceof MissingPrerequisite)) throw e;
    console.error(`${label} ${STRICT ? 'FAILED' : 'skipped'}: cannot run VS Code here: ${e.message}`);
    process.exit(STRICT ? 1 : 0);
  }
}
