import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  StatsError, activationDifference, fitMixedModel, mannWhitney, ncfCdf, ncfNoncentralityInterval, nctCdf, nctNoncentralityInterval, nctSf, partialEta2Interval,
  tostPaired, tostTwoSample, wilcoxonSignedRank, adjustP, anovaBetween, anovaRepeated, bootstrap, cohensD, cohensDz, describe,
  fractionRemoved, knobeDelta, knobeDeltaPaired, oneWayAnova, pairByItem, pairedT, studentT, welchT, type StatsErrorCode,
} from '../../../src/core/stats/index.js';

function fails(code: StatsErrorCode, fn: () => unknown, mentions?: string) {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof StatsError, `expected a StatsError, got ${e}`);
    assert.equal(e.code, code, e.message);
    if (mentions) assert.ok(e.message.includes(mentions), `"${e.message}" should mention "${mentions}"`);
    return true;
  });
}

const ok = [1, 2, 3, 4];

test('descriptives and t-tests refuse degenerate input', () => {
  fails('empty', () => describe([]));
  fails('too-few', () => describe([3]));
  fails('non-finite', () => describe([1, NaN, 3]), 'index 1');
  fails('non-finite', () => describe([1, Infinity]), 'Infinity');
  fails('invalid-argument', () => describe(ok, { level: 1.5 }));
  fails('empty', () => welchT([], ok), 'first group');
  fails('too-few', () => studentT(ok, [2]), 'second group');
  fails('non-finite', () => welchT(ok, [1, -Infinity]), 'second group');
  fails('zero-variance', () => welchT([5, 5, 5], [5, 5]));
  fails('zero-variance', () => studentT([5, 5, 5], [7, 7]));
  fails('zero-variance', () => pairedT([1, 2, 3], [0, 1, 2]));
  fails('unpaired', () => pairedT([1, 2, 3], [1, 2]));
  fails('zero-variance', () => cohensD([2, 2], [3, 3]));
  fails('zero-variance', () => cohensDz([2, 3], [1, 2]));
  fails('empty', () => knobeDelta([], ok, { design: 'independent' }), 'negative condition');
  fails('too-few', () => knobeDelta(ok, [1], { design: 'independent' }), 'positive condition');
});

test('zero spread is fine where it is meaningful', () => {
  const d = describe([4, 4, 4]);
  assert.deepEqual([d.mean, d.sd, d.se, d.ci[0], d.ci[1]], [4, 0, 0, 4, 4]);
  // One constant group next to a varying one still has a Welch test.
  assert.ok(Number.isFinite(welchT([5, 5, 5], [1, 2, 4]).statistic));
});

test('paired templates are matched by item, and mismatches name the item', () => {
  const r = pairByItem([{ item: 'a', value: 1 }, { item: 'b', value: 2 }], [{ item: 'b', value: 5 }, { item: 'a', value: 3 }]);
  assert.deepEqual(r, { items: ['a', 'b'], negative: [1, 2], positive: [3, 5] });
  fails('unpaired', () => pairByItem([{ item: 'a', value: 1 }], [{ item: 'b', value: 1 }]), '"a"');
  fails('unpaired', () => pairByItem([{ item: 'a', value: 1 }], [{ item: 'a', value: 1 }, { item: 'c', value: 1 }]), '"c"');
  fails('unpaired', () => pairByItem([{ item: 'a', value: 1 }, { item: 'a', value: 2 }], [{ item: 'a', value: 1 }]), 'twice');
});

test('ANOVA refuses designs it cannot estimate', () => {
  fails('empty', () => oneWayAnova({ a: [1, 2], b: [] }), '"b"');
  fails('design', () => oneWayAnova({ a: [1, 2, 3] }), 'at least 2');
  fails('design', () => anovaBetween({ y: [1, 2, 3, 4, 5], factors: { a: ['x', 'x', 'y', 'y', 'y'], b: ['u', 'v', 'u', 'u', 'u'] } }), 'a=y, b=v');
  fails('design', () => anovaBetween({ y: [1, 2, 3], factors: { a: ['x', 'y'] } }), '2 values for 3');
  fails('non-finite', () => oneWayAnova({ a: [1, NaN], b: [1, 2] }));
  fails('zero-variance', () => oneWayAnova({ a: [1, 1], b: [2, 2] }));
  fails('too-few', () => oneWayAnova({ a: [1], b: [2] }));
  fails('design', () => anovaBetween({ y: [1, 2], factors: {} }));
});

