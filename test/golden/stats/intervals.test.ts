// Noncentral distributions, exact effect-size intervals, equivalence and rank tests against
// values from SciPy / statsmodels (scripts/golden/intervals.py).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close, closeAll, fixture } from './fixture.js';
import {
  cohensD, cohensDz, hedgesG, mannWhitney, ncfCdf, ncfSf, nctCdf, nctSf, partialEta2Interval, tostPaired, tostTwoSample, wilcoxonSignedRank,
} from '../../../src/core/stats/index.js';

test('noncentral t: cdf and sf match scipy.stats.nct, tails and large noncentrality included', () => {
  const f = fixture('noncentral');
  for (const r of f.t) {
    const what = `nct(${r.t}; df ${r.df}, δ ${r.nc}) [${r.source}]`;
    close(nctCdf(r.t, r.df, r.nc), r.cdf, `${what} cdf`);
    close(nctSf(r.t, r.df, r.nc), r.sf, `${what} sf`);
  }
});

test('noncentral F: cdf and sf match scipy.stats.ncf', () => {
  for (const r of fixture('noncentral').F) {
    const what = `ncf(${r.f}; ${r.df1}, ${r.df2}, λ ${r.lambda})`;
    close(ncfCdf(r.f, r.df1, r.df2, r.lambda), r.cdf, `${what} cdf`);
    close(ncfSf(r.f, r.df1, r.df2, r.lambda), r.sf, `${what} sf`);
  }
});

test("exact intervals of Cohen's d and Hedges' g invert the noncentral t", () => {
  for (const [name, s] of Object.entries<any>(fixture('effect-intervals').twoGroups)) {
    for (const level of ['0.95', '0.9']) {
      const d = cohensD(s.x, s.y, Number(level));
      close(d.value, s.d, `${name} d`);
      assert.equal(d.interval, 'noncentral-t');
      closeAll(d.ci, s.ci[level].d, `${name} d ${level} CI`);
      closeAll(hedgesG(s.x, s.y, Number(level)).ci, s.ci[level].g, `${name} g ${level} CI`);
    }
  }
});

test('exact intervals of d_z invert the noncentral t on n − 1 df', () => {
  for (const [name, s] of Object.entries<any>(fixture('effect-intervals').paired)) {
    const dz = cohensDz(s.x, s.y);
    close(dz.value, s.dz, `${name} d_z`);
    closeAll(dz.ci, s.ci95, `${name} d_z CI`);
  }
});

test('η²p intervals invert the noncentral F', () => {
  for (const e of fixture('effect-intervals').partialEta2) {
    const ci = partialEta2Interval(e.F, e.df1, e.df2);
    // A lower end of exactly 0 is compared as such.
    if (e.ci95[0] === 0) assert.equal(ci[0], 0, `F(${e.df1}, ${e.df2}) = ${e.F} lower`);
    else close(ci[0], e.ci95[0], `F(${e.df1}, ${e.df2}) = ${e.F} lower`);
    close(ci[1], e.ci95[1], `F(${e.df1}, ${e.df2}) = ${e.F} upper`);
  }
});

test('TOST matches statsmodels ttost_paired / ttost_ind, bounds in points and in d', () => {
  const f = fixture('tost');
  for (const c of f.cases) {
    const bounds = c.bounds;
    const r = c.design === 'paired'
      ? tostPaired(c.x, c.y, bounds, { alpha: f.alpha })
      : tostTwoSample(c.x, c.y, bounds, { alpha: f.alpha, test: c.test === 'pooled' ? 'student' : 'welch' });
    const e = c.expected;
    closeAll(r.bounds, e.rawBounds, `${c.name} bounds`);
    close(r.df, e.df, `${c.name} df`);
    close(r.lower.t, e.lower.t, `${c.name} lower t`);
    close(r.lower.p, e.lower.p, `${c.name} lower p`);
    close(r.upper.t, e.upper.t, `${c.name} upper t`);
    close(r.upper.p, e.upper.p, `${c.name} upper p`);
    close(r.p, e.p, `${c.name} p`);
    assert.equal(r.equivalent, e.p < f.alpha, `${c.name} decision`);
    // The 1 − 2α interval lies inside the bounds exactly when TOST rejects.
    assert.equal(r.ci[0] > r.bounds[0] && r.ci[1] < r.bounds[1], r.equivalent, `${c.name} interval`);
  }
});

test('Wilcoxon signed-rank matches scipy: exact without ties or zeros, normal approximation otherwise', () => {
  for (const c of fixture('ranks').wilcoxon) {
    const r = wilcoxonSignedRank(c.x, c.y);
    assert.equal(r.method, c.method, `${c.name} method`);
    close(r.statistic, c.expected.statistic, `${c.name} T`);
    close(r.p, c.expected.p, `${c.name} p`);
    close(r.rPlus, c.expected.rPlus, `${c.name} R+`);
    close(r.rMinus, c.expected.rMinus, `${c.name} R−`);
    close(r.effect.value, c.expected.r, `${c.name} r_rb`);
    if (c.expected.z !== undefined) close(r.z!, c.expected.z, `${c.name} z`);
  }
});

test('Mann–Whitney U matches scipy: exact for small untied groups, normal with tie and continuity corrections otherwise', () => {
  for (const c of fixture('ranks').mannWhitney) {
    const r = mannWhitney(c.x, c.y);
    assert.equal(r.method, c.method, `${c.name} method`);
    close(r.statistic, c.expected.statistic, `${c.name} U`);
    close(r.p, c.expected.p, `${c.name} p`);
    close(r.effect.value, c.expected.r, `${c.name} r_rb`);
  }
});
