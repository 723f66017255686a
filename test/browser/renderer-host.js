// A minimal stand-in for VS Code's notebook output webview: theme classes on <body>, theme
// colours as CSS variables on <html>, and the renderer API driven the way VS Code drives it.
import { activate } from './renderer.js';

const palettes = {
  light: {
    '--vscode-editor-background': '#fffffe',
    '--vscode-editor-foreground': '#3b3b3b',
    '--vscode-font-family': 'system-ui, sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-charts-blue': '#1a85ff',
    '--vscode-charts-red': '#e51400',
    '--vscode-charts-green': '#388a34',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-purple': '#652d90',
    '--vscode-charts-yellow': '#bf8803',
    '--vscode-charts-lines': 'rgba(0, 0, 0, 0.25)',
    '--vscode-descriptionForeground': '#717171',
    '--vscode-button-secondaryBackground': '#e5e5e5',
    '--vscode-button-secondaryForeground': '#3b3b3b',
  },
  dark: {
    '--vscode-editor-background': '#1f1f1f',
    '--vscode-editor-foreground': '#cccccc',
    '--vscode-font-family': 'system-ui, sans-serif',
    '--vscode-font-size': '13px',
    '--vscode-charts-blue': '#3794ff',
    '--vscode-charts-red': '#f14c4c',
    '--vscode-charts-green': '#89d185',
    '--vscode-charts-orange': '#d18616',
    '--vscode-charts-purple': '#b180d7',
    '--vscode-charts-yellow': '#cca700',
    '--vscode-charts-lines': 'rgba(204, 204, 204, 0.5)',
    '--vscode-descriptionForeground': '#9d9d9d',
    '--vscode-button-secondaryBackground': '#313131',
    '--vscode-button-secondaryForeground': '#cccccc',
  },
};

function setTheme(kind) {
  for (const [k, v] of Object.entries(palettes[kind])) document.documentElement.style.setProperty(k, v);
  document.body.className = kind === 'dark' ? 'vscode-dark' : 'vscode-light';
}

setTheme('light');
const api = activate({ workspace: { isTrusted: true }, setState() {}, getState() {}, getRenderer: async () => undefined });

function item(id, mime, text) {
  return {
    id,
    mime,
    metadata: {},
    text: () => text,
    json: () => JSON.parse(text),
    data: () => new TextEncoder().encode(text),
    blob: () => new Blob([text], { type: mime }),
  };
}

window.host = {
  setTheme,
  async render(id, mime, text) {
    let el = document.getElementById(id);
    if (!el) {
      el = document.createElement('div');
      el.id = id;
      document.body.append(el);
    }
    await api.renderOutputItem(item(id, mime, text), el, new AbortController().signal);
  },
  dispose(id) {
    api.disposeOutputItem(id);
  },
};
window.hostReady = true;
