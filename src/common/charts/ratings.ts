// Rating distributions: every vignette's rating as a jittered point, per model and condition,
// with the condition mean and its 95% CI; the panel header carries Δ_Knobe with its CI.
import type { TopLevelSpec } from 'vega-lite';
import type { CellOutput, RatingRow, RatingsResult } from '../results.js';
import { chartTitle, interval, MODEL_LABEL, num } from './common.js';
import { themeConfig, type ChartTheme } from './theme.js';

export const RATING_MARK = 'rating_points';
export const MEAN_MARK = 'condition_means';

/** The number a row is plotted at: the expected value when there is one, else the sampled mean. */
export function ratingOf(row: RatingRow): number | undefined {
  return row.expected ?? row.sampledMean;
}

/** The scale's numeric range when its answers are numbers (0..10), for a fixed y axis. */
function numericRange(scale: string[]): [number, number] | undefined {
  const n = scale.map(Number);
  return scale.length > 1 && n.every(Number.isFinite) ? [Math.min(...n), Math.max(...n)] : undefined;
}

/**
 * Jitter from the golden-ratio sequence: deterministic (the same file draws the same picture, in
 * the notebook and in the report) and evenly spread, which random jitter is not.
 */
function jitter(i: number): number {
  return ((i * 0.6180339887) % 1) - 0.5;
}

export function ratingsSpec(output: CellOutput<RatingsResult>, theme: ChartTheme): TopLevelSpec | undefined {
  const result = output.result;
  const models = (['pretrained', 'finetuned'] as const).filter((m) => result.rows.some((r) => r.model === m));
  if (models.length === 0) return undefined;
  const summary = new Map(result.summary.map((s) => [s.model, s]));
  const panel = (model: string) => {
    const s = summary.get(model as 'pretrained');
    return s ? `${MODEL_LABEL[model]} · Δ = ${num(s.delta.estimate)} ${interval(s.delta.ci)}` : MODEL_LABEL[model];
  };
  const counters = new Map<string, number>();
  const items = result.rows.flatMap((r) => {
    const rating = ratingOf(r);
    if (rating === undefined) return [];
    const key = `${r.model}/${r.condition}`;
    const i = counters.get(key) ?? 0;
    counters.set(key, i + 1);
    return [{
      type: 'item',
      panel: panel(r.model),
      model: r.model,
      condition: r.condition,
      item: r.item,
      rating,
      expected: r.expected,
      sampled: r.sampledMean,
      parsed: r.parsed !== undefined && r.samples !== undefined ? `${r.parsed}/${r.samples}` : undefined,
      jitter: jitter(i),
    }];
  });
  const means = result.summary.flatMap((s) =>
    (['negative', 'positive'] as const).map((condition) => ({
      type: 'mean',
      panel: panel(s.model),
      model: s.model,
      condition,
      mean: s[condition].mean,
      lo: s[condition].ci[0],
      hi: s[condition].ci[1],
      n: s[condition].n,
      text: num(s[condition].mean),
    })),
  );
  const range = numericRange(result.scale);
  const y = { type: 'quantitative' as const, title: 'rating', scale: range ? { domain: range, nice: false } : { zero: false } };
  const x = { field: 'condition', type: 'nominal' as const, sort: ['negative', 'positive'], title: null, axis: { labelAngle: 0 } };
  const color = {
    field: 'condition',
    type: 'nominal' as const,
    scale: { domain: ['negative', 'positive'], range: [theme.colors.negative, theme.colors.positive] },
    legend: null,
  };
  const isMean = { filter: "datum.type === 'mean'" };
  const protocol = result.protocol === 'both' ? 'expected value (sampled mean in tooltip)' : result.protocol === 'sample' ? 'sampled mean' : 'expected value';

  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    title: chartTitle('Intentionality ratings by condition', output, `points: one vignette each (${protocol}); bars: mean with 95% CI`),
    config: themeConfig(theme),
    data: { values: [...items, ...means] },
    facet: { column: { field: 'panel', type: 'nominal', sort: models.map(panel), title: null } },
    spec: {
      width: 220,
      height: 240,
      layer: [
        {
          transform: [{ filter: "datum.type === 'item'" }],
          name: RATING_MARK,
          mark: { type: 'point', filled: true, size: 28, opacity: 0.55 },
          encoding: {
            x,
            xOffset: { field: 'jitter', type: 'quantitative', scale: { domain: [-1.6, 1.6] } },
            y: { ...y, field: 'rating' },
            color,
            tooltip: [
              { field: 'item', title: 'item' },
              { field: 'condition', title: 'condition' },
              { field: 'rating', title: 'rating', format: '.3f' },
              ...(result.protocol === 'both' ? [{ field: 'sampled', title: 'sampled mean', format: '.3f' }] : []),
              ...(result.rows.some((r) => r.parsed !== undefined) ? [{ field: 'parsed', title: 'parsed' }] : []),
            ],
          },
        },
        {
          transform: [isMean],
          mark: { type: 'rule', strokeWidth: 2.5, color: theme.foreground },
          encoding: { x, y: { ...y, field: 'lo' }, y2: { field: 'hi' } },
        },
        {
          transform: [isMean],
          name: MEAN_MARK,
          mark: { type: 'tick', thickness: 2.5, size: 26, color: theme.foreground },
          encoding: {
            x,
            y: { ...y, field: 'mean' },
            tooltip: [
              { field: 'condition', title: 'condition' },
              { field: 'mean', title: 'mean', format: '.3f' },
              { field: 'lo', title: 'CI low', format: '.3f' },
              { field: 'hi', title: 'CI high', format: '.3f' },
              { field: 'n', title: 'n' },
            ],
          },
        },
        {
          transform: [isMean],
          mark: { type: 'text', align: 'left', dx: 16, fontWeight: 'bold', color: theme.foreground },
          encoding: { x, y: { ...y, field: 'mean' }, text: { field: 'text' } },
        },
      ],
    },
  } as TopLevelSpec;
}
