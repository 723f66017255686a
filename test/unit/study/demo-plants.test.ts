// A pair cell names a demo pair planted elsewhere through its sources' settings: both sources
// describe one pair, so their settings combine, and contradictions or impossible plants are
// refused on the pair cell before anything is generated.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../src/core/format/parser.js';
import { cellByName } from '../../../src/core/format/nodes.js';
import { pairSpec } from '../../../src/core/format/specs.js';
import { DEFAULT_DEMO } from '../../../src/core/models/demo/index.js';
import { StudyError } from '../../../src/core/study/errors.js';
import { demoOptions } from '../../../src/core/study/models.js';

const options = (pretrained: string, finetuned: string) => {
  const doc = parse(`%knobe 2\n::: pair p\npretrained: ${pretrained}\nfinetuned: ${finetuned}\n:::\n`);
  return demoOptions(pairSpec(doc, cellByName(doc, 'p')!));
};

test('settings of the two demo sources combine into one pair; none is the default pair', () => {
  assert.deepEqual(options('demo:pretrained', 'demo:finetuned'), DEFAULT_DEMO);
  const o = options('demo:pretrained?seed=11', 'demo:finetuned?seed=11&edit=2:attn,3:mlp');
  assert.deepEqual([o.seed, o.edits, o.strength, o.shape], [11, [{ layer: 2, site: 'attn' }, { layer: 3, site: 'mlp' }], 1, DEFAULT_DEMO.shape]);
  assert.deepEqual(options('demo:pretrained?strength=2', 'demo:finetuned?edit=6:mlp').edits, [{ layer: 6, site: 'mlp' }]);
  assert.equal(options('demo:pretrained?strength=2', 'demo:finetuned?edit=6:mlp').strength, 2);
});

test('contradicting or impossible plants are refused on the pair cell, with what to write', () => {
  const refused = (pre: string, fine: string, message: RegExp, hint: RegExp) =>
    assert.throws(() => options(pre, fine), (e: unknown) => e instanceof StudyError && e.code === 'bad-cell' && e.cell === 'p' && message.test(e.message) && hint.test(e.hint ?? ''));
  refused('demo:pretrained?seed=11', 'demo:finetuned?seed=12', /different seeds.*seed=11.*seed=12/, /give each setting once/);
  refused('demo:pretrained?edit=2:attn', 'demo:finetuned?edit=3:attn', /different edits/, /same on both/);
  refused('demo:pretrained', 'demo:finetuned?edit=8:mlp', /8:mlp is outside the demo pair's layers 0\.\.7/, /layers 0\.\.7/);
  refused('demo:pretrained', 'demo:finetuned?edit=0:attn', /mover head/, /layer 1 or later/);
});
