// The Hub token is handed to the download client and nothing else: not to results, provenance,
// the cache, error messages or the written notebook — whether the run succeeds or fails.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { CellOutput } from '../../../src/common/results.js';
import { parse } from '../../../src/core/format/parser.js';
import { Study } from '../../../src/core/study/study.js';
import { withOutputs } from '../../../src/core/study/writeback.js';
import { cell, filesUnder, notebook, pairCell, scenarios, smallPair, tmp } from './support.js';

const TOKEN = 'hf_secretXYZ9876543210abcdefghij';
const dir = tmp('token');
after(() => rmSync(dir, { recursive: true, force: true }));

const pairs: [string, string, string][] = [
  ['local folders', './pair/pretrained', './pair/finetuned'],
  ['the demo pair', 'demo:pretrained', 'demo:finetuned'],
  // An unreachable endpoint: the download fails, and its error must not carry the token either.
  ['a Hub id that cannot be fetched', 'hf:org/missing-model', './pair/finetuned'],
];

for (const [what, pre, fine] of pairs) {
  test(`with ${what}, the token lands nowhere`, async () => {
    const base = join(dir, what.replaceAll(' ', '-'));
    smallPair(join(base, 'pair'), [{ layer: 2, site: 'mlp' }]);
    const cache = join(base, 'cache');
    const text = notebook(pairCell('p', pre, fine), scenarios('set'), cell('ratings', 'rate', 'scenarios: set'), cell('sweep', 'patch', 'ratings: rate', 'layers: 1..2', 'positions: last'), cell('stats', 'test', 'ratings: rate'));
    const study = new Study({ cacheDir: cache, baseDir: base, hubToken: TOKEN, hubEndpoint: 'http://127.0.0.1:9' });
    let runs;
    try {
      runs = await study.run(parse(text));
    } finally {
      await study.dispose();
    }
    const outputs = new Map(runs.filter((r) => r.output).map((r) => [r.name, r.output as CellOutput]));
    const written = withOutputs(text, outputs);
    const everything = [written, JSON.stringify(runs.map((r) => ({ ...r, error: r.error && { message: r.error.message, hint: r.error.hint } })))];
    for (const f of existsSync(cache) ? filesUnder(cache) : []) everything.push(readFileSync(f, 'latin1'));
    for (const t of everything) assert.ok(!t.includes(TOKEN) && !t.includes('secretXYZ'), 'token found');
    if (what.startsWith('a Hub')) assert.match(runs.find((r) => r.name === 'p')!.error!.message, /hf:org\/missing-model/);
    else assert.ok(outputs.size === 3, runs.map((r) => r.error?.message).join(' '));
  });
}
