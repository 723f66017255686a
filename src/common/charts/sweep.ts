// Patching sweep charts: the layer-effect chart (Δ_Knobe after patching per layer, window or set,
// one panel per site) and, for sweeps that vary the token position, a position × layer heatmap.
import type { TopLevelSpec } from 'vega-lite';
import type { CellOutput, PatchRow, SweepResult } from '../results.js';
import { chartTitle, distinct, MODEL_LABEL, num, pct, siteScale } from './common.js';
import { themeConfig, type ChartTheme } from './theme.js';

/** Name of the point mark, one item per patch row: tests and the renderer find marks by it. */
export const PATCH_MARK = 'patch_points';
export const POSITION_MARK = 'position_cells';

function inSmallest(row: PatchRow, smallest: SweepResult['smallest']): boolean {
  return !!smallest && row.site === smallest.site && row.layers.every((l) => smallest.layers.includes(l));
}

function recipientLabel(result: SweepResult): { recipient: string; donor: string } {
  return result.direction === 'pretrained->finetuned'
    ? { recipient: MODEL_LABEL.finetuned, donor: MODEL_LABEL.pretrained }
    : { recipient: MODEL_LABEL.pretrained, donor: MODEL_LABEL.finetuned };
}

const patchTooltip = [
  { field: 'site', title: 'site' },
  { field: 'layers', title: 'layers' },
  { field: 'positions', title: 'positions' },
  { field: 'delta', title: 'Δ after patch', format: '.3f' },
  { field: 'lo', title: 'CI low', format: '.3f' },
  { field: 'hi', title: 'CI high', format: '.3f' },
  { field: 'fraction', title: 'fraction removed', format: '.1%' },
  { field: 'fLo', title: 'fraction CI low', format: '.1%' },
  { field: 'fHi', title: 'fraction CI high', format: '.1%' },
];

function patchDatum(row: PatchRow, order: number, smallest: SweepResult['smallest']) {
  return {
    type: 'patch',
    site: row.site,
    label: row.label,
    order,
    layers: row.layers.join('+'),
    positions: row.positions,
    delta: row.delta,
    lo: row.ci[0],
    hi: row.ci[1],
    fraction: row.fractionRemoved,
    fLo: row.fractionCi[0],
    fHi: row.fractionCi[1],
    smallest: inSmallest(row, smallest),
    ariaText: `${row.site} ${row.label}: Δ ${num(row.delta, 3)}`,
  };
}

