// The HTML report: content, self-containedness and escaping of everything the notebook wrote.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse, type DefaultTreeAdapterMap } from 'parse5';
import { renderReport } from '../../../src/core/report/index.js';
import { hostileNotebook, outputs, PAYLOADS, studyNotebook } from '../../fixtures/results/notebook.js';

type Node = DefaultTreeAdapterMap['node'];
type Element = DefaultTreeAdapterMap['element'];

/** Every element of the parsed document, as a browser would build it. */
function elements(html: string): Element[] {
  const out: Element[] = [];
  const walk = (n: Node) => {
    if ('tagName' in n) out.push(n);
    const kids = 'childNodes' in n ? n.childNodes : [];
    for (const k of kids) walk(k);
    if ('content' in n && n.content) walk(n.content as Node);
  };
  walk(parse(html));
  return out;
}
const attr = (e: Element, name: string) => e.attrs.find((a) => a.name === name)?.value;

const study = renderReport(studyNotebook());
const hostile = renderReport(hostileNotebook());

test('the report holds every chart: light and dark SVG per chart', async () => {
  const els = elements(await study);
  const figures = els.filter((e) => e.tagName === 'figure').map((f) => attr(f, 'data-chart'));
  assert.deepEqual(figures, ['ratings', 'localization', 'layer-effect', 'position-heatmap', 'effects']);
  assert.equal(els.filter((e) => e.tagName === 'svg').length, 2 * figures.length);
});

test('the report holds the summary tables with the numbers', async () => {
  const html = await study;
  const cases = ['2.42 [1.96, 2.88]', 't(39.2) = 10.60, p &lt; .001, d = 3.06', 'Smallest layer set: mlp_out 6+7 removes 96% (target 90%).', 'Residual df = 92.', '1.867 (0.9690)'];
  for (const c of cases) assert.ok(html.includes(c), `missing ${c}`);
  assert.equal(elements(html).filter((e) => e.tagName === 'table').length, 6);
});

test('the report renders prose as Markdown and shows vignettes verbatim', async () => {
  const html = await study;
  assert.ok(html.includes('<em>harmful</em>'));
  assert.ok(html.includes('<li>ratings on a 0–10 scale</li>'));
  assert.ok(html.includes('A vice-president says to the chairman: &quot;The new programme will raise profits,'));
});

test('results of the demo pair are flagged as synthetic', async () => {
  const html = await study;
  assert.ok(html.includes('synthetic demo pair'));
  assert.ok(html.includes('class="banner"'));
  const real = await renderReport({ title: 't', cells: studyNotebook().cells.filter((c) => c.kind === 'knobe' && c.name === 'baseline') });
  assert.ok(!real.includes('class="banner"'));
});

