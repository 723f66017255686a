// Δ_Knobe for one model: the two conditions' descriptives, the difference with its CI, and the
// test that fits the design: Welch (default) or Student for independent items, paired t for
// paired templates (values aligned by item).
import type { Descriptives } from '../../common/results.js';
import { describe } from './descriptives.js';
import { pairByItem, pairedT, studentT, welchT, type ItemValue, type TTestResult } from './ttest.js';

export interface KnobeDeltaOptions {
  design: 'independent' | 'paired';
  /** Independent items only; default 'welch'. */
  test?: 'welch' | 'student';
  level?: number;
}

export interface KnobeDelta {
  negative: Descriptives;
  positive: Descriptives;
  /** mean(negative) − mean(positive) with the CI of the chosen test. */
  delta: { estimate: number; ci: [number, number] };
  test: TTestResult;
}

/** Throws as `describe` and the t-tests do (empty or single-value condition, non-finite, no spread). */
export function knobeDelta(negative: ArrayLike<number>, positive: ArrayLike<number>, opts: KnobeDeltaOptions): KnobeDelta {
  const level = opts.level ?? 0.95;
  const neg = describe(negative, { level, label: 'negative condition' });
  const pos = describe(positive, { level, label: 'positive condition' });
  const test =
    opts.design === 'paired'
      ? pairedT(negative, positive, { level })
      : opts.test === 'student'
        ? studentT(negative, positive, { level })
        : welchT(negative, positive, { level });
  return { negative: neg, positive: pos, delta: { estimate: test.estimate, ci: test.ci }, test };
}

/** Paired templates: aligns the conditions by item (throws `unpaired` naming a lone item), then paired t. */
export function knobeDeltaPaired(negative: readonly ItemValue[], positive: readonly ItemValue[], opts: { level?: number } = {}): KnobeDelta & { items: string[] } {
  const pairs = pairByItem(negative, positive);
  return { ...knobeDelta(pairs.negative, pairs.positive, { design: 'paired', level: opts.level }), items: pairs.items };
}
