import { test } from 'node:test';
import assert from 'node:assert/strict';
import { activationDifference, bcaInterval, bootstrap, fractionRemoved, type PatchItem } from '../../../src/core/stats/index.js';

const mean = (s: readonly number[]) => s.reduce((a, b) => a + b, 0) / s.length;
const data = [2.1, 3.4, 1.9, 5.6, 2.8, 3.3, 9.1, 2.2, 4.0, 3.7, 1.2, 6.4];

test('bootstrap is reproducible from its seed and changes with it', () => {
  const a = bootstrap(data, mean, { seed: 5, replicates: 500 });
  const b = bootstrap(data, mean, { seed: 5, replicates: 500 });
  const c = bootstrap(data, mean, { seed: 6, replicates: 500 });
  assert.deepEqual(a, b);
  assert.notDeepEqual(a.percentile, c.percentile);
  assert.equal(a.estimate, mean(data));
  assert.ok(a.percentile[0] < a.estimate && a.estimate < a.percentile[1]);
  assert.ok(a.bca![0] < a.estimate && a.estimate < a.bca![1]);
  // Right-skewed data: BCa moves both ends up relative to the percentile interval.
  assert.ok(a.bca![1] > a.percentile[1]);
});

test('bootstrap interval of the mean is close to the t interval for a larger sample', () => {
  const xs = Array.from({ length: 200 }, (_, i) => Math.sin(i * 12.9898) * 3 + 5);
  const r = bootstrap(xs, mean, { seed: 1, replicates: 4000 });
  const se = Math.sqrt(xs.reduce((a, x) => a + (x - mean(xs)) ** 2, 0) / (xs.length - 1) / xs.length);
  const width = r.percentile[1] - r.percentile[0];
  assert.ok(Math.abs(width / (2 * 1.96 * se) - 1) < 0.1, `width ${width} vs ${2 * 1.96 * se}`);
});

test('BCa reports why it is undefined instead of returning an interval', () => {
  assert.match(bcaInterval(10, [1, 2, 3], [[1, 2]], 0.95).reason!, /one side/);
  assert.match(bcaInterval(2, [1, 2, 3], [[2, 2, 2]], 0.95).reason!, /jackknife/);
  const constant = bootstrap([4, 4, 4], mean, { seed: 1, replicates: 50 });
  assert.deepEqual(constant.percentile, [4, 4]);
  assert.equal(constant.bca, undefined);
  assert.ok(constant.bcaReason);
});

function items(patched: (u: number, d: number, i: number) => number): PatchItem[] {
  const out: PatchItem[] = [];
  for (let i = 0; i < 16; i++) {
    const condition = i < 8 ? 'negative' : 'positive';
    const donor = 5 + Math.sin(i * 3.1) + (condition === 'negative' ? 0.2 : 0);
    const unpatched = donor + (condition === 'negative' ? 2 : 0) + Math.cos(i * 1.7) * 0.5;
    out.push({ item: `i${i}`, condition, unpatched, donor, patched: patched(unpatched, donor, i) });
  }
  return out;
}

test('fraction removed: 0 for a patch that changes nothing, 1 for one that yields the donor', () => {
  const none = fractionRemoved(items((u) => u), { seed: 2, replicates: 300 });
  assert.equal(none.fraction, 0);
  assert.deepEqual(none.bootstrap.percentile, [0, 0]);
  const all = fractionRemoved(items((_, d) => d), { seed: 2, replicates: 300 });
  assert.ok(Math.abs(all.fraction - 1) < 1e-12);
  const half = fractionRemoved(items((u, d) => (u + d) / 2), { seed: 2, replicates: 300 });
  assert.ok(Math.abs(half.fraction - 0.5) < 1e-12);
  const noisy = fractionRemoved(items((u, d, i) => (u + d) / 2 + Math.sin(i * 7) * 0.4), { seed: 2, replicates: 500 });
  assert.ok(noisy.ci[0] < noisy.fraction && noisy.fraction < noisy.ci[1]);
  assert.equal(noisy.ciMethod, 'bca');
  assert.ok(Math.abs(noisy.deltaUnpatched - noisy.deltaDonor - 1.8) < 0.5);
});

test('activation difference: L2 of the mean difference and cosine of the means', () => {
  const v = (...x: number[]) => Float32Array.from(x);
  const r = activationDifference([v(2, 0, 0), v(4, 0, 0)], [v(0, 1, 0), v(0, 3, 0)]);
  assert.equal(r.l2, Math.sqrt(9 + 4));
  assert.equal(r.cosine, 0);
  const same = activationDifference([v(1, 2, 3)], [v(2, 4, 6)]);
  assert.ok(Math.abs(same.cosine - 1) < 1e-15);
  assert.ok(Math.abs(same.l2 - Math.sqrt(14)) < 1e-12);
});

test('fraction removed: paired templates are resampled item by item, both conditions together', () => {
  // Each item's two versions share offsets (a for what the patch changes, b for the gap to the
  // donor) that vary a lot between items; within every item the patch removes exactly half of the
  // difference. Kept pairs give 0.5 in every resample; pairs broken apart mix offsets of different
  // items and scatter it.
  const paired: PatchItem[] = [];
  for (let i = 0; i < 12; i++) {
    const a = 3 * Math.sin(i * 2.3);
    const b = 5 * Math.cos(i * 1.7);
    const donor = Math.sin(i);
    paired.push({ item: `i${i}`, condition: 'negative', donor, unpatched: donor + b + 2, patched: donor + b + 2 - a - 1 });
    paired.push({ item: `i${i}`, condition: 'positive', donor, unpatched: donor + b, patched: donor + b - a });
  }
  const f = fractionRemoved(paired, { seed: 3, replicates: 400 });
  assert.ok(Math.abs(f.fraction - 0.5) < 1e-12);
  assert.ok(f.bootstrap.percentile[1] - f.bootstrap.percentile[0] < 1e-9, `percentile interval ${f.bootstrap.percentile}`);
  // Independent items (one condition each) are still resampled within their condition.
  const independent = paired.map((it, k) => ({ ...it, item: `u${k}` }));
  const g = fractionRemoved(independent, { seed: 3, replicates: 400 });
  assert.ok(g.bootstrap.percentile[1] - g.bootstrap.percentile[0] > 0.1, `independent interval ${g.bootstrap.percentile}`);
});
