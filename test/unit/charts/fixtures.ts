// Loads the committed result fixtures (test/fixtures/results/*.json).
import { readFileSync } from 'node:fs';
import type { CellOutput, LocalizationResult, RatingsResult, StatsResult, SweepResult } from '../../../src/common/results.js';

const load = <R>(name: string): CellOutput<R & CellOutput['result']> =>
  JSON.parse(readFileSync(new URL(`../../fixtures/results/${name}.json`, import.meta.url), 'utf8'));

export const fixtures = {
  ratings: load<RatingsResult>('ratings') as CellOutput<RatingsResult>,
  localization: load<LocalizationResult>('localization') as CellOutput<LocalizationResult>,
  sweep: load<SweepResult>('sweep') as CellOutput<SweepResult>,
  positions: load<SweepResult>('sweep-positions') as CellOutput<SweepResult>,
  stats: load<StatsResult>('stats') as CellOutput<StatsResult>,
};
