// Bridges from this folder's results to the shared `TestResult` list of a stats cell.
import type { TestResult } from '../../common/results.js';
import type { AnovaEffectRow } from './anova-types.js';
import { adjustP, type Correction } from './multiple.js';
import { withAdjustedP } from './apa.js';

/** An ANOVA effect as a test: "F: condition × model", df [effect, error], effect size η²p. */
export function anovaRowTest(row: AnovaEffectRow): TestResult {
  return {
    name: `F: ${row.effect}`,
    statistic: row.F,
    df: [row.df, row.dfError],
    p: row.p,
    effect: { name: 'η²p', value: row.partialEta2 },
    apa: row.apa,
  };
}

/**
 * Copies of the tests with `pAdjusted` set for the whole family and printed in the APA line next
 * to the raw p. Tests without a p-value (NaN: a bootstrap interval) are not part of the family.
 */
export function adjustTests<T extends TestResult>(tests: readonly T[], method: Correction): T[] {
  const family = tests.map((t, i) => [t, i] as const).filter(([t]) => Number.isFinite(t.p));
  const adjusted = adjustP(family.map(([t]) => t.p), method);
  const out = tests.slice();
  family.forEach(([t, i], k) => {
    out[i] = method === 'none' ? t : { ...t, pAdjusted: adjusted[k], apa: withAdjustedP(t.apa, adjusted[k], method) };
  });
  return out;
}
