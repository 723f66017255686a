// A set with one story per condition (as in the format's own example) has no t-test, but its
// ratings and Δ_Knobe still stand: the cells succeed, say why there is no test, and their results
// survive the trip through the file.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCommand } from '../../../src/cli/main.js';
import { byName, cell, notebook, outputsIn, pairCell, ratingsOf, smallPair, statuses, sweepOf, tmp } from './support.js';

const dir = tmp('small-sets');
after(() => rmSync(dir, { recursive: true, force: true }));

const sets: [string, string][] = [
  ['one paired item', cell('scenarios', 'set', 'question: How intentionally?', 'item paint', '  The chairman does not care, and the river is {harmed|helped}.')],
  ['one independent item each', cell('scenarios', 'set', 'question: How intentionally?', 'item a negative', '  The river is harmed.', 'item b positive', '  The river is helped.')],
];

for (const [what, scenarios] of sets) {
  test(`${what}: ratings and sweep keep Δ_Knobe without a test`, async () => {
    const base = join(dir, what.replaceAll(' ', '-'));
    smallPair(join(base, 'pair'), [{ layer: 1, site: 'attn' }, { layer: 2, site: 'mlp' }]);
    const file = join(base, 'nb.knobe');
    writeFileSync(file, notebook(pairCell('p', './pair/pretrained', './pair/finetuned'), scenarios, cell('ratings', 'rate', 'scenarios: set'), cell('sweep', 'patch', 'ratings: rate', 'positions: last')));
    const args = { command: 'run' as const, file, json: false, force: false, cache: join(base, 'cache') };
    const { code, runs } = await runCommand(args, () => {});
    assert.equal(code, 0, runs.map((r) => r.error?.message).join(' '));
    const rate = ratingsOf(byName(runs).get('rate'));
    for (const s of rate.summary) {
      const rows = rate.rows.filter((r) => r.model === s.model);
      const at = (c: string) => rows.find((r) => r.condition === c)!.expected!;
      assert.ok(Math.abs(s.delta.estimate - (at('negative') - at('positive'))) < 1e-5, s.model);
      assert.ok(Number.isNaN(s.test.p));
      assert.match(s.test.apa, /^no (paired|Welch) t: .*at least 2/);
    }
    assert.ok(ratingsOf(byName(runs).get('rate')).summary[1].delta.estimate > 0.5, 'the planted bias shows on one story too');
    assert.ok(sweepOf(byName(runs).get('patch')).rows.every((r) => Number.isFinite(r.delta)));
    assert.match(sweepOf(byName(runs).get('patch')).fractionNote ?? '', /single item/);

    // Written and read back: the Δ is there, the missing interval is NaN again (null in the file), and the result is reused.
    const saved = outputsIn(readFileSync(file, 'utf8')).get('rate')!.result as typeof rate;
    assert.equal(saved.summary[1].delta.estimate, rate.summary[1].delta.estimate);
    assert.deepEqual(saved.summary[1].delta.ci, [Number.NaN, Number.NaN]);
    assert.match(readFileSync(file, 'utf8'), /"ci":\[null,null\]/);
    const again = await runCommand(args, () => {});
    assert.deepEqual(statuses(again.runs), { p: 'ok', set: 'ok', rate: 'cached', patch: 'cached' });
  });
}
