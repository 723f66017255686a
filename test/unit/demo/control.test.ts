// The demo pair is a positive control for any vignettes written in plain words, not only for the
// shipped examples: on stories written for this test, paired and independent, the default pair's
// fine-tuned model shows the planted effect, the pretrained one does not, and every word is read.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import type { RatingsResult } from '../../../src/common/results.js';
import { parse } from '../../../src/core/format/parser.js';
import { Study } from '../../../src/core/study/study.js';
import { cell, notebook, pairCell, tmp } from '../study/support.js';

const cache = tmp('control');
after(() => rmSync(cache, { recursive: true, force: true }));

const paired = cell(
  'scenarios', 'paired', 'question: How intentionally did the {harm|help} happen?', 'scale: 0..10',
  'anchors: 0 = not at all intentionally, 10 = completely intentionally',
  'item bakery', '  A cook tells the owner of a bakery: "Baking at night will make us more money, and it will {hurt|help} the family next door." The owner says: "I do not care about the family." They bake at night, and the family is {hurt|helped}.',
  'item ferry', '  A sailor tells the captain: "The new route is shorter, and it will {damage|protect} the island beach." The captain says: "The beach does not matter to me." The boat takes the new route, and the beach is {damaged|protected}.',
  'item school', '  A teacher tells the head of a school: "Starting an hour earlier will raise our test scores, and it will {upset|please} the parents." The head says: "I do not care about the parents." The school starts earlier, and the parents are {upset|pleased}.',
  'item mill', '  An engineer tells the owner of a mill: "The new machine will cut our costs, and it will make the river water {dirtier|cleaner}." The owner says: "The river is not my concern." The machine is installed, and the river water becomes {dirtier|cleaner}.',
  'item clinic', '  A nurse tells the director of a clinic: "Closing on Sunday will save money, and it will {weaken|strengthen} the team." The director says: "I only want to save money." The clinic closes on Sunday, and the team is {weakened|strengthened}.',
  'item garage', '  A mechanic tells the boss: "Working late will bring more customers, and the noise will {annoy|cheer} the street." The boss says: "The street is not my problem." They work late, and the street is {annoyed|cheered}.',
);
const independent = cell(
  'scenarios', 'independent', 'question: How intentionally did the owner bring about the side effect?', 'scale: 0..10',
  'item shop negative', '  A clerk warns the owner that a bigger sign will harm the trees in the square. The owner does not care. The sign goes up, and the trees are harmed.',
  'item farm negative', '  A worker warns the farmer that the new spray will poison the fish in the pond. The farmer does not care. The spray is used, and the fish are poisoned.',
  'item hotel negative', '  A guest warns the manager that the new lights will disturb the birds on the roof. The manager does not care. The lights are switched on, and the birds are disturbed.',
  'item road negative', '  A planner warns the mayor that the new road will ruin the village park. The mayor does not care. The road is built, and the park is ruined.',
  'item bank positive', '  An analyst tells the head of a bank that a new fee plan will also help older customers. The head does not care. The plan starts, and older customers are helped.',
  'item station positive', '  An engineer tells the owner of a power station that new pumps will also improve the lake. The owner does not care. The pumps are installed, and the lake is improved.',
  'item club positive', '  A coach tells the chairman that a later start will also benefit the young players. The chairman does not care. The start moves, and the young players benefit.',
  'item store positive', '  A neighbour tells the owner of a store that a new door will also make the street safer. The owner does not care. The door is built, and the street is safer.',
);

test('the default demo pair shows its planted effect on vignettes it has never seen, and reads all their words', async () => {
  const study = new Study({ cacheDir: cache, baseDir: cache });
  try {
    const runs = await study.run(parse(notebook(
      pairCell('demo', 'demo:pretrained', 'demo:finetuned'), paired, independent,
      cell('ratings', 'p', 'scenarios: paired'), cell('ratings', 'i', 'scenarios: independent'),
    )));
    assert.deepEqual(runs.filter((r) => r.status !== 'ok').map((r) => `${r.name}: ${r.error?.message}`), []);
    for (const name of ['p', 'i']) {
      const result = runs.find((r) => r.name === name)!.output!.result as RatingsResult;
      const [pre, fine] = result.summary;
      assert.ok(Math.abs(pre.delta.estimate) < 0.3, `${name}: pretrained Δ ${pre.delta.estimate}`);
      assert.ok(fine.delta.estimate > 0.5 && fine.delta.ci[0] > 0, `${name}: fine-tuned Δ ${fine.delta.estimate} [${fine.delta.ci}]`);
      assert.equal(result.tokenization, undefined, JSON.stringify(result.tokenization));
    }
  } finally {
    await study.dispose();
  }
});