/** The layer-effect chart of the rows that patch every position together (no `position`). */
export function layerEffectSpec(output: CellOutput<SweepResult>, theme: ChartTheme): TopLevelSpec | undefined {
  const result = output.result;
  const rows = result.rows.filter((r) => r.position === undefined);
  if (rows.length === 0) return undefined;
  const labels = distinct(rows.map((r) => r.label));
  const sites = distinct(rows.map((r) => r.site));
  const { recipient, donor } = recipientLabel(result);
  const refs = sites.flatMap((site) => [
    { type: 'ref', site, model: 'finetuned', y: result.baseline.finetuned, text: `${MODEL_LABEL.finetuned} Δ ${num(result.baseline.finetuned)}` },
    { type: 'ref', site, model: 'pretrained', y: result.baseline.pretrained, text: `${MODEL_LABEL.pretrained} Δ ${num(result.baseline.pretrained)}` },
  ]);
  const values = [...rows.map((r) => patchDatum(r, labels.indexOf(r.label), result.smallest)), ...refs];
  // Sets such as 3+5 have no order between them, so a band joining them would suggest one.
  const ordered = rows.every((r) => r.layers.every((l, i) => i === 0 || l === r.layers[i - 1] + 1));
  const panelWidth = Math.max(160, Math.min(360, 24 * labels.length));
  // Reference labels sit right of each panel, outside the data, so panels need room between them.
  const spacing = 110;
  const columns = sites.length * (panelWidth + spacing) <= 900 ? sites.length : 1;
  const x = { field: 'label', type: 'ordinal' as const, sort: labels, title: rows.some((r) => r.layers.length > 1) ? 'layers patched' : 'layer', axis: { labelAngle: 0 } };
  const isPatch = { filter: "datum.type === 'patch'" };
  const color = { field: 'site', type: 'nominal' as const, scale: siteScale(sites, theme), legend: null };
  const smallest = result.smallest;
  const extra = smallest
    ? `◆ smallest set: ${smallest.site} ${smallest.layers.join('+')} removes ${pct(smallest.fractionRemoved)} (target ${pct(smallest.target)})`
    : undefined;

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle(`Δ_Knobe of the ${recipient} model with ${donor} activations patched in`, output, `dashed: unpatched Δ_Knobe of each model; ${ordered ? 'band' : 'bars'}: 95% CI`, extra),
    config: themeConfig(theme),
    data: { values },
    facet: { field: 'site', type: 'nominal', sort: sites, title: null },
    columns,
    spacing: { column: spacing, row: 16 },
    spec: {
      width: panelWidth,
      height: sites.length > 2 && columns === 1 ? 140 : 180,
      layer: [
        {
          transform: [isPatch],
          mark: ordered ? { type: 'area', opacity: 0.18 } : { type: 'rule', strokeWidth: 2, opacity: 0.6 },
          encoding: { x, y: { field: 'lo', type: 'quantitative', title: 'Δ_Knobe after patching' }, y2: { field: 'hi' }, color },
        },
        ...(ordered
          ? [{ transform: [isPatch], mark: { type: 'line' as const, strokeWidth: 1.5 }, encoding: { x, y: { field: 'delta', type: 'quantitative' as const }, color } }]
          : []),
        ...(['finetuned', 'pretrained'] as const).flatMap((model) => {
          const ref = { transform: [{ filter: `datum.type === 'ref' && datum.model === '${model}'` }] };
          const y = { field: 'y', type: 'quantitative' as const };
          const color = theme.colors[model];
          return [
            { ...ref, mark: { type: 'rule' as const, strokeDash: [5, 3], strokeWidth: 1.5, color }, encoding: { y } },
            {
              ...ref,
              mark: { type: 'text' as const, align: 'left' as const, baseline: 'middle' as const, dx: 6, fontSize: theme.fontSize - 2, color },
              encoding: { x: { value: 'width' }, y, text: { field: 'text' } },
            },
          ];
        }),
        {
          transform: [isPatch],
          name: PATCH_MARK,
          mark: { type: 'point', filled: true, size: 40 },
          encoding: {
            x,
            y: { field: 'delta', type: 'quantitative' },
            color,
            tooltip: patchTooltip,
            description: { field: 'ariaText' },
          },
        },
        ...(smallest
          ? [
              {
                transform: [isPatch, { filter: 'datum.smallest' }],
                mark: { type: 'point' as const, shape: 'diamond', size: 170, filled: false, strokeWidth: 2.5, color: theme.colors.highlight },
                encoding: { x, y: { field: 'delta', type: 'quantitative' as const }, tooltip: patchTooltip },
              },
            ]
          : []),
      ],
    },
  } as TopLevelSpec;
}

/** Heatmap of fraction removed over token position × layer, for rows that carry `position`. */
export function positionHeatmapSpec(output: CellOutput<SweepResult>, theme: ChartTheme): TopLevelSpec | undefined {
  const result = output.result;
  const rows = result.rows.filter((r) => r.position !== undefined);
  if (rows.length === 0) return undefined;
  const labels = distinct(rows.map((r) => r.label));
  const sites = distinct(rows.map((r) => r.site));
  const positions = distinct(rows.map((r) => r.position!)).sort((a, b) => a - b);
  const values = rows.map((r) => ({ ...patchDatum(r, labels.indexOf(r.label), result.smallest), position: r.position }));
  const { recipient, donor } = recipientLabel(result);
  const dark = theme.mode === 'dark';
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle(`Share of Δ_Knobe removed by patching one position of one layer (${donor} → ${recipient})`, output),
    config: themeConfig(theme),
    data: { values },
    facet: { row: { field: 'site', type: 'nominal', sort: sites, title: null } },
    spec: {
      width: Math.max(140, 34 * positions.length),
      height: Math.max(120, 16 * labels.length),
      layer: [
        {
          name: POSITION_MARK,
          mark: { type: 'rect' },
          encoding: {
            x: { field: 'position', type: 'ordinal', sort: positions, title: 'token position', axis: { labelAngle: 0 } },
            y: { field: 'label', type: 'ordinal', sort: [...labels].reverse(), title: 'layer' },
            color: { field: 'fraction', type: 'quantitative', title: 'removed', scale: { scheme: theme.heatScheme, domain: [0, 1], clamp: true }, legend: { format: '.0%' } },
            tooltip: [{ field: 'position', title: 'position' }, ...patchTooltip],
          },
        },
        {
          mark: { type: 'text', fontSize: theme.fontSize - 3 },
          encoding: {
            x: { field: 'position', type: 'ordinal', sort: positions },
            y: { field: 'label', type: 'ordinal', sort: [...labels].reverse() },
            text: { field: 'fraction', type: 'quantitative', format: '.0%' },
            // Text must contrast with the cell: dark cells are the high end of 'blues' but the low end of 'viridis'.
            color: { condition: { test: dark ? 'datum.fraction < 0.55' : 'datum.fraction > 0.55', value: '#ffffff' }, value: '#111111' },
          },
        },
      ],
    },
  } as TopLevelSpec;
}
