import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRating } from '../../../src/core/scoring/parse.js';

const cases: [string, number | undefined][] = [
  [' 7', 7],
  [' 7/10', 7],
  ['I would say 8.5 out of 10', 8.5],
  [' seven.', 7],
  ['Ten', 10],
  [' 12, no, 3', 3],
  [' -2 then 4', 4],
  ['none', undefined],
  ['', undefined],
  [' 11', undefined],
  ['2.', 2],
  ['the year 2023', undefined],
  ['often 1.5.', 1.5],
];
for (const [text, want] of cases) {
  test(`parses ${JSON.stringify(text)} → ${want}`, () => assert.equal(parseRating(text, 0, 10), want));
}
