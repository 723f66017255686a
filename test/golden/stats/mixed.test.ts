// Linear mixed models against statsmodels MixedLM (scripts/golden/mixed.py): fixed effects,
// standard errors, variance components and log-likelihoods to 1e-4 relative on balanced,
// unbalanced and incomplete data; likelihood-ratio tests against ML refits; Satterthwaite F and
// df against the classical ANOVA where balanced data make them exact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close, closeAll, fixture } from './fixture.js';
import { fitMixedModel } from '../../../src/core/stats/index.js';

const TOL = 1e-4;

const fits = new Map<string, ReturnType<typeof fit>>();
const fitted = (name: string) => fits.get(name) ?? fits.set(name, fit(name)).get(name)!;

function fit(name: string) {
  const f = fixture(name);
  const model = fitMixedModel(
    { y: f.data.y, group: f.data.item, factors: Object.fromEntries(f.factors.map((k: string) => [k, f.data[k]])) },
    { slopes: f.slopes },
  );
  return { f, model, e: f.expected };
}

for (const name of ['mixed-lmm-balanced', 'mixed-lmm-incomplete', 'mixed-lmm-split-balanced', 'mixed-lmm-split-unbalanced', 'mixed-lmm-families', 'mixed-lmm-slopes']) {
  test(`${name}: REML fit matches statsmodels MixedLM`, () => {
    const { f, model, e } = fitted(name);
    assert.deepEqual(model.fixed.map((x) => x.name), e.names);
    closeAll(model.fixed.map((x) => x.estimate), e.fixed, 'fixed effects', TOL);
    // statsmodels' bse_fe: observed information in β and Ψ/σ² jointly.
    closeAll(model.fixed.map((x) => x.seObserved!), e.se, 'standard errors (statsmodels bse_fe)', TOL);
    // lme4's vcov, σ²(X'V⁻¹X)⁻¹, evaluated at statsmodels' estimates.
    closeAll(model.fixed.map((x) => x.se), e.seConditional, 'standard errors (conditional)', TOL);
    closeAll(model.random.covariance.flat(), e.covRe.flat(), 'random-effect covariance', TOL);
    close(model.random.residual, e.scale, 'residual variance', TOL);
    close(model.logLik, e.logLik, 'REML log-likelihood', TOL);
    close(model.logLikML, e.logLikML, 'ML log-likelihood', TOL);
    assert.equal(model.n, f.data.y.length);
    assert.equal(model.singular, false);
    assert.equal(model.method, 'REML');
    assert.equal(model.dfMethod, 'Satterthwaite');
  });

  test(`${name}: likelihood-ratio tests match statsmodels ML refits`, () => {
    const { model, e } = fitted(name);
    assert.deepEqual(model.terms.map((t) => t.term), Object.keys(e.lrt));
    for (const t of model.terms) {
      close(t.lrt!.chiSquare, e.lrt[t.term].chiSquare, `${t.term} χ²`, TOL);
      assert.equal(t.lrt!.df, e.lrt[t.term].df);
      close(t.lrt!.p, e.lrt[t.term].p, `${t.term} p`, TOL);
    }
    if (e.slopeTest) {
      close(model.slopeTest!.chiSquare, e.slopeTest.chiSquare, 'random slope χ²', TOL);
      assert.equal(model.slopeTest!.df, e.slopeTest.df);
    }
  });
}

for (const name of ['mixed-lmm-balanced', 'mixed-lmm-split-balanced']) {
  test(`${name}: Satterthwaite F and df equal the classical ANOVA on balanced data`, () => {
    const { model, e } = fitted(name);
    for (const t of model.terms) {
      const c = e.classical[t.term];
      close(t.F, c.F, `${t.term} F`, TOL);
      assert.equal(t.numDf, c.df1);
      close(t.denDf, c.df2, `${t.term} df`, TOL);
      close(t.p, c.p, `${t.term} p`, TOL);
    }
  });
}
