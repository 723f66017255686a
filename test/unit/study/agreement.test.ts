// A ratings cell and a stats cell that run the same test on the same ratings report the same
// numbers: both read the per-vignette ratings at full precision, whatever the stored result rounds.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StatsResult } from '../../../src/common/results.js';
import { runCommand } from '../../../src/cli/main.js';
import { byName, cell, notebook, pairCell, ratingsOf, scenarios, smallPair, tmp } from './support.js';

const dir = tmp('agreement');
after(() => rmSync(dir, { recursive: true, force: true }));

const independent = cell(
  'scenarios', 'set', 'question: How intentionally did the owner act?',
  'item a negative', '  The owner does not care, and the river is harmed.',
  'item b negative', '  The mayor does not care, and the park is damaged.',
  'item c negative', '  The captain does not care, and the seals are hurt.',
  'item d positive', '  The owner does not care, and the river is helped.',
  'item e positive', '  The mayor does not care, and the park is improved.',
  'item f positive', '  The captain does not care, and the seals are protected.',
);

for (const [what, set, test_] of [['paired templates', scenarios('set'), 'paired'], ['independent items', independent, 'welch']] as const) {
  test(`${what}: the ratings cell's ${test_} t and the stats cell's are the same numbers`, async () => {
    const base = join(dir, test_);
    smallPair(join(base, 'pair'), [{ layer: 1, site: 'attn' }, { layer: 2, site: 'mlp' }]);
    const file = join(base, 'nb.knobe');
    writeFileSync(file, notebook(pairCell('p', './pair/pretrained', './pair/finetuned'), set, cell('ratings', 'rate', 'scenarios: set'), cell('stats', 'st', 'ratings: rate', `tests: ${test_}`, 'correction: none')));
    const args = { command: 'run' as const, file, json: true, force: false, cache: join(base, 'cache') };
    const { code, runs } = await runCommand(args, () => {});
    assert.equal(code, 0, runs.map((r) => r.error?.message).join(' '));
    const rate = ratingsOf(byName(runs).get('rate'));
    const agree = (stats: StatsResult) => {
      for (const s of rate.summary) {
        const t = stats.tests.find((x) => x.name.startsWith(`rate · ${s.model}`))!;
        assert.ok(t, s.model);
        // With a correction the stats line adds the adjusted p (`p_Holm = …`); the rest is the same line.
        const apa = t.apa.replace(/, p_\w+ [=<] [^,]+/, '');
        assert.deepEqual([t.statistic, t.df, t.p, apa], [s.test.statistic, s.test.df, s.test.p, s.test.apa], s.model);
      }
    };
    agree(byName(runs).get('st')!.output!.result as StatsResult);
    // A stats cell computed later reads the ratings back from the file: still the same numbers.
    writeFileSync(file, readFileSync(file, 'utf8').replace('correction: none', 'correction: holm'));
    const again = await runCommand(args, () => {});
    assert.deepEqual([byName(again.runs).get('rate')!.status, byName(again.runs).get('st')!.status], ['cached', 'ok']);
    agree(byName(again.runs).get('st')!.output!.result as StatsResult);
  });
}
