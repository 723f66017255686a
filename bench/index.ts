// `npm run bench`: runs every bench/*.bench.ts in turn. Each bench prints ratios measured side by
// side in this one run (absolute times on these machines are noisy; ratios are what we track).
// `npm run bench -- --scale 8b` runs the opt-in scale bench (bench/scale/) instead.
import { readdirSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { dirname, join } from 'node:path';

const here = dirname(fileURLToPath(import.meta.url));
const only = process.argv.slice(2);
if (only.some((a) => a === '--scale' || a.startsWith('--scale='))) {
  const { runScale } = await import('./scale/index.js');
  await runScale(only);
  process.exit(0);
}
const files = readdirSync(here)
  .filter((f) => f.endsWith('.bench.ts'))
  .filter((f) => only.length === 0 || only.some((o) => f.includes(o)))
  .sort();
for (const f of files) {
  console.log(`\n## ${f.replace(/\.bench\.ts$/, '')}`);
  const mod = await import(pathToFileURL(join(here, f)).href);
  await mod.run();
}