test('repeated-measures ANOVA names the subject and cell it cannot use', () => {
  const base = { y: [1, 2, 3, 4, 5], subject: ['s1', 's1', 's2', 's2', 's3'], within: { w: ['a', 'b', 'a', 'b', 'a'] } };
  fails('design', () => anovaRepeated(base), 'subject "s3" has no observation in cell w=b');
  fails('design', () => anovaRepeated({ ...base, y: [1, 2, 3, 4], subject: ['s1', 's1', 's1', 's2'], within: { w: ['a', 'b', 'a', 'b'] } }), 'more than one observation');
  fails('design', () => anovaRepeated({ y: [1, 2, 3, 4], subject: ['s1', 's1', 's2', 's2'], within: { w: ['a', 'b', 'a', 'b'] }, between: { g: ['x', 'y', 'x', 'x'] } }), 'subject "s1" is in both');
  fails('design', () => anovaRepeated({ y: [1, 2], subject: ['s1', 's1'], within: {} }));
  fails('design', () => anovaRepeated({ ...base, between: { g: ['x', 'x', 'x', 'x', 'x'], h: ['x', 'x', 'x', 'x', 'x'] } }), 'one between-subjects factor');
  fails('too-few', () => anovaRepeated({ y: [1, 2], subject: ['s1', 's1'], within: { w: ['a', 'b'] } }));
  fails('zero-variance', () => anovaRepeated({ y: [1, 2, 3, 4], subject: ['s1', 's1', 's2', 's2'], within: { w: ['a', 'b', 'a', 'b'] } }), 'error SS of w');
  fails('non-finite', () => anovaRepeated({ ...base, y: [1, 2, 3, NaN, 5] }));
});

test('multiple comparisons, bootstrap, patch fraction and activations refuse bad input', () => {
  fails('invalid-argument', () => adjustP([0.1, 1.2], 'holm'), 'index 1');
  fails('invalid-argument', () => adjustP([0.1, NaN], 'bh'));
  assert.deepEqual(adjustP([], 'bh'), []);
  fails('empty', () => bootstrap([], () => 0, { seed: 1 }));
  // One value resamples to itself: an interval of zero width would claim a certainty that is not there.
  fails('too-few', () => bootstrap([5], (s) => s[0], { seed: 1 }), '1 observation');
  fails('too-few', () => bootstrap([1, 2, 3], (s) => s.length, { seed: 1, strata: (x) => (x === 3 ? 'b' : 'a') }), 'stratum "b"');
  fails('invalid-argument', () => bootstrap([1, 2], () => 0, { seed: 0.5 }), 'seed');
  fails('invalid-argument', () => bootstrap([1, 2], () => 0, { seed: 1, replicates: 1 }));
  fails('non-finite', () => bootstrap([1, 2], () => NaN, { seed: 1 }), 'on the data');
  fails('non-finite', () => bootstrap([0, 1], (s) => 1 / s.reduce((a, b) => a + b, 0), { seed: 3, replicates: 200 }), 'resamples');
  const item = (condition: 'negative' | 'positive', u: number, p: number, d: number) => ({ condition, unpatched: u, patched: p, donor: d });
  fails('too-few', () => fractionRemoved([item('negative', 1, 1, 1), item('positive', 1, 1, 1), item('positive', 2, 1, 1)], { seed: 1 }), 'negative');
  fails('empty', () => fractionRemoved([item('positive', 1, 1, 1), item('positive', 2, 1, 1)], { seed: 1 }), 'negative');
  const same = [item('negative', 3, 2, 3), item('negative', 4, 2, 4), item('positive', 1, 1, 1), item('positive', 2, 1, 2)];
  fails('zero-variance', () => fractionRemoved(same, { seed: 1 }), 'same Δ_Knobe');
  fails('non-finite', () => fractionRemoved([...same.slice(0, 3), item('positive', NaN, 1, 1)], { seed: 1 }));
  const v = (...x: number[]) => Float32Array.from(x);
  fails('empty', () => activationDifference([], [v(1, 2)]), 'negative');
  fails('design', () => activationDifference([v(1, 2)], [v(1, 2, 3)]), 'positive vector 0');
  fails('non-finite', () => activationDifference([v(1, NaN)], [v(1, 2)]));
  fails('zero-variance', () => activationDifference([v(1, -1), v(-1, 1)], [v(1, 2)]));
});

test('paired Δ_Knobe matches items whatever their order', () => {
  const k = knobeDeltaPaired(
    [{ item: 'a', value: 7 }, { item: 'b', value: 6 }, { item: 'c', value: 9 }],
    [{ item: 'c', value: 5 }, { item: 'a', value: 4 }, { item: 'b', value: 4 }],
  );
  assert.deepEqual(k.items, ['a', 'b', 'c']);
  assert.equal(k.delta.estimate, 3);
  assert.equal(k.test.name, 'paired t');
  assert.equal(k.test.df, 2);
  fails('unpaired', () => knobeDeltaPaired([{ item: 'a', value: 1 }, { item: 'b', value: 2 }], [{ item: 'a', value: 1 }]), '"b"');
});

