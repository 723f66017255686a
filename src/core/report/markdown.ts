// Markdown prose → HTML that cannot run anything.
//
// markdown-it with `html: false` escapes every tag written in the prose instead of passing it
// through, so there is no HTML to sanitize afterwards (safe by construction, no DOM needed, unlike
// DOMPurify); its link validator already refuses `javascript:`, `vbscript:`, `file:` and non-image
// `data:` URLs. On top of that, images are only embedded from `data:image/…` URLs, because the
// report must open without any network access.
import MarkdownIt from 'markdown-it';

const md = new MarkdownIt({ html: false, linkify: false, typographer: false });

const EMBEDDABLE = /^data:image\/(png|gif|jpeg|webp);/i;

md.renderer.rules.image = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  const src = String(token.attrGet('src') ?? '');
  const alt = self.renderInlineAsText(token.children ?? [], options, env);
  if (EMBEDDABLE.test(src)) {
    return `<img src="${md.utils.escapeHtml(src)}" alt="${md.utils.escapeHtml(alt)}">`;
  }
  return `<span class="not-embedded" title="${md.utils.escapeHtml(`image not embedded: ${src}`)}">[image: ${md.utils.escapeHtml(alt)}]</span>`;
};

// Links leave the report: they open in a new context and tell the target nothing about it.
const defaultLinkOpen = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  tokens[idx].attrSet('rel', 'noopener noreferrer');
  return defaultLinkOpen(tokens, idx, options, env, self);
};

export function markdownToHtml(text: string): string {
  return md.render(text);
}
