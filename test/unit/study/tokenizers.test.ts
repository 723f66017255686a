// A pair's two models usually ship the same tokenizer files; the pool builds that tokenizer once
// (a real vocabulary takes seconds to build), and builds separate ones when the files differ.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../src/core/format/parser.js';
import { cellByName } from '../../../src/core/format/nodes.js';
import { pairSpec } from '../../../src/core/format/specs.js';
import { ModelPool } from '../../../src/core/study/models.js';
import { byteLevelBpeTokenizer, writeTestCheckpoint } from '../../support/checkpoints.js';
import { notebook, pairCell, tmp } from './support.js';

const dir = tmp('tokenizers');
after(() => rmSync(dir, { recursive: true, force: true }));

const resolvePair = async (pool: ModelPool) => {
  const doc = parse(notebook(pairCell('p', './pre', './fine')));
  return pool.resolvePair(pairSpec(doc, cellByName(doc, 'p')!));
};

test('one tokenizer for a pair whose tokenizer files are the same, two when they differ', async () => {
  writeTestCheckpoint(join(dir, 'pre'), 'llama', { seed: 1 });
  writeTestCheckpoint(join(dir, 'fine'), 'llama', { seed: 2 });
  const pool = new ModelPool({ cacheDir: join(dir, 'cache'), baseDir: dir });
  const same = await resolvePair(pool);
  assert.equal(same.pretrained.tokenizer, same.finetuned.tokenizer);

  // The same vocabulary written differently (another JSON layout): its own tokenizer.
  const json = byteLevelBpeTokenizer({ bos: '<|bos|>' });
  writeFileSync(join(dir, 'fine', 'tokenizer.json'), JSON.stringify(json, null, 1));
  const differ = await resolvePair(pool);
  assert.notEqual(differ.pretrained.tokenizer, differ.finetuned.tokenizer);
  assert.deepEqual(differ.finetuned.tokenizer.encode(' the chairman'), differ.pretrained.tokenizer.encode(' the chairman'));
  await pool.dispose();
});
