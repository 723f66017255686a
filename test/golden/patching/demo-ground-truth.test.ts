// Ground truth: on demo pairs with edits planted at known layers and sites (20 seeds and
// placements), a single-layer sweep over attn_out and mlp_out must name exactly the planted
// (site, layer) pairs as its largest effects; patching resid_post at or after the last planted
// layer must remove ≥ 95% of Δ_Knobe, and before the first planted layer ≤ 5%. The same holds
// with the weights quantized to int8 and to int4: localization means the same at every precision.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateDemoPair, type DemoEdit } from '../../../src/core/models/demo/index.js';
import { loadCheckpoint } from '../../../src/core/models/checkpoint.js';
import { LoadedModel, type Precision } from '../../../src/core/models/model.js';
import { loadTokenizer } from '../../../src/core/models/tokenizer.js';
import { asStepModel } from '../../../src/core/patching/adapter.js';
import { runSweep } from '../../../src/core/patching/scheduler.js';
import { fractionRemoved } from '../../../src/core/patching/sweep.js';
import type { LayerSite } from '../../../src/core/patching/hooks.js';
import type { TokenizedPrompt } from '../../../src/core/patching/positions.js';
import { buildAnswerSet, rangeAnswers } from '../../../src/core/scoring/answers.js';

const root = mkdtempSync(join(tmpdir(), 'knobe-truth-'));
after(() => rmSync(root, { recursive: true, force: true }));

const LAYERS = 6;
const PLACEMENTS: DemoEdit[][] = [
  [{ layer: 2, site: 'attn' }],
  [{ layer: 3, site: 'mlp' }],
  [{ layer: 1, site: 'attn' }, { layer: 4, site: 'mlp' }],
  [{ layer: 5, site: 'attn' }],
  [{ layer: 2, site: 'mlp' }, { layer: 3, site: 'attn' }],
  [{ layer: 0, site: 'mlp' }],
  [{ layer: 4, site: 'attn' }],
  [{ layer: 1, site: 'mlp' }, { layer: 5, site: 'mlp' }],
  [{ layer: 3, site: 'attn' }, { layer: 4, site: 'mlp' }],
  [{ layer: 5, site: 'mlp' }],
];
const SEEDS = [11, 29];

const outcomes: [string, 'negative' | 'positive'][] = [
  ['harm the river', 'negative'], ['damage the town', 'negative'], ['pollute the air', 'negative'], ['hurt the workers', 'negative'],
  ['help the river', 'positive'], ['benefit the town', 'positive'], ['protect the air', 'positive'], ['support the workers', 'positive'],
];
const text = (o: string) => `The chairman started the new program for profit . It will ${o} . He did not care . How intentionally did he ${o} ? Answer :`;

const PRECISIONS: Precision[] = ['fp32', 'int8', 'int4'];

for (const precision of PRECISIONS) for (const seed of SEEDS) {
  for (const edits of PLACEMENTS) {
    const where = edits.map((e) => `${e.site}@${e.layer}`).join(', ');
    test(`${precision}, seed ${seed}, edits ${where}: the sweep finds exactly the planted layers`, async (t) => {
      const dir = join(root, `${precision}-${seed}-${where.replace(/[^a-z0-9]+/g, '_')}`);
      const pair = generateDemoPair(dir, { seed, shape: { layers: LAYERS, hidden: 32, heads: 2, intermediate: 32 }, edits, strength: 1 });
      const [pre, fine] = await Promise.all([pair.pretrained, pair.finetuned].map(async (d) => {
        const c = await loadCheckpoint(d, { hash: false });
        return LoadedModel.fromWeights(c.config, c.weights, { threads: 1, precision });
      }));
      try {
        const tok = loadTokenizer(pair.pretrained);
        const prompts: TokenizedPrompt[] = outcomes.map(([o], i) => ({ name: `v${i}`, text: text(o), ids: tok.encode(text(o)) }));
        const conditions = outcomes.map(([, c]) => c);
        const answers = buildAnswerSet(rangeAnswers(0, 10), (t) => tok.encode(t, { addSpecialTokens: false }));
        const delta = (r: number[]) => mean(r.filter((_, i) => conditions[i] === 'negative')) - mean(r.filter((_, i) => conditions[i] === 'positive'));
        const sweep = async (site: LayerSite) => {
          const out = await runSweep(asStepModel(pre), asStepModel(fine), {
            site, sets: Array.from({ length: LAYERS }, (_, l) => [l]), positions: { kind: 'all' }, mix: 1, prompts, answers, batchSize: 8,
          });
          const u = delta(out.recipient.map((s) => s.expected));
          const d = delta(out.donor.map((s) => s.expected));
          return { u, d, fractions: out.patched.map((p) => fractionRemoved(u, delta(p), d)) };
        };
        const attn = await sweep('attn_out');
        const mlp = await sweep('mlp_out');
        assert.ok(attn.u - attn.d > 0.5, `the planted effect is visible: Δ fine-tuned ${attn.u.toFixed(2)}, pretrained ${attn.d.toFixed(2)}`);
        const effects = [
          ...attn.fractions.map((f, l) => ({ key: `attn@${l}`, f })),
          ...mlp.fractions.map((f, l) => ({ key: `mlp@${l}`, f })),
        ].sort((a, b) => b.f - a.f);
        const planted = edits.map((e) => `${e.site}@${e.layer}`).sort();
        const top = effects.slice(0, planted.length).map((e) => e.key).sort();
        t.diagnostic(`Δ ${attn.u.toFixed(2)} → ${attn.d.toFixed(2)}; effects ${effects.slice(0, planted.length + 1).map((e) => `${e.key}=${e.f.toFixed(3)}`).join(' ')}`);
        assert.deepEqual(top, planted, `top effects ${effects.slice(0, 4).map((e) => `${e.key}=${e.f.toFixed(3)}`).join(' ')}`);

        const post = await sweep('resid_post');
        const first = Math.min(...edits.map((e) => e.layer));
        const last = Math.max(...edits.map((e) => e.layer));
        post.fractions.forEach((f, l) => {
          if (l >= last) assert.ok(f >= 0.95, `resid_post@${l} removes ${f}`);
          if (l < first) assert.ok(Math.abs(f) <= 0.05, `resid_post@${l} removes ${f}`);
        });
      } finally {
        await Promise.all([pre.dispose(), fine.dispose()]);
      }
    });
  }
}

function mean(x: number[]): number {
  return x.reduce((a, b) => a + b, 0) / x.length;
}
