// Each chart draws headlessly with vega's View (renderer 'none' → toSVG), and the drawing has the
// marks the data asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartsFor, darkTheme, layerEffectSpec, lightTheme, localizationSpec, positionHeatmapSpec, ratingsSpec } from '../../../src/common/charts/index.js';
import { PATCH_MARK, POSITION_MARK } from '../../../src/common/charts/sweep.js';
import { RATING_MARK } from '../../../src/common/charts/ratings.js';
import { DELTA_MARK } from '../../../src/common/charts/localization.js';
import { specToSvg } from '../../../src/core/report/svg.js';
import type { CellOutput } from '../../../src/common/results.js';
import { fixtures } from './fixtures.js';

/** Items of the named mark, per group the mark is drawn in (one group per facet panel). */
function itemsPerPanel(svg: string, markName: string): number[] {
  const groups = [...svg.matchAll(new RegExp(`<g class="mark-\\w+ role-mark ${markName}_marks"[^>]*>(.*?)</g>`, 'gs'))];
  return groups.map((g) => (g[1].match(/<path /g) ?? []).length);
}

test('every fixture chart renders to SVG in both themes', async () => {
  for (const theme of [lightTheme, darkTheme]) {
    for (const output of Object.values(fixtures) as CellOutput[]) {
      for (const c of chartsFor(output, theme)) {
        const svg = await specToSvg(c.spec);
        assert.match(svg, /^<svg[^>]*xmlns="http:\/\/www\.w3\.org\/2000\/svg"/, c.id);
        assert.ok(svg.includes(`fill="${theme.background}"`), `${c.id}: background not themed`);
      }
    }
  }
});

test('layer-effect SVG has one point per layer in each site panel', async () => {
  const svg = await specToSvg(layerEffectSpec(fixtures.sweep, lightTheme)!);
  assert.deepEqual(itemsPerPanel(svg, PATCH_MARK), [12, 12, 12]);
  // The points are the fixture's rows: their accessible labels carry site, layer and Δ.
  for (const row of fixtures.sweep.result.rows) {
    const label = `${row.site} ${row.label}: Δ ${row.delta.toFixed(3).replace('-', '−')}`;
    assert.ok(svg.includes(`aria-label="${label}"`), `missing point "${label}"`);
  }
});

test('layer-effect SVG draws the panel titles and the reference labels', async () => {
  const svg = await specToSvg(layerEffectSpec(fixtures.sweep, darkTheme)!);
  for (const text of ['resid_post', 'attn_out', 'mlp_out', 'fine-tuned Δ 2.61', 'pretrained Δ 0.18', 'synthetic demo pair']) {
    assert.ok(svg.includes(text), `missing text "${text}"`);
  }
});

test('position heatmap SVG has one cell per layer and position', async () => {
  const svg = await specToSvg(positionHeatmapSpec(fixtures.positions, lightTheme)!);
  assert.deepEqual(itemsPerPanel(svg, POSITION_MARK), [84]);
});

test('ratings SVG has one point per vignette in each model panel', async () => {
  const svg = await specToSvg(ratingsSpec(fixtures.ratings, lightTheme)!);
  assert.deepEqual(itemsPerPanel(svg, RATING_MARK), [48, 48]);
});

test('δ_l heatmap SVG has one cell per model and layer', async () => {
  const svg = await specToSvg(localizationSpec(fixtures.localization, lightTheme)!);
  assert.deepEqual(itemsPerPanel(svg, DELTA_MARK), [24]);
});
