// CSV export and summary tables: the numbers of the fixtures, quoted and formatted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { summaryTables, toCsv } from '../../../src/common/charts/index.js';
import type { RatingsResult } from '../../../src/common/results.js';
import { fixtures } from './fixtures.js';

const lines = (csv: string) => csv.split('\r\n').filter((l) => l !== '');

test('CSV has a header and one line per row', () => {
  const cases: [string, string, number][] = [
    [toCsv(fixtures.ratings.result), 'model,item,condition,expected,sampled_mean,parsed,samples,outside_mass,p_0,', 96],
    [toCsv(fixtures.localization.result), 'model,site,layer,l2,cosine', 24],
    [toCsv(fixtures.sweep.result), 'site,layers,label,positions,position,delta,ci_low,ci_high,fraction_removed', 36],
    [toCsv(fixtures.stats.result), 'test,statistic,df,p,p_adjusted,effect', 3],
  ];
  for (const [csv, header, n] of cases) {
    assert.ok(lines(csv)[0].startsWith(header), lines(csv)[0]);
    assert.equal(lines(csv).length, n + 1);
  }
});

test('CSV carries the numbers', () => {
  const row = fixtures.sweep.result.rows[19];
  assert.equal(lines(toCsv(fixtures.sweep.result))[20], [row.site, row.layers.join(' '), row.label, row.positions, '', row.delta, row.ci[0], row.ci[1], row.fractionRemoved, row.fractionCi[0], row.fractionCi[1]].join(','));
  const r = fixtures.localization.result.rows[5];
  assert.equal(lines(toCsv(fixtures.localization.result))[6], `${r.model},${r.site},${r.layer},${r.l2},${r.cosine}`);
});

test('CSV quotes commas, quotes and line breaks', () => {
  const base = fixtures.ratings.result;
  const result: RatingsResult = { ...base, rows: [{ ...base.rows[0], item: 'a "quoted", item\nwith a break' }] };
  assert.ok(lines(toCsv(result))[1].startsWith('pretrained,"a ""quoted"", item\nwith a break",negative,'));
});

test('summary tables show the fixture numbers', () => {
  const cases: [string, string][] = [
    [JSON.stringify(summaryTables(fixtures.ratings.result)), '2.42 [1.96, 2.88]'],
    [JSON.stringify(summaryTables(fixtures.ratings.result)), 't(39.2) = 10.60, p < .001, d = 3.06'],
    [JSON.stringify(summaryTables(fixtures.ratings.result)), '98.8%'],
    [JSON.stringify(summaryTables(fixtures.localization.result)), '1.867 (0.9690)'],
    [JSON.stringify(summaryTables(fixtures.sweep.result)), 'Smallest layer set: mlp_out 6+7 removes 96% (target 90%).'],
    [JSON.stringify(summaryTables(fixtures.stats.result)), '40.55'],
    [JSON.stringify(summaryTables(fixtures.stats.result)), 'Residual df = 92.'],
  ];
  for (const [json, expected] of cases) assert.ok(json.includes(expected), `missing ${expected}`);
  assert.equal(summaryTables(fixtures.stats.result).length, 2);
  assert.equal(summaryTables(fixtures.sweep.result)[0].rows.length, 36);
});
