// Bridges from this folder's results to the shared `TestResult` list of a stats cell.
import type { TestResult } from '../../common/results.js';
import type { AnovaEffectRow } from './anova-types.js';
import { adjustP, type Correction } from './multiple.js';

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

/** Copies of the tests with `pAdjusted` set for the whole family; the APA lines keep the raw p. */
export function adjustTests<T extends TestResult>(tests: readonly T[], method: Correction): T[] {
  const adjusted = adjustP(tests.map((t) => t.p), method);
  return tests.map((t, i) => ({ ...t, pAdjusted: adjusted[i] }));
}
