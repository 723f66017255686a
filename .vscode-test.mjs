// @vscode/test-cli configuration: runs test/integration in a downloaded VS Code (`npx vscode-test`)
// wherever @vscode/test-electron can reach update.code.visualstudio.com. On machines that cannot,
// `npm run test:vscode` runs the same bundles inside code-server instead.
import { defineConfig } from '@vscode/test-cli';
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildIntegration } from './scripts/vscode/build-integration.mjs';

// The extension under test runs from dist/, and the suite from its bundles: build both first.
const build = spawnSync(process.execPath, ['scripts/build.mjs'], { stdio: 'inherit' });
if (build.status !== 0) throw new Error('node scripts/build.mjs failed');
const { suiteDir } = await buildIntegration({ vsix: false });

// Tests write into their workspace, so they get a throwaway copy of the examples.
const workspace = join(mkdtempSync(join(tmpdir(), 'knobe-vscode-test-')), 'workspace');
cpSync('examples', workspace, { recursive: true });

export default defineConfig({
  label: 'integration',
  files: `${suiteDir}/*.test.cjs`,
  version: process.env.KNOBE_VSCODE_VERSION ?? '1.100.3',
  extensionDevelopmentPath: '.',
  workspaceFolder: workspace,
  launchArgs: ['--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes'],
  mocha: { ui: 'bdd', timeout: 120_000, color: true },
});
