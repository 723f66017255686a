// Public API of the statistics used by Knobe studies. Every function validates its input and throws
// a StatsError (with a stable `code`) rather than return a misleading number; see errors.ts.
export { StatsError, requireFinite, type StatsErrorCode } from './errors.js';
export { describe, mean, variance } from './descriptives.js';
export { welchT, studentT, pairedT, pairByItem, type TTestResult, type TTestOptions, type ItemValue } from './ttest.js';
export { cohensD, hedgesG, cohensDz, hedgesJ, pooledSd, partialEta2Interval, type EffectSize, type EffectInterval } from './effect.js';
export { nctCdf, nctSf, ncfCdf, ncfSf, nctNoncentralityInterval, ncfNoncentralityInterval } from './noncentral.js';
export { tostPaired, tostTwoSample, type TostResult, type EquivalenceBounds } from './tost.js';
export { wilcoxonSignedRank, mannWhitney, rankWithTies, type WilcoxonResult, type MannWhitneyResult } from './ranks.js';
export { knobeDelta, knobeDeltaPaired, type KnobeDelta, type KnobeDeltaOptions } from './knobe.js';
export { anovaBetween, oneWayAnova, type BetweenData } from './anova.js';
export { anovaRepeated, type RepeatedData, type RepeatedOptions } from './rm-anova.js';
export { fitMixedModel, type MixedData, type MixedOptions, type MixedModel, type FixedEffect, type MixedTermTest, type LikelihoodRatio } from './lmm.js';
export type { AnovaEffectRow, AnovaTable, Mauchly } from './anova-types.js';
export { adjustP, type Correction } from './multiple.js';
export { bootstrap, bcaInterval, jackknife, quantileSorted, type BootstrapOptions, type BootstrapResult } from './bootstrap.js';
export { fractionRemoved, type PatchItem, type FractionRemoved } from './patch-effect.js';
export { activationDifference, type ActivationDifference } from './activation.js';
export { formatP, formatT, formatF, formatDf, formatEffect, withAdjustedP } from './apa.js';
export { createRng, fromState, type Rng } from './rng.js';
export { tTwoSidedP, fUpper, chiSquareUpper } from './dist.js';
export { anovaRowTest, adjustTests } from './report.js';
