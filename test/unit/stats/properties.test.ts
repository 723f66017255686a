// Invariances every correct implementation has, checked on seeded random data.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { adjustP, adjustTests, anovaBetween, anovaRepeated, anovaRowTest, createRng, formatP, oneWayAnova, pairedT, studentT, welchT, type Rng } from '../../../src/core/stats/index.js';

function near(a: number, b: number, what: string, rel = 1e-9) {
  assert.ok(Math.abs(a - b) <= rel * Math.max(Math.abs(a), Math.abs(b), 1e-12), `${what}: ${a} vs ${b}`);
}

function normal(r: Rng): number {
  // Box–Muller: only the test data generator needs normals.
  return Math.sqrt(-2 * Math.log(1 - r.next())) * Math.cos(2 * Math.PI * r.next());
}

function shuffle<T>(r: Rng, xs: T[]): T[] {
  const a = xs.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = r.int(i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a;
}

interface Row { y: number; s: string; a: string; b: string; g: string }

/** A 2 (a) × 3 (b) within design for `n` subjects in two unequal groups, in long format. */
function longData(r: Rng, n: number): Row[] {
  const rows: Row[] = [];
  for (let i = 0; i < n; i++) {
    const u = normal(r);
    const g = i < Math.ceil(n / 3) ? 'g1' : 'g2';
    for (const a of ['a1', 'a2']) for (const b of ['b1', 'b2', 'b3']) {
      rows.push({ y: 5 + u + (a === 'a2' ? 0.7 : 0) + (b === 'b3' ? 0.4 : 0) + (g === 'g2' && a === 'a2' ? 0.5 : 0) + normal(r) * (b === 'b2' ? 2 : 1), s: `s${i}`, a, b, g });
    }
  }
  return rows;
}

const rm = (rows: Row[], shift = 0) =>
  anovaRepeated({ y: rows.map((x) => x.y + shift), subject: rows.map((x) => x.s), within: { a: rows.map((x) => x.a), b: rows.map((x) => x.b) }, between: { g: rows.map((x) => x.g) } });
const between = (rows: Row[], type: 2 | 3, shift = 0) =>
  anovaBetween({ y: rows.map((x) => x.y + shift), factors: { a: rows.map((x) => x.a), b: rows.map((x) => x.b) } }, { type });

for (const seed of [1, 2, 3]) {
  test(`seed ${seed}: results do not depend on row order`, () => {
    const r = createRng(seed);
    const x = Array.from({ length: 15 }, () => normal(r) + 1);
    const y = Array.from({ length: 11 }, () => 2 * normal(r));
    near(welchT(shuffle(r, x), shuffle(r, y)).p, welchT(x, y).p, 'Welch p');
    near(studentT(shuffle(r, x), shuffle(r, y)).statistic, studentT(x, y).statistic, 'Student t');
    const rows = longData(r, 13).slice(0, -6); // drop the last subject's block to unbalance the between design
    const rowsB = rows.filter((_, i) => i % 5 !== 0); // and a between-subjects data set with unequal cells
    const mixed = shuffle(r, rows);
    for (const [a, b] of [[rm(mixed), rm(rows)], [between(shuffle(r, rowsB), 3), between(rowsB, 3)], [between(shuffle(r, rowsB), 2), between(rowsB, 2)]]) {
      a.rows.forEach((row, i) => {
        near(row.F, b.rows[i].F, `${row.effect} F`);
        near(row.p, b.rows[i].p, `${row.effect} p`);
        if (row.epsilonGG !== undefined) near(row.epsilonGG, b.rows[i].epsilonGG!, `${row.effect} ε`);
      });
    }
  });

  test(`seed ${seed}: shifting every rating leaves t and F unchanged`, () => {
    const r = createRng(100 + seed);
    const x = Array.from({ length: 12 }, () => normal(r));
    const y = Array.from({ length: 12 }, () => normal(r) + 0.5);
    const c = 1000 * normal(r);
    near(welchT(x.map((v) => v + c), y.map((v) => v + c)).statistic, welchT(x, y).statistic, 'Welch t', 1e-8);
    near(pairedT(x.map((v) => v + c), y.map((v) => v + c)).statistic, pairedT(x, y).statistic, 'paired t', 1e-8);
    const rows = longData(r, 10);
    for (const [a, b] of [[rm(rows, c), rm(rows)], [between(rows, 3, c), between(rows, 3)]]) {
      a.rows.forEach((row, i) => near(row.F, b.rows[i].F, `${row.effect} F`, 1e-7));
    }
  });

  test(`seed ${seed}: Welch equals Student when sizes and variances are equal`, () => {
    const r = createRng(200 + seed);
    const x = Array.from({ length: 9 }, () => normal(r));
    // −x + c has exactly the variance of x.
    const y = x.map((v) => 0.3 - v);
    const w = welchT(x, y);
    const s = studentT(x, y);
    near(w.statistic, s.statistic, 't');
    near(w.df, s.df, 'df');
    near(w.p, s.p, 'p');
    assert.equal(s.df, 16);
  });
}

test('identities between tests: F = t² and balanced type II = type III', () => {
  const r = createRng(9);
  const x = Array.from({ length: 10 }, () => normal(r));
  const y = Array.from({ length: 14 }, () => normal(r) + 1);
  const t = studentT(x, y);
  const [f] = oneWayAnova({ x, y }).rows;
  near(f.F, t.statistic ** 2, 'F = t²');
  near(f.p, t.p, 'p');
  // A two-level within factor is a paired t-test.
  const pt = pairedT(x.slice(0, 8), y.slice(0, 8));
  const subj = [...Array(8).keys()].map(String);
  const [w] = anovaRepeated({ y: [...x.slice(0, 8), ...y.slice(0, 8)], subject: [...subj, ...subj], within: { c: [...Array(8).fill('x'), ...Array(8).fill('y')] } }).rows;
  near(w.F, pt.statistic ** 2, 'RM F = paired t²');
  assert.equal(w.epsilonGG, undefined);
  const rows = longData(r, 6); // every a × b cell has 6 observations
  const t2 = between(rows, 2);
  const t3 = between(rows, 3);
  t2.rows.forEach((row, i) => near(row.ss, t3.rows[i].ss, `${row.effect} SS`));
});

test('repeated measures: averaging duplicates on request equals averaging beforehand', () => {
  const r = createRng(11);
  const rows = longData(r, 8);
  const doubled = rows.flatMap((x) => [{ ...x, y: x.y - 0.25 }, { ...x, y: x.y + 0.25 }]);
  const a = anovaRepeated({ y: doubled.map((x) => x.y), subject: doubled.map((x) => x.s), within: { a: doubled.map((x) => x.a), b: doubled.map((x) => x.b) } }, { aggregate: 'mean' });
  const b = anovaRepeated({ y: rows.map((x) => x.y), subject: rows.map((x) => x.s), within: { a: rows.map((x) => x.a), b: rows.map((x) => x.b) } });
  a.rows.forEach((row, i) => near(row.F, b.rows[i].F, row.effect));
  assert.equal(a.design, 'repeated measures: a (2) × b (3) (within), 8 subjects');
});

test('sphericity statistics that need more subjects are left out, not invented', () => {
  // 3 subjects, 4 levels: error df 2 < p = 3, so no Mauchly test; ν ≤ p·ε̂ leaves no Huynh–Feldt ε̃.
  const y = [1, 2, 4, 3, 2, 2, 5, 5, 1, 3, 3, 6];
  const subject = ['s1', 's1', 's1', 's1', 's2', 's2', 's2', 's2', 's3', 's3', 's3', 's3'];
  const w = ['a', 'b', 'c', 'd', 'a', 'b', 'c', 'd', 'a', 'b', 'c', 'd'];
  const [row] = anovaRepeated({ y, subject, within: { w } }).rows;
  assert.equal(row.mauchly, undefined);
  assert.ok(row.epsilonGG! >= 1 / 3 && row.epsilonGG! <= 1);
  assert.ok(row.pGG! > 0 && row.pGG! <= 1);
  if (row.epsilonHF === undefined) assert.equal(row.pHF, undefined);
  else assert.ok(row.epsilonHF > 0);
});

test('ANOVA rows become tests of a stats cell, and a family gets adjusted p-values', () => {
  const r = createRng(4);
  const rows = longData(r, 9);
  const table = rm(rows);
  const tests = adjustTests(table.rows.map(anovaRowTest), 'holm');
  assert.deepEqual(tests.map((t) => t.name), ['F: g', 'F: a', 'F: g × a', 'F: b', 'F: g × b', 'F: a × b', 'F: g × a × b']);
  assert.deepEqual(tests[1].df, [1, 7]);
  // The APA lines carry the adjusted p next to the raw one.
  assert.equal(tests[1].apa, table.rows[1].apa.replace(/(p [<=>] \.\d{3})/, (m) => `${m}, p_Holm ${formatP(tests[1].pAdjusted!).slice(2)}`));
  assert.deepEqual(tests.map((t) => t.pAdjusted), adjustP(table.rows.map((x) => x.p), 'holm'));
  assert.match(tests[3].apa, /^F\(2, 14\) = \d+\.\d\d, p [<=] \.\d{3}, p_Holm [<=>] \.\d{3}, η²p = \.\d\d$/);
});

test("the paper's design: 283 repeated units in a 2 × 3 within design give F(2, 564) for the interaction", () => {
  const r = createRng(283);
  const y: number[] = [], subject: string[] = [], version: string[] = [], model: string[] = [];
  const lift: Record<string, number> = { llama: 2.5, mistral: 1.5, gemma: 3.5 };
  for (let i = 0; i < 283; i++) {
    const u = normal(r);
    for (const v of ['pretrained', 'finetuned']) for (const m of ['llama', 'mistral', 'gemma']) {
      y.push(5 + u + (v === 'finetuned' ? lift[m] : 0.2) + normal(r));
      subject.push(`sample${i}`);
      version.push(v);
      model.push(m);
    }
  }
  const t = anovaRepeated({ y, subject, within: { version, model } });
  const inter = t.rows[2];
  assert.equal(inter.effect, 'version × model');
  assert.deepEqual([inter.df, inter.dfError], [2, 564]);
  assert.ok(inter.p < 1e-20 && inter.partialEta2 > 0.3);
  assert.match(inter.apa, /^F\(2, 564\) = \d+\.\d\d, p < \.001, η²p = \.\d\d$/);
  assert.match(inter.apaGG!, /^F\(\d\.\d, \d+\.\d\) = /);
});
