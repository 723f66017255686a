// An effect planted away from the demo defaults is found where it was planted: a generated pair
// in a folder next to the notebook's, named by relative paths in its pair cell.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { DemoEdit } from '../../../src/core/models/demo/index.js';
import { runCommand } from '../../../src/cli/main.js';
import { byName, cell, notebook, pairCell, ratingsOf, scenarios, smallPair, sweepOf, tmp, topLayer } from './support.js';

const dirs: string[] = [];
after(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })));

const plantings: { seed: number; layers: number; edits: DemoEdit[] }[] = [
  { seed: 11, layers: 6, edits: [{ layer: 1, site: 'mlp' }, { layer: 3, site: 'attn' }] },
  { seed: 12, layers: 5, edits: [{ layer: 2, site: 'attn' }, { layer: 4, site: 'mlp' }] },
];

for (const { seed, layers, edits } of plantings) {
  const where = edits.map((e) => `${e.site}@${e.layer}`).join(', ');
  test(`the sweep finds an effect planted at ${where}`, async () => {
    const dir = tmp('planted');
    dirs.push(dir);
    const pair = smallPair(join(dir, 'models', 'planted'), edits, { seed, layers });
    mkdirSync(join(dir, 'notebooks'));
    const file = join(dir, 'notebooks', 'planted.knobe');
    writeFileSync(
      file,
      notebook(
        pairCell('mine', '../models/planted/pretrained', './../models/planted/finetuned'),
        scenarios('stories'),
        cell('ratings', 'rated', 'scenarios: stories', 'pair: mine'),
        cell('sweep', 'where', 'ratings: rated', 'site: attn_out, mlp_out', 'layers: all', 'positions: last'),
      ),
    );
    const { code, runs } = await runCommand({ command: 'run', file, json: true, force: false, cache: join(dir, 'cache') }, () => {});
    assert.equal(code, 0, runs.map((r) => r.error?.message).join(' '));
    const [pre, fine] = ratingsOf(byName(runs).get('rated')).summary;
    assert.ok(fine.delta.estimate > 1 && Math.abs(pre.delta.estimate) < 0.3, `Δ pretrained ${pre.delta.estimate}, fine-tuned ${fine.delta.estimate}`);
    const sweep = sweepOf(byName(runs).get('where'));
    assert.deepEqual(pair.manifest.editedLayers, edits.map((e) => e.layer).sort());
    for (const e of edits) assert.deepEqual(topLayer(sweep, `${e.site}_out`), [e.layer], `${e.site}_out`);
    // The provenance names the sources as written, and the checkpoints are not synthetic demo ones.
    const prov = byName(runs).get('where')!.output!.provenance.models;
    assert.deepEqual(prov.map((m) => [m.role, m.source, m.synthetic]), [['pretrained', '../models/planted/pretrained', false], ['finetuned', './../models/planted/finetuned', false]]);
  });
}
