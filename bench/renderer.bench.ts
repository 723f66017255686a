// Size of the notebook renderer bundle next to what vega-embed ships for the same job: its own
// minified build plus the vega and vega-lite minified builds it needs beside it. Needs
// `npm run build` first (dist/renderer.js).
import { existsSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { fmt } from './util.js';

const root = new URL('../', import.meta.url);
const file = (p: string) => fileURLToPath(new URL(p, root));

function size(paths: string[]): { raw: number; gzip: number } {
  const bytes = Buffer.concat(paths.map((p) => readFileSync(file(p))));
  return { raw: bytes.length, gzip: gzipSync(bytes, { level: 9 }).length };
}

const kb = (n: number) => `${fmt(n / 1024, 1)} KiB`;

export async function run(): Promise<void> {
  if (!existsSync(file('dist/renderer.js'))) {
    console.log('dist/renderer.js is missing: run `npm run build` first');
    return;
  }
  const ours = size(['dist/renderer.js']);
  const reference = ['node_modules/vega-embed/build/vega-embed.min.js', 'node_modules/vega/build/vega.min.js', 'node_modules/vega-lite/build/vega-lite.min.js'];
  const theirs = size(reference);
  console.log(`dist/renderer.js                         raw ${kb(ours.raw)}  gzip ${kb(ours.gzip)}`);
  console.log(`vega-embed + vega + vega-lite (min.js)   raw ${kb(theirs.raw)}  gzip ${kb(theirs.gzip)}`);
  console.log(`ratio renderer / vega-embed stack        raw ${fmt(ours.raw / theirs.raw)}  gzip ${fmt(ours.gzip / theirs.gzip)}`);
}
