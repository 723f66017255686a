// The run API's contracts on the golden checkpoints: the pinned hook list, hooks that are real
// graph boundaries (collect, replace, feed back), batching with padding, and resuming from a
// key/value cache. Run-to-run comparisons use 1e-5; "unchanged" feedback must be bit-identical.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { ARCHITECTURES, loadFixture, maxAbsDiff, rows } from './fixtures.js';
import { addActs, makeBatch, sliceBatch, type Act, type KV, type LoadedModel } from '../../../src/core/models/model.js';
import { hookNames } from '../../../src/core/models/graph/hooks.js';
import type { Architecture } from '../../../src/core/models/types.js';

const models = new Map<Architecture, Promise<LoadedModel>>();
const modelOf = (arch: Architecture) => {
  if (!models.has(arch)) models.set(arch, loadFixture(arch).then((f) => f.model));
  return models.get(arch)!;
};
after(async () => Promise.all([...models.values()].map(async (m) => (await m).dispose())));

const PROMPTS = [
  [5, 17, 42, 8, 77, 3, 60],
  [11, 2, 90, 33],
  [7, 7, 19, 64, 28, 51, 4, 88, 36],
];
const copy = (a: Act): Act => ({ data: a.data.slice(), dims: [...a.dims] });

test('hook names are pinned in forward order', () => {
  assert.deepEqual(hookNames(2), [
    'hook_embed',
    'blocks.0.hook_resid_pre', 'blocks.0.hook_attn_out', 'blocks.0.hook_resid_mid', 'blocks.0.hook_mlp_out', 'blocks.0.hook_resid_post',
    'blocks.1.hook_resid_pre', 'blocks.1.hook_attn_out', 'blocks.1.hook_resid_mid', 'blocks.1.hook_mlp_out', 'blocks.1.hook_resid_post',
    'ln_final.hook_normalized', 'logits',
  ]);
});

