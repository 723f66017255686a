// The δ_l heatmap: per layer and model (and site), the L2 distance between the condition means of
// the activations; the cosine between them in the tooltip.
import type { TopLevelSpec } from 'vega-lite';
import type { CellOutput, LocalizationResult } from '../results.js';
import { chartTitle, distinct, MODEL_LABEL } from './common.js';
import { themeConfig, type ChartTheme } from './theme.js';

export const DELTA_MARK = 'delta_cells';

export function localizationSpec(output: CellOutput<LocalizationResult>, theme: ChartTheme): TopLevelSpec | undefined {
  const result = output.result;
  if (result.rows.length === 0) return undefined;
  const sites = distinct(result.rows.map((r) => r.site));
  const rowLabel = (model: string, site: string) => (sites.length > 1 ? `${MODEL_LABEL[model]} · ${site}` : MODEL_LABEL[model]);
  const rowOrder = sites.flatMap((site) => ['finetuned', 'pretrained'].map((m) => rowLabel(m, site)));
  const layers = distinct(result.rows.map((r) => r.layer)).sort((a, b) => a - b);
  const values = result.rows.map((r) => ({ row: rowLabel(r.model, r.site), model: r.model, site: r.site, layer: r.layer, l2: r.l2, cosine: r.cosine }));
  const max = Math.max(...values.map((v) => v.l2));
  const dark = theme.mode === 'dark';
  const x = { field: 'layer', type: 'ordinal' as const, sort: layers, title: 'layer', axis: { labelAngle: 0 } };
  const y = { field: 'row', type: 'nominal' as const, sort: rowOrder.filter((r) => values.some((v) => v.row === r)), title: null };
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle('δ_l: distance between the condition means, per layer', output, `positions: ${result.positions}; colour: L2 norm`),
    config: themeConfig(theme),
    data: { values },
    width: Math.max(220, 36 * layers.length),
    height: { step: 30 },
    layer: [
      {
        name: DELTA_MARK,
        mark: { type: 'rect' },
        encoding: {
          x,
          y,
          color: { field: 'l2', type: 'quantitative', title: 'δ_l (L2)', scale: { scheme: theme.heatScheme, domainMin: 0 } },
          tooltip: [
            { field: 'model', title: 'model' },
            { field: 'site', title: 'site' },
            { field: 'layer', title: 'layer' },
            { field: 'l2', title: 'L2', format: '.4f' },
            { field: 'cosine', title: 'cosine', format: '.4f' },
          ],
        },
      },
      {
        mark: { type: 'text', fontSize: theme.fontSize - 3 },
        encoding: {
          x,
          y,
          text: { field: 'l2', type: 'quantitative', format: '.2f' },
          // Dark cells are the high end of 'blues' and the low end of 'viridis'.
          color: { condition: { test: dark ? `datum.l2 < ${0.5 * max}` : `datum.l2 > ${0.55 * max}`, value: '#ffffff' }, value: '#111111' },
        },
      },
    ],
  } as TopLevelSpec;
}
