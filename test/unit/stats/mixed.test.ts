// Properties of the mixed model that need no reference: invariance to row order and to a shift of
// every rating, the singular fit flagged rather than hidden, and the eigen-decomposition it uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createRng, fitMixedModel, type MixedModel, type Rng } from '../../../src/core/stats/index.js';
import { multiply, symmetricEigen, transpose } from '../../../src/core/stats/matrix.js';

function normal(r: Rng): number {
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

interface Row { y: number; item: string; version: string; condition: string }

function data(r: Rng, itemSd: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < 12; i++) {
    const u = itemSd * normal(r);
    for (const version of ['pretrained', 'finetuned']) for (const condition of ['negative', 'positive']) {
      if (r.next() < 0.15) continue;
      rows.push({ y: 5 + u + (version === 'finetuned' && condition === 'negative' ? 1.2 : 0) + 0.8 * normal(r), item: `i${i}`, version, condition });
    }
  }
  return rows;
}

const fit = (rows: Row[], shift = 0): MixedModel =>
  fitMixedModel({ y: rows.map((x) => x.y + shift), group: rows.map((x) => x.item), factors: { version: rows.map((x) => x.version), condition: rows.map((x) => x.condition) } }, { lrt: false });

function near(a: number, b: number, what: string, rel = 1e-6) {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-9), `${what}: ${a} vs ${b}`);
}

test('a fit does not depend on the order of the rows, and a shift of every rating moves only the intercept', () => {
  const r = createRng(11);
  const rows = data(r, 1);
  const a = fit(rows);
  // The first row stays first: levels are coded in order of first appearance.
  const order = [0, ...rows.slice(1).map((_, i) => i + 1).sort(() => r.next() - 0.5)];
  const b = fit(order.map((i) => rows[i]));
  const c = fit(rows, 3);
  a.fixed.forEach((x, j) => {
    near(b.fixed[j].estimate, x.estimate, `${x.name} reordered`);
    near(b.fixed[j].se, x.se, `${x.name} se reordered`);
    near(b.fixed[j].df, x.df, `${x.name} df reordered`, 1e-4);
    near(c.fixed[j].estimate, x.estimate + (j === 0 ? 3 : 0), `${x.name} shifted`);
  });
  near(b.random.covariance[0][0], a.random.covariance[0][0], 'item variance reordered');
  near(c.logLik, a.logLik, 'log-likelihood shifted');
});

test('items that share nothing give a singular fit, flagged and explained', () => {
  // No item effect at all: the item variance is estimated at its boundary, 0.
  const rows: Row[] = [];
  for (let i = 0; i < 10; i++) for (const version of ['pretrained', 'finetuned']) {
    rows.push({ y: (i % 2 === 0 ? 1 : -1) * (version === 'pretrained' ? 1 : -1) + (version === 'finetuned' ? 2 : 0), item: `i${i}`, version, condition: i < 5 ? 'negative' : 'positive' });
  }
  const m = fit(rows);
  assert.equal(m.singular, true);
  assert.ok(m.random.covariance[0][0] < 1e-6, `item variance ${m.random.covariance[0][0]}`);
  assert.match(m.notes.join(' '), /singular/);
  assert.ok(m.fixed.every((x) => Number.isFinite(x.estimate) && x.se > 0));
});

test('symmetric eigen-decomposition reconstructs the matrix', () => {
  const A = [[4, 1, -2], [1, 3, 0.5], [-2, 0.5, 5]];
  const { values, vectors } = symmetricEigen(A);
  const D = values.map((v, i) => values.map((_, j) => (i === j ? v : 0)));
  const back = multiply(multiply(vectors, D), transpose(vectors));
  back.forEach((row, i) => row.forEach((v, j) => near(v, A[i][j], `A[${i}][${j}]`, 1e-12)));
  near(values.reduce((s, v) => s + v, 0), 12, 'trace', 1e-12);
});
