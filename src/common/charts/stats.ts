// Statistics: the numbers are in the summary table; the chart is a forest plot of the tests'
// effect sizes with their CIs, so their sizes can be compared at a glance.
import type { TopLevelSpec } from 'vega-lite';
import type { CellOutput, StatsResult } from '../results.js';
import { chartTitle, distinct } from './common.js';
import { themeConfig, type ChartTheme } from './theme.js';

export const EFFECT_MARK = 'effect_points';

export function effectsSpec(output: CellOutput<StatsResult>, theme: ChartTheme): TopLevelSpec | undefined {
  const tests = output.result.tests.filter((t) => t.effect);
  if (tests.length === 0) return undefined;
  const values = tests.map((t) => ({
    name: t.name,
    effect: t.effect!.name,
    value: t.effect!.value,
    lo: t.effect!.ci?.[0] ?? t.effect!.value,
    hi: t.effect!.ci?.[1] ?? t.effect!.value,
    p: t.p,
    pAdjusted: t.pAdjusted ?? null,
    apa: t.apa,
  }));
  const names = distinct(values.map((v) => v.effect));
  const y = { field: 'name', type: 'nominal' as const, sort: values.map((v) => v.name), title: null, axis: { labelLimit: 480 } };
  const x = { type: 'quantitative' as const, title: names.length === 1 ? names[0] : 'effect size' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle('Effect sizes with 95% CI', output),
    config: themeConfig(theme),
    data: { values },
    width: 300,
    height: { step: 28 },
    layer: [
      { transform: [{ aggregate: [{ op: 'count', as: 'n' }] }], mark: { type: 'rule', strokeDash: [3, 3], color: theme.grid }, encoding: { x: { datum: 0, type: 'quantitative' } } },
      { mark: { type: 'rule', strokeWidth: 2, color: theme.foreground }, encoding: { y, x: { ...x, field: 'lo' }, x2: { field: 'hi' } } },
      {
        name: EFFECT_MARK,
        mark: { type: 'point', filled: true, size: 60, color: theme.colors.finetuned },
        encoding: {
          y,
          x: { ...x, field: 'value' },
          tooltip: [
            { field: 'name', title: 'test' },
            { field: 'effect', title: 'effect' },
            { field: 'value', title: 'value', format: '.3f' },
            { field: 'lo', title: 'CI low', format: '.3f' },
            { field: 'hi', title: 'CI high', format: '.3f' },
            { field: 'p', title: 'p', format: '.2e' },
            { field: 'pAdjusted', title: `p (${output.result.correction})`, format: '.2e' },
            { field: 'apa', title: 'APA' },
          ],
        },
      },
    ],
  } as TopLevelSpec;
}