test('noncentral distributions, exact intervals, TOST and rank tests refuse degenerate input, naming it', () => {
  fails('invalid-argument', () => nctCdf(1, 0, 1), 'df = 0');
  fails('invalid-argument', () => nctSf(1, 0.5, 1), 'df = 0.5');
  fails('non-finite', () => nctCdf(NaN, 5, 1), 't is NaN');
  fails('invalid-argument', () => nctCdf(1, 5, Infinity), 'noncentrality');
  fails('invalid-argument', () => ncfCdf(1, 2, 10, -1), 'noncentrality -1');
  fails('invalid-argument', () => ncfCdf(1, 0, 10, 1), 'd1 = 0');
  fails('non-finite', () => nctNoncentralityInterval(Infinity, 5, 0.95), 'Infinity');
  fails('non-finite', () => ncfNoncentralityInterval(NaN, 2, 10, 0.95), 'NaN');
  fails('invalid-argument', () => partialEta2Interval(3, 2, 0), 'df2 = 0');
  fails('invalid-argument', () => partialEta2Interval(-1, 2, 20), 'F = -1');
  fails('invalid-argument', () => partialEta2Interval(3, 2, 20, 1), 'level');
  fails('invalid-argument', () => tostPaired(ok, [2, 3, 4, 6], { low: 0.5, high: -0.5, unit: 'raw' }), 'lower equivalence bound 0.5');
  fails('non-finite', () => tostTwoSample(ok, ok, { low: -Infinity, high: 1, unit: 'raw' }), 'bounds');
  fails('zero-variance', () => tostPaired([1, 2, 3], [0, 1, 2], { low: -1, high: 1, unit: 'raw' }), 'same difference');
  fails('unpaired', () => tostPaired([1, 2, 3], [0, 1], { low: -1, high: 1, unit: 'raw' }), '3 first values');
  fails('zero-variance', () => tostTwoSample([2, 2, 2], [2, 2], { low: -1, high: 1, unit: 'd' }), 'constant');
  fails('too-few', () => tostTwoSample([2], [1, 2], { low: -1, high: 1, unit: 'raw' }), 'first group');
  fails('invalid-argument', () => tostPaired(ok, [2, 3, 4, 6], { low: -1, high: 1, unit: 'raw' }, { alpha: 0.7 }), 'α = 0.7');
  fails('zero-variance', () => wilcoxonSignedRank([1, 2, 3], [1, 2, 3]), 'all 3 pairs');
  fails('unpaired', () => wilcoxonSignedRank([1, 2, 3], [1, 2]), '3 first values');
  fails('non-finite', () => wilcoxonSignedRank([1, NaN], [1, 2]), 'index 1');
  fails('empty', () => wilcoxonSignedRank([], []), 'pairs');
  fails('zero-variance', () => mannWhitney([4, 4, 4, 4, 4, 4, 4, 4, 4], [4, 4, 4, 4, 4, 4, 4, 4, 4]), 'all 18 values');
  fails('empty', () => mannWhitney([1, 2], []), 'second group');
  fails('non-finite', () => mannWhitney([1, Infinity], [1, 2]), 'first group');
});

test('the mixed model refuses data it cannot fit, naming the culprit', () => {
  const item = ['a', 'a', 'b', 'b', 'c', 'c', 'd', 'd'];
  const version = ['pre', 'fine', 'pre', 'fine', 'pre', 'fine', 'pre', 'fine'];
  const y = [1, 2, 2, 4, 3, 3, 1, 5];
  fails('non-finite', () => fitMixedModel({ y: [...y.slice(0, 7), NaN], group: item, factors: { version } }), 'index 7');
  fails('design', () => fitMixedModel({ y, group: item.slice(1), factors: { version } }), '7 item labels');
  fails('design', () => fitMixedModel({ y, group: item, factors: { version: version.map(() => 'pre') } }), '"version" has 1 level');
  fails('design', () => fitMixedModel({ y, group: item, factors: { version, condition: ['n', 'n', 'n', 'n', 'p', 'n', 'p', 'n'] } }), 'version=fine, condition=p');
  fails('design', () => fitMixedModel({ y, group: item, factors: {} }), 'no fixed factors');
  fails('too-few', () => fitMixedModel({ y, group: item.map(() => 'a'), factors: { version } }), '1 item');
  fails('too-few', () => fitMixedModel({ y: y.slice(0, 4), group: item.slice(0, 4), factors: { version: version.slice(0, 4), condition: ['n', 'n', 'p', 'p'] } }), 'no residual df');
  fails('design', () => fitMixedModel({ y, group: item, factors: { version } }, { slopes: ['family'] }), 'slope of "family"');
  fails('design', () => fitMixedModel({ y, group: item, factors: { version: ['pre', 'pre', 'fine', 'fine', 'pre', 'pre', 'fine', 'fine'] } }, { slopes: ['version'] }), 'does not vary within any item');
  fails('zero-variance', () => fitMixedModel({ y: version.map((v) => (v === 'pre' ? 1 : 3)), group: item, factors: { version } }), 'residual variance is 0');
});
