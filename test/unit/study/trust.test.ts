// An untrusted workspace: a notebook may name a Hub model, and nothing is downloaded — the cell
// fails with `untrusted` and the Hub server never hears from us. Local folders still load, since
// the notebook names them (the controller itself runs nothing while the workspace is untrusted).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from '../../../src/core/format/parser.js';
import { Study } from '../../../src/core/study/study.js';
import { HubServer } from '../../support/hub-server.js';
import { byName, cell, filesUnder, notebook, pairCell, scenarios, smallPair, tmp } from './support.js';

const dir = tmp('trust');
before(() => smallPair(join(dir, 'pair'), [{ layer: 1, site: 'mlp' }]));
after(() => rmSync(dir, { recursive: true, force: true }));

test('with downloads off, a Hub source is refused before any request and leaves the cache empty', async () => {
  const hub = await HubServer.start();
  const cache = join(dir, 'cache');
  const text = notebook(pairCell('p', 'hf:org/base-model@main', './pair/finetuned'), scenarios('set'), cell('ratings', 'rate', 'scenarios: set'));
  const study = new Study({ cacheDir: cache, baseDir: dir, hubEndpoint: hub.url, allowDownloads: false });
  try {
    const runs = byName(await study.run(parse(text)));
    assert.equal(runs.get('p')!.status, 'error');
    assert.equal(runs.get('p')!.error!.code, 'untrusted');
    assert.match(runs.get('p')!.error!.message, /hf:org\/base-model@main/);
    assert.match(runs.get('p')!.error!.hint ?? '', /trust/);
    assert.equal(runs.get('rate')!.error!.code, 'dependency-failed');
    assert.equal(hub.requests.length, 0);
    assert.deepEqual(existsSync(cache) ? filesUnder(cache).filter((f) => f.includes('models--')) : [], []);
  } finally {
    await study.dispose();
    await hub.close();
  }
});

test('with downloads off, local folders named by the notebook still run', async () => {
  const study = new Study({ cacheDir: join(dir, 'cache2'), baseDir: dir, allowDownloads: false });
  const text = notebook(pairCell('p', './pair/pretrained', './pair/finetuned'), scenarios('set'), cell('ratings', 'rate', 'scenarios: set'));
  try {
    const runs = byName(await study.run(parse(text)));
    assert.equal(runs.get('rate')!.status, 'ok');
  } finally {
    await study.dispose();
  }
});
