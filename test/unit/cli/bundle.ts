// The `knobe` command as bin/knobe.cjs runs it: a cjs bundle of the current sources, built as
// scripts/build.mjs builds dist/cli.cjs (a private copy, so a stale dist/ cannot fool a test),
// and a way to start it as a child process.
import { spawn, spawnSync, type ChildProcessByStdio, type SpawnSyncReturns } from 'node:child_process';
import type { Readable } from 'node:stream';
import { join } from 'node:path';
import { build } from 'esbuild';

export interface Cli {
  /** Runs the command to its end. */
  run(args: string[], env?: NodeJS.ProcessEnv): SpawnSyncReturns<string>;
  /** Starts the command; stdout and stderr are piped. */
  start(args: string[], env?: NodeJS.ProcessEnv): ChildProcessByStdio<null, Readable, Readable>;
}

export async function buildCli(dir: string, env: NodeJS.ProcessEnv): Promise<Cli> {
  const bundle = join(dir, 'cli.cjs');
  await build({
    entryPoints: ['src/cli/main.ts'],
    outfile: bundle,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    external: ['onnxruntime-node'],
    logLevel: 'error',
    alias: { 'vega-canvas': './node_modules/vega-canvas/build/vega-canvas.browser.js' },
  });
  // `--` keeps node from taking the command's own options (--help) for its own.
  const entry = ['-e', `require(${JSON.stringify(bundle)}).cli(process.argv.slice(1))`, '--'];
  const base = { ...process.env, NODE_PATH: join(process.cwd(), 'node_modules'), ...env };
  return {
    run: (args, extra) => spawnSync(process.execPath, [...entry, ...args], { encoding: 'utf8', env: { ...base, ...extra } }),
    start: (args, extra) => spawn(process.execPath, [...entry, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...base, ...extra } }),
  };
}
