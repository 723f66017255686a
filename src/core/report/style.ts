// The report's stylesheet. Light and dark palettes follow `prefers-color-scheme`; three radio
// buttons (auto / light / dark) override it with CSS alone (`:has`), so the report needs no script.

const light = `--bg:#ffffff;--fg:#1f2328;--muted:#59636e;--border:#d0d7de;--code-bg:#f6f8fa;--accent:#8250df;--warn-bg:#fff8c5;--warn-fg:#6b4400;--err-bg:#ffebe9;--err-fg:#a40e26;`;
const dark = `--bg:#1e1e1e;--fg:#d4d4d4;--muted:#a0a7b4;--border:#3c3c3c;--code-bg:#252526;--accent:#c586c0;--warn-bg:#3b3222;--warn-fg:#e2c08d;--err-bg:#3c1f1f;--err-fg:#f48771;`;

/** Rules that switch a scope to the dark palette and its pre-drawn dark charts. */
const darkRules = (scope: string) =>
  `${scope}{${dark}color-scheme:dark}${scope} .chart .light{display:none}${scope} .chart .dark{display:block}`;

export const REPORT_CSS = `
:root{${light}color-scheme:light}
body{margin:0;background:var(--bg);color:var(--fg);font:15px/1.55 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif}
.chart .dark{display:none}
@media (prefers-color-scheme:dark){${darkRules('body:not(:has(#theme-light:checked))')}}
${darkRules('body:has(#theme-dark:checked)')}
.page{max-width:980px;margin:0 auto;padding:1.5rem 1.25rem 3rem}
.topbar{display:flex;justify-content:space-between;align-items:baseline;gap:1rem;flex-wrap:wrap;border-bottom:1px solid var(--border);padding-bottom:.5rem}
.topbar h1{margin:.2rem 0;font-size:1.7rem}
.themes{font-size:.85rem;color:var(--muted);white-space:nowrap}
.themes input{position:absolute;opacity:0;pointer-events:none}
.themes label{cursor:pointer;padding:.1rem .45rem;border:1px solid var(--border);border-radius:4px;margin-left:.2rem}
body:has(#theme-auto:checked) label[for=theme-auto],body:has(#theme-light:checked) label[for=theme-light],body:has(#theme-dark:checked) label[for=theme-dark]{background:var(--accent);border-color:var(--accent);color:var(--bg)}
.banner{margin:1rem 0;padding:.6rem .8rem;border-radius:6px;background:var(--warn-bg);color:var(--warn-fg)}
.prose{margin:1rem 0}
.prose pre,.cell pre{background:var(--code-bg);padding:.6rem .8rem;border-radius:6px;overflow:auto;font-size:.85rem;line-height:1.45}
.prose code,.cell code{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace}
.prose a{color:var(--accent)}
.prose img{max-width:100%}
.not-embedded{color:var(--muted);font-style:italic}
.cell{margin:1.5rem 0;padding:.8rem 1rem;border:1px solid var(--border);border-radius:8px}
.cell h2{display:flex;gap:.6rem;align-items:baseline;margin:0 0 .4rem;font-size:1.15rem}
.kind{font:600 .75rem/1.6 ui-monospace,Menlo,Consolas,monospace;text-transform:uppercase;letter-spacing:.05em;color:var(--accent)}
details summary{cursor:pointer;color:var(--muted);font-size:.85rem}
.provenance{color:var(--muted);font-size:.8rem;margin:.5rem 0}
.badge{display:inline-block;padding:0 .45rem;border-radius:999px;font-size:.75rem;font-weight:600;background:var(--warn-bg);color:var(--warn-fg)}
.badge.edited{background:var(--err-bg);color:var(--err-fg)}
.integrity{font-size:.85rem;margin:.5rem 0}
.error{padding:.6rem .8rem;border-radius:6px;background:var(--err-bg);color:var(--err-fg);white-space:pre-wrap;font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.85rem}
.table{overflow-x:auto;margin:.8rem 0}
table{border-collapse:collapse;font-size:.85rem;font-variant-numeric:tabular-nums}
caption{text-align:left;font-weight:600;padding:.2rem 0}
th,td{border-bottom:1px solid var(--border);padding:.25rem .6rem;text-align:left;vertical-align:top}
thead th{border-bottom-width:2px}
.note{font-size:.8rem;color:var(--muted);margin:.3rem 0}
.chart{margin:1rem 0;overflow-x:auto}
.chart svg{max-width:none;height:auto;display:block}
footer{margin-top:2rem;color:var(--muted);font-size:.8rem}
`;
