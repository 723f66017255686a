// Styles of the renderer's own elements (toolbar, tables), in VS Code's colours.
export const RENDERER_CSS = `
.knobe-output{font-family:var(--vscode-font-family);color:var(--vscode-editor-foreground)}
.knobe-chart{margin:4px 0 12px;overflow-x:auto}
.knobe-toolbar{display:flex;gap:6px;align-items:center;margin:2px 0 4px;font-size:12px}
.knobe-toolbar button{font:inherit;color:var(--vscode-button-secondaryForeground);background:var(--vscode-button-secondaryBackground);border:1px solid var(--vscode-button-border,transparent);border-radius:2px;padding:2px 8px;cursor:pointer}
.knobe-toolbar button:hover{background:var(--vscode-button-secondaryHoverBackground)}
.knobe-status{color:var(--vscode-descriptionForeground)}
.knobe-table{border-collapse:collapse;font-size:12px;font-variant-numeric:tabular-nums;margin:4px 0}
.knobe-table caption{text-align:left;font-weight:600;padding:2px 0}
.knobe-table th,.knobe-table td{border-bottom:1px solid var(--vscode-editorWidget-border,#8884);padding:2px 8px;text-align:left}
.knobe-note{font-size:12px;color:var(--vscode-descriptionForeground);margin:2px 0}
.knobe-error{color:var(--vscode-errorForeground)}
.knobe-integrity{font-size:12px;margin:2px 0 6px;padding:4px 8px;border-left:3px solid var(--vscode-editorWarning-foreground,#bf8803)}
.knobe-edited{border-left-color:var(--vscode-errorForeground,#e51400)}
.knobe-output details summary{cursor:pointer;font-size:12px;color:var(--vscode-descriptionForeground)}
`;
