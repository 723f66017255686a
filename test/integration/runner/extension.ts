// Runs the integration suite with mocha inside the extension host when KNOBE_INTEGRATION_OUT names
// a folder: results stream to progress.tap there and end in results.json, which the outer script
// (scripts/vscode/run-integration.mjs) reads. @vscode/test-electron does the same job where it can
// download VS Code; code-server has no extensionTestsPath, hence this small extension.
import * as vscode from 'vscode';
import { appendFileSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface TestRecord {
  title: string;
  state: 'passed' | 'failed' | 'pending';
  durationMs?: number;
  error?: string;
}

export async function activate(context: vscode.ExtensionContext): Promise<void> {
  const out = process.env.KNOBE_INTEGRATION_OUT;
  if (!out) return;
  mkdirSync(out, { recursive: true });
  const progress = join(out, 'progress.tap');
  const tests: TestRecord[] = [];
  const started = Date.now();
  const finish = (error?: string) => {
    const count = (s: TestRecord['state']) => tests.filter((t) => t.state === s).length;
    const results = { passed: count('passed'), failed: count('failed') + (error ? 1 : 0), pending: count('pending'), durationMs: Date.now() - started, error, tests };
    writeFileSync(join(out, 'results.json'), JSON.stringify(results, null, 2));
  };
  try {
    const mochaPath = process.env.KNOBE_INTEGRATION_MOCHA;
    if (!mochaPath) throw new Error('KNOBE_INTEGRATION_MOCHA must name the mocha package folder');
    const Mocha = require(mochaPath);
    const grep = process.env.KNOBE_INTEGRATION_GREP;
    const mocha = new Mocha({ ui: 'bdd', timeout: 120_000, color: false, reporter: reporterFor(tests, progress), ...(grep ? { grep } : {}) });
    const suiteDir = join(context.extensionPath, 'suite');
    for (const f of readdirSync(suiteDir).filter((f) => f.endsWith('.test.cjs')).sort()) mocha.addFile(join(suiteDir, f));
    await new Promise<void>((resolve) => mocha.run(() => resolve()));
    finish();
  } catch (e) {
    appendFileSync(progress, `Bail out! ${(e as Error).stack ?? e}\n`);
    finish(String((e as Error).stack ?? e));
  }
}

/** A mocha reporter writing TAP lines as tests finish, so the outer script can stream them. */
function reporterFor(tests: TestRecord[], file: string) {
  return class {
    constructor(runner: any) {
      let n = 0;
      const line = (s: string) => appendFileSync(file, s + '\n');
      runner.on('pass', (t: any) => {
        tests.push({ title: t.fullTitle(), state: 'passed', durationMs: t.duration });
        line(`ok ${++n} - ${t.fullTitle()} (${t.duration} ms)`);
      });
      runner.on('fail', (t: any, err: any) => {
        const error = String(err?.stack ?? err);
        tests.push({ title: t.fullTitle(), state: 'failed', durationMs: t.duration, error });
        // The full stack goes to results.json; the stream shows its head.
        line(`not ok ${++n} - ${t.fullTitle()}\n${error.split('\n').slice(0, 6).map((l) => '  # ' + l).join('\n')}`);
      });
      runner.on('pending', (t: any) => {
        tests.push({ title: t.fullTitle(), state: 'pending' });
        line(`ok ${++n} - ${t.fullTitle()} # SKIP`);
      });
      runner.once('end', () => line(`1..${n}`));
    }
  };
}

export function deactivate(): void {}
