// Builds the integration suite: each test/integration/suite/*.test.ts becomes one CommonJS bundle
// (vscode and mocha stay external: the extension host and the runner provide them), placed inside
// a small runner extension that is packaged as a VSIX for code-server. @vscode/test-cli
// (.vscode-test.mjs) loads the same bundles.
import * as esbuild from 'esbuild';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './code-server.mjs';

export const STAGE = join(ROOT, 'out/integration/runner');
export const SUITE_DIR = join(STAGE, 'suite');
export const RUNNER_VSIX = join(ROOT, 'out/integration/knobe-lab-integration-runner.vsix');

export async function buildIntegration({ vsix = true } = {}) {
  const src = join(ROOT, 'test/integration/suite');
  const tests = readdirSync(src).filter((f) => f.endsWith('.test.ts')).sort();
  if (tests.length === 0) throw new Error(`no *.test.ts under ${src}`);
  rmSync(STAGE, { recursive: true, force: true });
  mkdirSync(SUITE_DIR, { recursive: true });
  const common = { bundle: true, platform: 'node', format: 'cjs', target: 'node20', sourcemap: 'inline', logLevel: 'warning', external: ['vscode', 'mocha'] };
  await esbuild.build({
    ...common,
    entryPoints: tests.map((t) => join(src, t)),
    outdir: SUITE_DIR,
    outExtension: { '.js': '.cjs' },
  });
  await esbuild.build({ ...common, entryPoints: [join(ROOT, 'test/integration/runner/extension.ts')], outfile: join(STAGE, 'extension.cjs') });
  copyFileSync(join(ROOT, 'test/integration/runner/package.json'), join(STAGE, 'package.json'));
  if (!vsix) return { suiteDir: SUITE_DIR };
  const r = spawnSync(join(ROOT, 'node_modules/.bin/vsce'),
    ['package', '--no-dependencies', '--allow-missing-repository', '--skip-license', '--out', RUNNER_VSIX], { cwd: STAGE, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`packaging the integration runner failed:\n${r.stdout}\n${r.stderr}`);
  return { suiteDir: SUITE_DIR, vsix: RUNNER_VSIX };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const { vsix } = await buildIntegration({ vsix: !process.argv.includes('--no-vsix') });
  console.log(vsix ?? SUITE_DIR);
}
