import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close, closeAll, fixture } from './fixture.js';
import { activationDifference, adjustP, bcaInterval, chiSquareUpper, fUpper, jackknife, quantileSorted, tTwoSidedP, type PatchItem } from '../../../src/core/stats/index.js';

test('multiple comparisons match statsmodels multipletests', () => {
  const f = fixture('multiple');
  for (const fam of f.families) {
    closeAll(adjustP(fam.p, 'holm'), fam.holm, `holm ${fam.p}`);
    closeAll(adjustP(fam.p, 'bonferroni'), fam.bonferroni, `bonferroni ${fam.p}`);
    closeAll(adjustP(fam.p, 'bh'), fam.bh, `bh ${fam.p}`);
  }
});

const mean = (s: readonly number[]) => s.reduce((a, b) => a + b, 0) / s.length;

test('bootstrap, one sample: percentile and BCa intervals match scipy on the same replicates', () => {
  const f = fixture('bootstrap');
  const o = f.oneSample;
  const sorted = Float64Array.from(o.replicates as number[]).sort();
  closeAll([quantileSorted(sorted, 0.025), quantileSorted(sorted, 0.975)], o.percentile, 'percentile');
  const jack = jackknife<number>(o.data, mean);
  const bca = bcaInterval(mean(o.data), o.replicates, jack, f.level);
  closeAll(bca.ci!, o.bca, 'BCa');
});

test('bootstrap, two strata: BCa of the fraction removed matches scipy multi-sample BCa', () => {
  const f = fixture('bootstrap');
  const t = f.fractionRemoved;
  const items: PatchItem[] = t.items;
  const delta = (s: readonly PatchItem[], k: 'unpatched' | 'patched' | 'donor') =>
    mean(s.filter((i) => i.condition === 'negative').map((i) => i[k])) - mean(s.filter((i) => i.condition === 'positive').map((i) => i[k]));
  const frac = (s: readonly PatchItem[]) => (delta(s, 'unpatched') - delta(s, 'patched')) / (delta(s, 'unpatched') - delta(s, 'donor'));
  close(frac(items), t.estimate, 'estimate');
  const jack = jackknife(items, frac, (i) => i.condition);
  const bca = bcaInterval(frac(items), t.replicates, jack, f.level);
  closeAll(bca.ci!, t.bca, 'BCa');
});

test('activation difference matches numpy', () => {
  const f = fixture('activation');
  const neg = f.data.negative.map((v: number[]) => Float32Array.from(v));
  const pos = f.data.positive.map((v: number[]) => Float32Array.from(v));
  const r = activationDifference(neg, pos);
  close(r.l2, f.expected.l2, 'l2');
  close(r.cosine, f.expected.cosine, 'cosine');
  assert.ok(r.cosine < 1);
});

test('t, F and χ² tail probabilities match scipy, deep tails included', () => {
  const f = fixture('tails');
  for (const c of f.t) close(tTwoSidedP(c.t, c.df), c.p, `t(${c.df}) = ${c.t}`);
  for (const c of f.F) close(fUpper(c.F, c.df1, c.df2), c.p, `F(${c.df1}, ${c.df2}) = ${c.F}`);
  for (const c of f.chiSquare) close(chiSquareUpper(c.x, c.df), c.p, `χ²(${c.df}) = ${c.x}`);
});
