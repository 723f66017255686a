import { test } from 'node:test';
import { close, closeAll, fixture } from './fixture.js';
import { cohensD, cohensDz, describe, hedgesG, oneWayAnova, pairedT, studentT, welchT, knobeDelta } from '../../../src/core/stats/index.js';

for (const name of ['ttest-balanced', 'ttest-unbalanced', 'ttest-ties']) {
  const f = fixture(name);
  const neg: number[] = f.data.negative;
  const pos: number[] = f.data.positive;

  test(`${name}: descriptives match statsmodels DescrStatsW`, () => {
    for (const [group, values] of Object.entries<number[]>(f.data)) {
      const d = describe(values);
      const e = f.expected.descriptives[group];
      close(d.n, e.n, `${group} n`);
      close(d.mean, e.mean, `${group} mean`);
      close(d.sd, e.sd, `${group} sd`);
      close(d.se, e.se, `${group} se`);
      closeAll(d.ci, e.ci, `${group} ci`);
    }
  });

  for (const [key, fn] of [['welch', welchT], ['student', studentT]] as const) {
    test(`${name}: ${key} t, df, p and CI match scipy/statsmodels`, () => {
      const r = fn(neg, pos);
      const e = f.expected[key];
      close(r.statistic, e.t, 't');
      close(r.df, e.df, 'df');
      close(r.p, e.p, 'p');
      close(r.estimate, e.estimate, 'estimate');
      closeAll(r.ci, e.ci, 'ci');
      close(r.effect.value, f.expected.d.value, 'd');
    });
  }

  test(`${name}: Cohen's d and Hedges' g with Hedges–Olkin CIs`, () => {
    const d = cohensD(neg, pos, 0.95, 'normal');
    close(d.value, f.expected.d.value, 'd');
    closeAll(d.ci, f.expected.d.ci, 'd ci');
    const g = hedgesG(neg, pos, 0.95, 'normal');
    close(g.value, f.expected.g.value, 'g');
    closeAll(g.ci, f.expected.g.ci, 'g ci');
  });

  test(`${name}: one-way ANOVA matches scipy f_oneway`, () => {
    const [row] = oneWayAnova(f.data).rows;
    close(row.F, f.expected.oneway.F, 'F');
    close(row.p, f.expected.oneway.p, 'p');
    closeAll([row.df, row.dfError], f.expected.oneway.df, 'df');
  });

  test(`${name}: Δ_Knobe is the Welch estimate and CI`, () => {
    const k = knobeDelta(neg, pos, { design: 'independent' });
    close(k.delta.estimate, f.expected.welch.estimate, 'Δ');
    closeAll(k.delta.ci, f.expected.welch.ci, 'Δ ci');
    close(k.negative.mean, f.expected.descriptives.negative.mean, 'negative mean');
  });
}

test('paired: paired t, CI and d_z match scipy ttest_rel / statsmodels', () => {
  const f = fixture('paired');
  const r = pairedT(f.data.negative, f.data.positive);
  const e = f.expected.paired;
  close(r.statistic, e.t, 't');
  close(r.df, e.df, 'df');
  close(r.p, e.p, 'p');
  close(r.estimate, e.estimate, 'mean difference');
  closeAll(r.ci, e.ci, 'ci');
  const dz = cohensDz(f.data.negative, f.data.positive, 0.95, 'normal');
  close(dz.value, f.expected.dz.value, 'd_z');
  closeAll(dz.ci, f.expected.dz.ci, 'd_z ci');
  const k = knobeDelta(f.data.negative, f.data.positive, { design: 'paired' });
  closeAll(k.delta.ci, e.ci, 'Δ ci');
  close(k.positive.sd, f.expected.descriptives.positive.sd, 'positive sd');
});
