// Result → charts, shared by the notebook renderer and the HTML report.
import type { TopLevelSpec } from 'vega-lite';
import type { CellOutput, LocalizationResult, RatingsResult, StatsResult, SweepResult } from '../results.js';
import { localizationSpec } from './localization.js';
import { ratingsSpec } from './ratings.js';
import { effectsSpec, familyDeltaSpec, familyLayersSpec } from './stats.js';
import { layerEffectSpec, positionHeatmapSpec } from './sweep.js';
import type { ChartTheme } from './theme.js';

export interface Chart {
  /** Stable within a result kind: used for file names of exports and element ids. */
  id: 'ratings' | 'localization' | 'layer-effect' | 'position-heatmap' | 'effects' | 'family-deltas' | 'family-layers';
  spec: TopLevelSpec;
}

/** Every chart of a cell output, in display order; results without drawable rows give none. */
export function chartsFor(output: CellOutput, theme: ChartTheme): Chart[] {
  const charts: { id: Chart['id']; spec: TopLevelSpec | undefined }[] = [];
  switch (output.result.kind) {
    case 'ratings':
      charts.push({ id: 'ratings', spec: ratingsSpec(output as CellOutput<RatingsResult>, theme) });
      break;
    case 'localization':
      charts.push({ id: 'localization', spec: localizationSpec(output as CellOutput<LocalizationResult>, theme) });
      break;
    case 'sweep':
      charts.push({ id: 'layer-effect', spec: layerEffectSpec(output as CellOutput<SweepResult>, theme) });
      charts.push({ id: 'position-heatmap', spec: positionHeatmapSpec(output as CellOutput<SweepResult>, theme) });
      break;
    case 'stats':
      charts.push({ id: 'family-deltas', spec: familyDeltaSpec(output as CellOutput<StatsResult>, theme) });
      charts.push({ id: 'family-layers', spec: familyLayersSpec(output as CellOutput<StatsResult>, theme) });
      charts.push({ id: 'effects', spec: effectsSpec(output as CellOutput<StatsResult>, theme) });
      break;
  }
  return charts.filter((c): c is Chart => c.spec !== undefined);
}

export { lightTheme, darkTheme, themeConfig, type ChartTheme } from './theme.js';
export { isSynthetic, SYNTHETIC_SUBTITLE } from './common.js';
export { summaryTables, type Table } from './tables.js';
export { toCsv } from './csv.js';
export { localizationSpec, ratingsSpec, effectsSpec, familyDeltaSpec, familyLayersSpec, layerEffectSpec, positionHeatmapSpec };
