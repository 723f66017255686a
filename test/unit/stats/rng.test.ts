import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsError, createRng, fromState } from '../../../src/core/stats/index.js';

test('xoshiro128** reproduces the reference C implementation from state {1, 2, 3, 4}', () => {
  // Output of Blackman & Vigna's xoshiro128starstar.c compiled with cc, seeded s = {1, 2, 3, 4}.
  const r = fromState([1, 2, 3, 4]);
  const first = Array.from({ length: 8 }, () => r.u32());
  assert.deepEqual(first, [11520, 0, 5927040, 70819200, 2031721883, 1637235492, 1287239034, 3734860849]);
  for (let i = 0; i < 992; i++) r.u32();
  assert.equal(r.u32(), 136054147);
});

test('the same seed gives the same stream, another seed another one', () => {
  const a = createRng(42);
  const b = createRng(42);
  const c = createRng(43);
  const xa = Array.from({ length: 5 }, () => a.next());
  assert.deepEqual(Array.from({ length: 5 }, () => b.next()), xa);
  assert.notDeepEqual(Array.from({ length: 5 }, () => c.next()), xa);
});

test('a seed is a whole number of at most 32 bits: others are refused, not rounded or wrapped', () => {
  for (const bad of [1.5, NaN, -1, 2 ** 32, 2 ** 40 + 7, Infinity]) {
    assert.throws(() => createRng(bad), (e: unknown) => e instanceof StatsError && e.code === 'invalid-argument' && e.message.includes(String(bad)), `seed ${bad}`);
  }
  // The extremes of the range are distinct seeds.
  assert.notDeepEqual(createRng(0).u32(), createRng(2 ** 32 - 1).u32());
});

test('next() is in [0, 1) with mean near 1/2; int(n) covers 0..n-1 evenly', () => {
  const r = createRng(7);
  let s = 0;
  const counts = new Array(6).fill(0);
  const N = 60000;
  for (let i = 0; i < N; i++) {
    const u = r.next();
    assert.ok(u >= 0 && u < 1);
    s += u;
    counts[r.int(6)]++;
  }
  assert.ok(Math.abs(s / N - 0.5) < 0.01, `mean ${s / N}`);
  // χ² with 5 df: 30 is far beyond its 0.9999 quantile (25.7).
  const chi = counts.reduce((a, c) => a + (c - N / 6) ** 2 / (N / 6), 0);
  assert.ok(chi < 30, `χ² = ${chi}`);
});
