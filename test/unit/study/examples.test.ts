// Every shipped example runs headless on the demo pair, and each ratings cell in it shows the
// planted bias in the fine-tuned model only. (The tutorial and the paper have their own, closer tests.)
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../src/core/format/parser.js';
import { Study } from '../../../src/core/study/study.js';
import { ratingsOf, tmp } from './support.js';

const cache = tmp('examples');
after(() => rmSync(cache, { recursive: true, force: true }));

for (const file of readdirSync('examples').filter((f) => f.endsWith('.knobe') && f !== 'tutorial.knobe' && f !== 'paper.knobe').sort()) {
  test(`examples/${file} runs and shows the planted bias`, async () => {
    const study = new Study({ cacheDir: cache, baseDir: 'examples' });
    try {
      const runs = await study.run(parse(readFileSync(join('examples', file), 'utf8')));
      assert.deepEqual(runs.filter((r) => r.status !== 'ok').map((r) => `${r.name}: ${r.error?.message}`), []);
      const ratings = runs.filter((r) => r.kind === 'ratings');
      assert.ok(ratings.length > 0);
      for (const r of ratings) {
        const [pre, fine] = ratingsOf(r).summary;
        assert.ok(Math.abs(pre.delta.estimate) < 0.3, `${r.name}: pretrained Δ ${pre.delta.estimate}`);
        assert.ok(fine.delta.estimate > 0.5 && fine.delta.ci[0] > 0, `${r.name}: fine-tuned Δ ${fine.delta.estimate} [${fine.delta.ci}]`);
      }
    } finally {
      await study.dispose();
    }
  });
}