test('the report is self-contained: nothing to fetch, no script', async () => {
  for (const html of [await study, await hostile]) {
    for (const e of elements(html)) {
      assert.notEqual(e.tagName, 'script');
      assert.notEqual(e.tagName, 'link', 'no stylesheet links');
      assert.notEqual(e.tagName, 'iframe');
      for (const name of ['src', 'srcset', 'poster', 'data']) {
        const v = attr(e, name);
        assert.ok(v === undefined || v.startsWith('data:'), `<${e.tagName} ${name}="${v}"> fetches`);
      }
      // Links in the prose may point out (a reader clicks them); nothing else may carry an URL.
      const href = attr(e, 'href') ?? attr(e, 'xlink:href');
      if (href !== undefined && e.tagName !== 'a') assert.ok(href.startsWith('#'), `<${e.tagName} href="${href}">`);
    }
    assert.ok(!/url\(\s*['"]?(https?:|\/\/)/i.test(html), 'CSS url() to the network');
    assert.ok(!/@import/i.test(html));
  }
});

test('the report forbids scripts and fetches by its content security policy', async () => {
  const meta = elements(await study).find((e) => e.tagName === 'meta' && attr(e, 'http-equiv') === 'Content-Security-Policy');
  assert.equal(attr(meta!, 'content'), "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'");
});

test('notebook text cannot add elements, event handlers or script URLs', async () => {
  const els = elements(await hostile);
  for (const e of els) {
    assert.ok(!['script', 'iframe', 'object', 'embed', 'img'].includes(e.tagName), `<${e.tagName}> from notebook text`);
    for (const a of e.attrs) {
      assert.ok(!a.name.startsWith('on'), `<${e.tagName} ${a.name}> from notebook text`);
      assert.ok(!/^\s*(javascript|vbscript):/i.test(a.value) || a.name.startsWith('aria'), `<${e.tagName} ${a.name}="${a.value}">`);
    }
  }
  assert.ok(!els.some((e) => e.tagName === 'a' && /script/i.test(attr(e, 'href') ?? '')));
});

test('hostile text is shown, escaped, where it was written', async () => {
  const html = await hostile;
  const cases: [string, string][] = [
    ['title', '<title>Chairman &lt;/title&gt;&lt;script&gt;window.__pwned=&#39;title&#39;&lt;/script&gt;</title>'],
    ['prose script', '&lt;script&gt;window.__pwned=\'prose-script\'&lt;/script&gt;'],
    ['prose link', "[a link](javascript:window.__pwned='prose-link')"],
    ['remote image', '<span class="not-embedded" title="image not embedded: https://tracker.invalid/pixel.png">[image: pixel]</span>'],
    ['vignette', 'The chairman said &quot;&lt;/code&gt;&lt;/pre&gt;&lt;script&gt;'],
    ['cell name', 'evil&quot;&gt;&lt;script&gt;window.__pwned=&#39;name&#39;&lt;/script&gt;'],
    ['error', 'model file not found: &lt;img src=x onerror=&quot;window.__pwned=&#39;error&#39;&quot;&gt;'],
    ['model source', 'hf:&lt;script&gt;window.__pwned=&#39;source&#39;&lt;/script&gt;'],
  ];
  for (const [what, expected] of cases) assert.ok(html.includes(expected), `${what}: expected ${expected}`);
  // Item names reach the SVG as accessible labels; vega escapes them as attribute text.
  assert.ok(html.includes('boardroom&lt;script&gt;'), 'item name');
  void PAYLOADS;
});

test('ids in the inline SVGs are unique across the page', async () => {
  const ids = elements(await study).map((e) => attr(e, 'id')).filter((id): id is string => !!id);
  assert.equal(new Set(ids).size, ids.length, 'duplicate ids');
  assert.ok(ids.some((id) => id.endsWith('gradient_0')), 'heatmap gradients are scoped');
});

test('a failed cell shows its error and a cell with a bad output says so', async () => {
  const html = await renderReport({
    title: 't',
    cells: [
      { kind: 'knobe', cellKind: 'ratings', name: 'a', source: '', error: 'tokenizers differ at prompt "boardroom"' },
      { kind: 'knobe', cellKind: 'ratings', name: 'b', source: '', output: { result: { kind: 'nonsense' }, provenance: { models: [] } } as never },
    ],
  });
  assert.ok(html.includes('<div class="error" role="alert">tokenizers differ at prompt &quot;boardroom&quot;</div>'));
  assert.ok(html.includes('output of cell b has an unknown result kind: nonsense'));
});

test('a result made from prompts shows its template and, folded, the exact text a vignette became', async () => {
  const ratings = outputs.ratings;
  const text = 'The river is harmed.\nHow intentionally?\nAnswer with a whole number from 0 to 10.\n0 = not at all <intentionally>, 10 = completely intentionally\nAnswer:';
  const output = { ...ratings, provenance: { ...ratings.provenance, template: { id: 'default-1', text: '{vignette}\n{answer}' }, prompts: [{ model: 'pretrained' as const, vignette: 'river (negative)', text }, { model: 'finetuned' as const, vignette: 'river (negative)', text }] } };
  const html = await renderReport({ title: 't', cells: [{ kind: 'knobe', cellKind: 'ratings', name: 'r', source: '', output }] });
  assert.ok(html.includes('template default-1'), 'the template id among the facts');
  assert.ok(html.includes('<details class="prompt"><summary>prompt of river (negative), as both models received it</summary><pre>The river is harmed.\nHow intentionally?\nAnswer with a whole number from 0 to 10.\n0 = not at all &lt;intentionally&gt;, 10 = completely intentionally\nAnswer:</pre></details>'), 'the prompt, escaped');
});
