import { test } from 'node:test';
import assert from 'node:assert/strict';
import { close, fixture } from './fixture.js';
import { anovaBetween, anovaRepeated, type AnovaEffectRow } from '../../../src/core/stats/index.js';

for (const [name, factors] of [['two-way-unbalanced', ['a', 'b']], ['three-way-unbalanced', ['a', 'b', 'c']]] as const) {
  test(`${name}: type II and type III match statsmodels anova_lm`, () => {
    const f = fixture(name);
    for (const type of [2, 3] as const) {
      const t = anovaBetween({ y: f.data.y, factors: Object.fromEntries(factors.map((k) => [k, f.data[k]])) }, { type });
      const e = f.expected[`type${type}`];
      assert.deepEqual(t.rows.map((r) => r.effect), Object.keys(e).filter((k) => k !== 'Residual'));
      for (const r of t.rows) {
        const x = e[r.effect];
        close(r.ss, x.ss, `type ${type} ${r.effect} SS`);
        close(r.df, x.df, `type ${type} ${r.effect} df`);
        close(r.F, x.F, `type ${type} ${r.effect} F`);
        close(r.p, x.p, `type ${type} ${r.effect} p`);
        close(r.ssError, e.Residual.ss, 'residual SS');
      }
      assert.equal(t.residualDf, e.Residual.df);
    }
  });
}

function compareRows(rows: AnovaEffectRow[], expected: any[], what: string): void {
  assert.deepEqual(rows.map((r) => r.effect), expected.map((e) => e.effect), `${what}: effects`);
  rows.forEach((r, i) => {
    const e = expected[i];
    const w = `${what} ${r.effect}`;
    for (const k of ['ss', 'df', 'dfError', 'ssError', 'F', 'p', 'partialEta2', 'epsilonGG', 'epsilonHF', 'pGG', 'pHF'] as const) {
      if (e[k] === undefined) assert.equal(r[k], undefined, `${w} ${k} should be absent`);
      else close(r[k] as number, e[k], `${w} ${k}`);
    }
    if (e.mauchly) {
      for (const k of ['W', 'chiSquare', 'df', 'p'] as const) close(r.mauchly![k], e.mauchly[k], `${w} Mauchly ${k}`);
    } else assert.equal(r.mauchly, undefined, `${w}: no Mauchly test for a 1-df effect`);
  });
}

for (const name of ['rm-2x3', 'rm-sphericity', 'mixed', 'mixed-balanced']) {
  test(`${name}: F, df, p, η²p, epsilons and Mauchly match the reference`, () => {
    const f = fixture(name);
    const within = Object.fromEntries(f.within.map((w: string) => [w, f.data[w]]));
    const between = f.between ? { [f.between]: f.data[f.between] } : undefined;
    const t = anovaRepeated({ y: f.data.y, subject: f.data.subject, within, between });
    compareRows(t.rows, f.expected, name);
  });
}

test('rm-sphericity: the fixture does violate sphericity and the corrections matter', () => {
  const f = fixture('rm-sphericity');
  const t = anovaRepeated({ y: f.data.y, subject: f.data.subject, within: { time: f.data.time } });
  const [row] = t.rows;
  assert.ok(row.mauchly!.p < 0.05);
  assert.ok(row.p < 0.05 && row.pGG! > 0.05, 'GG correction changes the decision at .05');
});
