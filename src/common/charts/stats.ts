// Statistics: the numbers are in the summary table; the chart is a forest plot of the tests'
// effect sizes with their CIs, so their sizes can be compared at a glance.
import type { TopLevelSpec } from 'vega-lite';
import type { CellOutput, StatsResult } from '../results.js';
import { chartTitle, distinct, interval, MODEL_LABEL, num, pct, siteScale } from './common.js';
import { themeConfig, type ChartTheme } from './theme.js';

export const EFFECT_MARK = 'effect_points';

export function effectsSpec(output: CellOutput<StatsResult>, theme: ChartTheme): TopLevelSpec | undefined {
  // Effects with an interval are the ones a forest plot compares; rank correlations without one
  // (next to d's) would only crowd it with numbers on another scale.
  const withEffect = output.result.tests.filter((t) => t.effect);
  const withCi = withEffect.filter((t) => t.effect!.ci);
  const tests = withCi.length ? withCi : withEffect;
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

export const FAMILY_DELTA_MARK = 'family_delta_points';
export const FAMILY_LAYER_MARK = 'family_layer_points';

/** Forest plot across families: Δ_Knobe of each family's pretrained and fine-tuned model with its CI. */
export function familyDeltaSpec(output: CellOutput<StatsResult>, theme: ChartTheme): TopLevelSpec | undefined {
  const deltas = output.result.deltas ?? [];
  if (deltas.length === 0) return undefined;
  const families = distinct(deltas.map((d) => d.family));
  const models = distinct(deltas.map((d) => MODEL_LABEL[d.model] ?? d.model));
  const values = deltas.map((d) => ({
    family: d.family,
    model: MODEL_LABEL[d.model] ?? d.model,
    estimate: d.estimate,
    lo: d.ci[0],
    hi: d.ci[1],
    apa: d.apa,
    ariaText: `${d.family} ${MODEL_LABEL[d.model] ?? d.model}: Δ ${num(d.estimate)} ${interval(d.ci)}`,
  }));
  const y = { field: 'family', type: 'nominal' as const, sort: families, title: null };
  const yOffset = { field: 'model', type: 'nominal' as const, sort: models };
  const color = {
    field: 'model',
    type: 'nominal' as const,
    sort: models,
    scale: { domain: models, range: models.map((m) => (m === MODEL_LABEL.pretrained ? theme.colors.pretrained : theme.colors.finetuned)) },
    title: 'version',
  };
  const x = { type: 'quantitative' as const, title: 'Δ_Knobe (negative − positive)' };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle('Δ_Knobe per family and version with 95% CI', output),
    config: themeConfig(theme),
    data: { values },
    width: 320,
    height: { step: 22 },
    layer: [
      { transform: [{ aggregate: [{ op: 'count', as: 'n' }] }], mark: { type: 'rule', strokeDash: [3, 3], color: theme.grid }, encoding: { x: { datum: 0, type: 'quantitative' } } },
      { mark: { type: 'rule', strokeWidth: 2 }, encoding: { y, yOffset, x: { ...x, field: 'lo' }, x2: { field: 'hi' }, color } },
      {
        name: FAMILY_DELTA_MARK,
        mark: { type: 'point', filled: true, size: 60 },
        encoding: {
          y,
          yOffset,
          x: { ...x, field: 'estimate' },
          color,
          tooltip: [
            { field: 'family', title: 'family' },
            { field: 'model', title: 'version' },
            { field: 'estimate', title: 'Δ_Knobe', format: '.3f' },
            { field: 'lo', title: 'CI low', format: '.3f' },
            { field: 'hi', title: 'CI high', format: '.3f' },
            { field: 'apa', title: 'test' },
          ],
          description: { field: 'ariaText' },
        },
      },
    ],
  } as TopLevelSpec;
}

/** The layer effects of each family's sweep side by side: share of Δ_Knobe removed per patch, one panel per family. */
export function familyLayersSpec(output: CellOutput<StatsResult>, theme: ChartTheme): TopLevelSpec | undefined {
  const rows = output.result.layers ?? [];
  if (rows.length === 0) return undefined;
  const families = distinct(rows.map((r) => r.family));
  const sites = distinct(rows.map((r) => r.site));
  const labels = distinct(rows.map((r) => r.label));
  const values = rows.map((r) => ({
    family: r.family,
    site: r.site,
    label: r.label,
    fraction: r.fractionRemoved,
    lo: r.fractionCi[0],
    hi: r.fractionCi[1],
    ariaText: `${r.family} ${r.site} ${r.label}: removes ${pct(r.fractionRemoved)}`,
  }));
  const x = { field: 'label', type: 'ordinal' as const, sort: labels, title: rows.some((r) => r.layers.length > 1) ? 'layers patched' : 'layer', axis: { labelAngle: 0 } };
  const color = { field: 'site', type: 'nominal' as const, scale: siteScale(sites, theme), title: 'site' };
  const y = { type: 'quantitative' as const, title: 'share of Δ_Knobe removed', axis: { format: '%' } };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle('Layer effect per family: share of Δ_Knobe removed by patching one layer', output, 'bars: 95% bootstrap CI'),
    config: themeConfig(theme),
    data: { values },
    facet: { column: { field: 'family', type: 'nominal', sort: families, title: null } },
    spacing: { column: 16 },
    spec: {
      width: Math.max(140, Math.min(280, 18 * labels.length)),
      height: 170,
      layer: [
        { mark: { type: 'rule', strokeWidth: 2, opacity: 0.6 }, encoding: { x, xOffset: { field: 'site', sort: sites }, y: { ...y, field: 'lo' }, y2: { field: 'hi' }, color } },
        {
          name: FAMILY_LAYER_MARK,
          mark: { type: 'point', filled: true, size: 40 },
          encoding: {
            x,
            xOffset: { field: 'site', sort: sites },
            y: { ...y, field: 'fraction' },
            color,
            tooltip: [
              { field: 'family', title: 'family' },
              { field: 'site', title: 'site' },
              { field: 'label', title: 'layer' },
              { field: 'fraction', title: 'removed', format: '.1%' },
              { field: 'lo', title: 'CI low', format: '.1%' },
              { field: 'hi', title: 'CI high', format: '.1%' },
            ],
            description: { field: 'ariaText' },
          },
        },
      ],
    },
  } as TopLevelSpec;
}
