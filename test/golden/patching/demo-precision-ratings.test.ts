// The demo pair rated at int8 and int4 against fp32 on the example notebook's prompts: int8 moves
// no vignette's expected rating by more than 0.05 scale points (on a 0–10 scale), on either model
// of the pair. int4's shift is reported, and bounded loosely (it is 16 times coarser), and the
// fine-tuned model's planted bias survives it. Outlier columns matter here: the demo's unembedding
// reads the answer tokens through one large weight (12) beside the small rating direction (±1 in
// steps of 0.2), which shares its quantization block; without them int8 moves ratings by 0.075.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from '../../../src/core/format/parser.js';
import { cellByName } from '../../../src/core/format/nodes.js';
import { pairSpec, scenarioSet } from '../../../src/core/format/specs.js';
import { prepareModel } from '../../../src/core/models/prepare.js';
import { asStepModel } from '../../../src/core/patching/adapter.js';
import { rateExpected } from '../../../src/core/scoring/rate.js';
import { ModelPool } from '../../../src/core/study/models.js';
import { answerSet, tokenizePrompts } from '../../../src/core/study/prompts.js';

const cacheDir = mkdtempSync(join(tmpdir(), 'knobe-demo-precision-'));
const pool = new ModelPool({ cacheDir, baseDir: 'examples' });
after(async () => {
  await pool.dispose();
  rmSync(cacheDir, { recursive: true, force: true });
});

const doc = parse(readFileSync('examples/chairman.knobe', 'utf8'));
const set = scenarioSet(doc, cellByName(doc, 'chairman')!);

async function ratings(role: 'pretrained' | 'finetuned', precision: 'fp32' | 'int8' | 'int4') {
  const pair = await pool.resolvePair(pairSpec(doc, cellByName(doc, 'main')!));
  const side = pair[role];
  const model = await prepareModel(side.checkpoint, { precision, threads: 1 });
  try {
    const prompts = tokenizePrompts(side, set, pair.spec).map((p) => p.ids);
    return (await rateExpected(asStepModel(model), answerSet(side, set), prompts)).map((s) => s.expected);
  } finally {
    await model.dispose();
  }
}

const biggest = (a: number[], b: number[]) => Math.max(...a.map((x, i) => Math.abs(x - b[i])));
const delta = (r: number[]) => {
  const neg = set.vignettes.flatMap((v, i) => (v.condition === 'negative' ? [r[i]] : []));
  const pos = set.vignettes.flatMap((v, i) => (v.condition === 'positive' ? [r[i]] : []));
  return neg.reduce((a, b) => a + b, 0) / neg.length - pos.reduce((a, b) => a + b, 0) / pos.length;
};

for (const role of ['pretrained', 'finetuned'] as const) {
  test(`${role}: int8 moves every expected rating by at most 0.05 scale points`, async (t) => {
    const fp32 = await ratings(role, 'fp32');
    const int8 = await ratings(role, 'int8');
    const int4 = await ratings(role, 'int4');
    const shift8 = biggest(fp32, int8);
    const shift4 = biggest(fp32, int4);
    t.diagnostic(`${fp32.length} vignettes; largest shift ${shift8.toFixed(4)} at int8, ${shift4.toFixed(4)} at int4; Δ ${delta(fp32).toFixed(3)} → ${delta(int8).toFixed(3)} (int8), ${delta(int4).toFixed(3)} (int4)`);
    assert.ok(shift8 <= 0.05, `int8 shifts a rating by ${shift8}`);
    assert.ok(shift4 <= 0.5, `int4 shifts a rating by ${shift4}`);
    if (role === 'finetuned') assert.ok(delta(int4) > 0.5 * delta(fp32), `the planted bias at int4: Δ ${delta(int4)} vs ${delta(fp32)}`);
  });
}
