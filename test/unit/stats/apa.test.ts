import { test } from 'node:test';
import assert from 'node:assert/strict';
import { StatsError, formatDf, formatEffect, formatF, formatP, formatT, withAdjustedP } from '../../../src/core/stats/index.js';

function is(actual: string, expected: string) {
  assert.equal(actual, expected);
}

test('p-values: three decimals, no leading zero, floor at .001', () => {
  is(formatP(0.032), 'p = .032');
  is(formatP(0.0324), 'p = .032');
  is(formatP(0.0325001), 'p = .033');
  is(formatP(0.05), 'p = .050');
  is(formatP(0.001), 'p = .001');
  is(formatP(0.000999), 'p < .001');
  is(formatP(1e-80), 'p < .001');
  is(formatP(0), 'p < .001');
  is(formatP(0.5), 'p = .500');
  is(formatP(0.9994), 'p = .999');
  is(formatP(0.9996), 'p > .999');
  is(formatP(1), 'p > .999');
  // A p outside [0, 1] or NaN is a defect of the statistic that produced it, reported as such.
  for (const bad of [1.2, -0.1, NaN]) {
    assert.throws(() => formatP(bad), (e: unknown) => e instanceof StatsError && e.code === 'invalid-argument' && e.message.includes(String(bad)));
  }
});

test('degrees of freedom: integers as is, fractional to one decimal', () => {
  is(formatDf(564), '564');
  is(formatDf(38.2137), '38.2');
  is(formatDf(1.96), '2.0');
});

test('effect sizes: d keeps its leading zero and sign, η²p drops the zero', () => {
  is(formatEffect('d', 1.3), 'd = 1.30');
  is(formatEffect('d', -0.456), 'd = -0.46');
  is(formatEffect('d', -0.001), 'd = 0.00');
  is(formatEffect('d_z', 0.5), 'd_z = 0.50');
  is(formatEffect('η²p', 0.5), 'η²p = .50');
  is(formatEffect('η²p', 0.004), 'η²p = .00');
});

test('whole lines as in the brief', () => {
  is(formatT(4.1, 38.2, 0.0002, { name: 'd', value: 1.3 }), 't(38.2) = 4.10, p < .001, d = 1.30');
  is(formatF(283.6, 2, 564, 1e-80, 0.5), 'F(2, 564) = 283.60, p < .001, η²p = .50');
  is(formatT(-2.2, 40, 0.0336), 't(40) = -2.20, p = .034');
  is(formatF(1.23, 1.6, 37.4, 0.3), 'F(1.6, 37.4) = 1.23, p = .300');
});

test('an adjusted p is printed right after the raw p, named by its correction', () => {
  is(withAdjustedP('t(13) = 2.10, p = .056, d_z = 0.56', 0.112, 'holm'), 't(13) = 2.10, p = .056, p_Holm = .112, d_z = 0.56');
  is(withAdjustedP('F(2, 564) = 283.60, p < .001, η²p = .50', 3e-80, 'bonferroni'), 'F(2, 564) = 283.60, p < .001, p_Bonferroni < .001, η²p = .50');
  is(withAdjustedP('T = 6, p = .007, r_rb = .85 (exact)', 0.0205, 'bh'), 'T = 6, p = .007, p_BH = .021, r_rb = .85 (exact)');
  is(withAdjustedP('equivalence within [-0.50, 0.50]: t(23) = -3.10, p = .003; 90% CI [-0.20, 0.25] inside the bounds', 0.009, 'holm'),
    'equivalence within [-0.50, 0.50]: t(23) = -3.10, p = .003, p_Holm = .009; 90% CI [-0.20, 0.25] inside the bounds');
  is(withAdjustedP('t(5) = 1.00, p > .999', 1, 'holm'), 't(5) = 1.00, p > .999, p_Holm > .999');
  // No correction, or a line without a p-value: unchanged.
  is(withAdjustedP('t(13) = 2.10, p = .056', 0.056, 'none'), 't(13) = 2.10, p = .056');
  is(withAdjustedP('Δ = 1.20, 95% BCa CI [0.40, 2.00]', 0.2, 'holm'), 'Δ = 1.20, 95% BCa CI [0.40, 2.00]');
});
