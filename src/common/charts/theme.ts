// Colours and fonts a chart is drawn with. The renderer fills one from VS Code's CSS variables;
// the HTML report uses the fixed light and dark palettes below. Specs never read globals.
import type { Config } from 'vega-lite';

export interface ChartTheme {
  /** 'light' or 'dark': picks the sequential colour scheme that reads well on the background. */
  mode: 'light' | 'dark';
  background: string;
  foreground: string;
  /** Axis domains, ticks and grid lines. */
  grid: string;
  font: string;
  fontSize: number;
  colors: {
    pretrained: string;
    finetuned: string;
    negative: string;
    positive: string;
    /** The `smallest` layer set of a sweep. */
    highlight: string;
    /** One colour per hook site, in the order sites first appear (purple is the fine-tuned line's). */
    sites: string[];
  };
  /** A vega scheme name for heatmaps, ordered low → high. */
  heatScheme: string;
}

export const lightTheme: ChartTheme = {
  mode: 'light',
  background: '#ffffff',
  foreground: '#1f2328',
  grid: '#d0d7de',
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontSize: 12,
  colors: {
    pretrained: '#6e7781',
    finetuned: '#8250df',
    negative: '#cf222e',
    positive: '#1a7f37',
    highlight: '#bf8700',
    sites: ['#0969da', '#bc4c00', '#1a7f37', '#9a6700', '#cf222e'],
  },
  heatScheme: 'blues',
};

export const darkTheme: ChartTheme = {
  mode: 'dark',
  background: '#1e1e1e',
  foreground: '#d4d4d4',
  grid: '#3c3c3c',
  font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  fontSize: 12,
  colors: {
    pretrained: '#9da5b4',
    finetuned: '#c586c0',
    negative: '#f14c4c',
    positive: '#89d185',
    highlight: '#cca700',
    sites: ['#3794ff', '#f6a05b', '#89d185', '#cca700', '#f14c4c'],
  },
  heatScheme: 'viridis',
};

/** The vega-lite config that applies a theme to every part of a chart. */
export function themeConfig(theme: ChartTheme): Config {
  const text = { labelColor: theme.foreground, titleColor: theme.foreground, labelFont: theme.font, titleFont: theme.font };
  return {
    background: theme.background,
    font: theme.font,
    view: { stroke: theme.grid },
    axis: {
      ...text,
      domainColor: theme.grid,
      tickColor: theme.grid,
      gridColor: theme.grid,
      gridOpacity: 0.6,
      labelFontSize: theme.fontSize - 1,
      titleFontSize: theme.fontSize,
    },
    legend: { ...text, labelFontSize: theme.fontSize - 1, titleFontSize: theme.fontSize },
    header: { labelColor: theme.foreground, titleColor: theme.foreground, labelFont: theme.font, titleFont: theme.font, labelFontSize: theme.fontSize },
    title: { color: theme.foreground, subtitleColor: theme.foreground, font: theme.font, subtitleFont: theme.font, fontSize: theme.fontSize + 2, subtitleFontSize: theme.fontSize - 1, anchor: 'start' },
    text: { color: theme.foreground, font: theme.font, fontSize: theme.fontSize - 1 },
  };
}
