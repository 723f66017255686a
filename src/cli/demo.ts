// `knobe demo` (the README's main job): runs every example notebook on the built-in demo pair,
// writes each notebook with its results and an HTML report under out/demo/ (./knobe-demo/ for an
// installed command), and prints where they are and Δ_Knobe of each model. The examples themselves
// are left untouched.
import { copyFileSync, existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join, resolve, sep } from 'node:path';
import type { RatingsResult, StatsResult } from '../common/results.js';
import { summaryTables } from '../common/charts/tables.js';
import type { DemoArgs } from './args.js';
import { runCommand } from './main.js';

/** The repository root: dist/cli.cjs lives one folder below it, and so does src/cli. */
function repoRoot(): string {
  for (const dir of [resolve(__dirname, '..'), process.cwd()]) if (existsSync(join(dir, 'examples'))) return dir;
  throw new Error('knobe demo runs from the Knobe Lab repository: no examples/ folder found');
}

/**
 * Where the demo writes: out/demo/ in a clone of the repository; ./knobe-demo/ where the command
 * was installed as a package (its own folder may not be writable, and is no place for results).
 */
function outputDir(root: string): string {
  return root.split(sep).includes('node_modules') ? resolve('knobe-demo') : join(root, 'out', 'demo');
}

export async function runDemo(args: DemoArgs): Promise<number> {
  const root = repoRoot();
  const outDir = outputDir(root);
  mkdirSync(outDir, { recursive: true });
  const examples = readdirSync(join(root, 'examples')).filter((f) => f.endsWith('.knobe')).sort();
  let code = 0;
  console.log('Knobe Lab demo — every example on the synthetic demo pair (a positive control with a planted bias).');
  for (const f of examples) {
    const copy = join(outDir, f);
    copyFileSync(join(root, 'examples', f), copy);
    const report = args.report && examples.length === 1 ? resolve(args.report) : join(outDir, f.replace(/\.knobe$/, '.html'));
    console.log(`\n== ${f}`);
    const { code: c, runs } = await runCommand({ command: 'run', file: copy, report, json: false, force: false }, () => {});
    code = Math.max(code, c);
    for (const r of runs) {
      if (r.output?.result.kind === 'ratings') {
        for (const s of (r.output.result as RatingsResult).summary) {
          console.log(`${r.name}: ${s.model.padEnd(10)} Δ_Knobe = ${s.delta.estimate.toFixed(2)}  95% CI [${s.delta.ci[0].toFixed(2)}, ${s.delta.ci[1].toFixed(2)}]  ${s.test.apa}`);
        }
      } else if (r.output?.result.kind === 'stats') {
        // The lines a paper quotes, and where each family's sweep finds the effect.
        for (const t of summaryTables(r.output.result as StatsResult).filter((x) => x.caption === 'Key results' || x.caption.startsWith('Layer effect per family'))) {
          for (const [what, line] of t.rows) console.log(`${r.name}: ${what}: ${line}`);
        }
      } else if (r.status === 'error' || r.status === 'cancelled') {
        console.log(`${r.name}: ${r.status} — ${r.error?.message}`);
      }
    }
    console.log(`notebook with results: ${copy}`);
    console.log(`report: ${report}`);
  }
  return code;
}
