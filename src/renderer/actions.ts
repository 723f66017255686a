// "Save as SVG", "Save as PNG" and "Copy data as CSV". Saving goes through an <a download> with a
// data: URL: VS Code's notebook webview turns exactly that into a save dialog (blob: URLs it does not).
import type { View } from 'vega';

function download(dataUrl: string, fileName: string): void {
  const a = document.createElement('a');
  a.href = dataUrl;
  a.download = fileName;
  a.rel = 'noopener';
  document.body.append(a);
  a.click();
  a.remove();
}

export async function saveSvg(view: View, baseName: string): Promise<void> {
  const svg = await view.toSVG();
  download(`data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`, `${baseName}.svg`);
}

export async function savePng(view: View, baseName: string): Promise<void> {
  download(await view.toImageURL('png', 2), `${baseName}.png`);
}

/** Clipboard API first; the webview may refuse it without focus, then the selection fallback. */
export async function copyText(text: string): Promise<void> {
  try {
    await navigator.clipboard.writeText(text);
    return;
  } catch {
    const area = document.createElement('textarea');
    area.value = text;
    area.style.position = 'fixed';
    area.style.opacity = '0';
    document.body.append(area);
    area.select();
    const ok = document.execCommand('copy');
    area.remove();
    if (!ok) throw new Error('the clipboard is not available here');
  }
}
