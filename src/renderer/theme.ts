// The chart theme of the VS Code colour theme in force, read from the CSS variables VS Code sets
// on the notebook webview, with the report palettes as fallbacks for anything a theme leaves out.
import { darkTheme, lightTheme, type ChartTheme } from '../common/charts/theme.js';

/** Which palette the webview is in: VS Code marks it with a class on <body>. */
export function themeKind(body: HTMLElement): 'light' | 'dark' {
  const c = body.classList;
  if (c.contains('vscode-dark')) return 'dark';
  if (c.contains('vscode-high-contrast') && !c.contains('vscode-high-contrast-light')) return 'dark';
  return 'light';
}

export function themeFromCss(body: HTMLElement): ChartTheme {
  const base = themeKind(body) === 'dark' ? darkTheme : lightTheme;
  const style = getComputedStyle(body);
  const v = (name: string, fallback: string) => style.getPropertyValue(name).trim() || fallback;
  const size = parseFloat(v('--vscode-font-size', ''));
  const blue = v('--vscode-charts-blue', base.colors.sites[0]);
  const orange = v('--vscode-charts-orange', base.colors.sites[1]);
  const purple = v('--vscode-charts-purple', base.colors.finetuned);
  const green = v('--vscode-charts-green', base.colors.sites[2]);
  const red = v('--vscode-charts-red', base.colors.sites[4]);
  return {
    ...base,
    background: v('--vscode-notebook-outputContainerBackgroundColor', v('--vscode-editor-background', base.background)),
    foreground: v('--vscode-charts-foreground', v('--vscode-editor-foreground', base.foreground)),
    grid: v('--vscode-charts-lines', v('--vscode-editorWidget-border', base.grid)),
    font: v('--vscode-font-family', base.font),
    fontSize: Number.isFinite(size) && size > 0 ? size : base.fontSize,
    colors: {
      pretrained: v('--vscode-descriptionForeground', base.colors.pretrained),
      finetuned: purple,
      negative: red,
      positive: green,
      highlight: v('--vscode-charts-yellow', base.colors.highlight),
      sites: [blue, orange, green, v('--vscode-charts-yellow', base.colors.sites[3]), red],
    },
  };
}