for (const arch of ARCHITECTURES) {
  test(`${arch}: every hook is visited once, in the pinned order`, async () => {
    const model = await modelOf(arch);
    const seen: string[] = [];
    await model.run(makeBatch(PROMPTS), { replace: (h) => void seen.push(h) });
    assert.deepEqual(seen, model.hookNames());
  });

  test(`${arch}: feeding any hook back unchanged reproduces the logits exactly; perturbing it changes them`, async () => {
    const model = await modelOf(arch);
    const batch = makeBatch(PROMPTS);
    const base = await model.run(batch, { logitsAt: 'all' });
    for (const hook of model.hookNames()) {
      const same = await model.run(batch, { logitsAt: 'all', replace: (h, a) => (h === hook ? copy(a) : undefined) });
      assert.deepEqual(same.logits.data, base.logits.data, `${hook} fed back unchanged`);
      const nudged = await model.run(batch, {
        logitsAt: 'all',
        replace: (h, a) => (h === hook ? { data: a.data.map((v, i) => v + 0.5 * Math.sin(i)), dims: a.dims } : undefined),
      });
      assert.ok(maxAbsDiff(nudged.logits.data, base.logits.data) > 1e-3, `${hook} replaced changes the logits`);
    }
  });

  test(`${arch}: collected hooks obey the residual equations and the run's own logits`, async () => {
    const model = await modelOf(arch);
    const batch = makeBatch(PROMPTS);
    const r = await model.run(batch, { collect: model.hookNames(), logitsAt: 'all' });
    const h = (n: string) => r.hooks.get(n)!;
    assert.deepEqual(h('hook_embed').data, h('blocks.0.hook_resid_pre').data);
    for (let l = 0; l < model.numLayers; l++) {
      assert.deepEqual(h(`blocks.${l}.hook_resid_mid`).data, addActs(h(`blocks.${l}.hook_resid_pre`), h(`blocks.${l}.hook_attn_out`)).data);
      assert.deepEqual(h(`blocks.${l}.hook_resid_post`).data, addActs(h(`blocks.${l}.hook_resid_mid`), h(`blocks.${l}.hook_mlp_out`)).data);
      if (l + 1 < model.numLayers) assert.deepEqual(h(`blocks.${l}.hook_resid_post`).data, h(`blocks.${l + 1}.hook_resid_pre`).data);
    }
    assert.deepEqual(h('logits').data, r.logits.data);
    assert.deepEqual(h('ln_final.hook_normalized').dims, [3, 9, model.config.hiddenSize]);
    // `at` narrows collected activations to the chosen columns.
    const last = await model.run(batch, { collect: ['blocks.1.hook_resid_post'], at: 'last' });
    assert.deepEqual(last.hooks.get('blocks.1.hook_resid_post')!.data, selectLast(h('blocks.1.hook_resid_post')));
  });

  test(`${arch}: a padded batch equals each prompt run alone (1e-5), at every real position and hook`, async () => {
    const model = await modelOf(arch);
    const batch = makeBatch(PROMPTS, 0);
    const hooks = ['blocks.1.hook_attn_out', 'blocks.1.hook_resid_post', 'ln_final.hook_normalized'];
    const together = await model.run(batch, { logitsAt: 'all', collect: hooks });
    for (const [b, prompt] of PROMPTS.entries()) {
      const alone = await model.run(makeBatch([prompt]), { logitsAt: 'all', collect: hooks });
      const pad = batch.length - prompt.length;
      assert.ok(maxAbsDiff(rows(together.logits, b, pad, batch.length), alone.logits.data) < 1e-5, `logits of prompt ${b}`);
      for (const n of hooks) {
        assert.ok(maxAbsDiff(rows(together.hooks.get(n)!, b, pad, batch.length), alone.hooks.get(n)!.data) < 1e-5, `${n} of prompt ${b}`);
      }
    }
  });

  test(`${arch}: a prefix then a suffix on its key/value cache equals the full run (1e-5)`, async () => {
    const model = await modelOf(arch);
    const batch = makeBatch(PROMPTS, 0);
    const full = await model.run(batch, { logitsAt: 'all', collect: ['blocks.1.hook_resid_post'], keepCache: true });
    // Split points inside the padding, inside the sliding windows and one column from the end.
    for (const k of [1, 3, 6, 8]) {
      const prefix = await model.run(sliceBatch(batch, 0, k), { logitsAt: 'all', keepCache: true });
      const suffix = await model.run(sliceBatch(batch, k), { logitsAt: 'all', past: prefix.present, keepCache: true, collect: ['blocks.1.hook_resid_post'] });
      for (let b = 0; b < PROMPTS.length; b++) {
        const first = batch.length - PROMPTS[b].length;
        // Compare real columns only (padding rows are undefined by contract).
        const from = Math.max(k, first);
        assert.ok(maxAbsDiff(rows(suffix.logits, b, from - k, batch.length - k), rows(full.logits, b, from, batch.length)) < 1e-5, `split ${k}, prompt ${b}: logits`);
        assert.ok(
          maxAbsDiff(rows(suffix.hooks.get('blocks.1.hook_resid_post')!, b, from - k, batch.length - k), rows(full.hooks.get('blocks.1.hook_resid_post')!, b, from, batch.length)) < 1e-5,
          `split ${k}, prompt ${b}: resid_post`,
        );
      }
      // The suffix's present cache covers all columns and matches the full run's at real columns.
      const kv: KV = suffix.present![0];
      assert.deepEqual(kv.key.dims, full.present![0].key.dims);
    }
  });

  test(`${arch}: the layer steps compose to the same logits as run()`, async () => {
    const model = await modelOf(arch);
    const batch = makeBatch(PROMPTS);
    let x = await model.embed(batch);
    for (let l = 0; l < model.numLayers; l++) {
      const { attnOut } = await model.attention(l, x, batch);
      const mid = addActs(x, attnOut);
      x = addActs(mid, await model.mlp(l, mid));
    }
    const { logits } = await model.unembed(x, 'last');
    const ref = await model.run(batch, { logitsAt: 'last' });
    assert.deepEqual(logits.data, ref.logits.data);
    assert.deepEqual(logits.dims, [3, 1, model.config.vocabSize]);
  });
}

function selectLast(a: Act): Float32Array {
  const [B, S, H] = a.dims;
  const out = new Float32Array(B * H);
  for (let b = 0; b < B; b++) out.set(a.data.subarray((b * S + S - 1) * H, (b * S + S) * H), b * H);
  return out;
}
