import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { CellOutput } from '../../../src/common/results.js';
import { summaryMarkdown } from '../../../src/core/format/summary.js';
import { withChecksum } from '../../../src/core/format/checksum.js';

const provenance = { tool: '0.1.0', date: '2026-11-30', seed: 3, models: [{ role: 'finetuned' as const, source: 'demo:finetuned', sha256: 'x', architecture: 'llama', synthetic: true }] };
const d = (mean: number) => ({ n: 2, mean, sd: 1, se: 0.7, ci: [mean - 1, mean + 1] as [number, number] });

test('ratings summary shows the means, Δ_Knobe and the test', () => {
  const out: CellOutput = withChecksum({
    hash: 'h', provenance,
    result: {
      kind: 'ratings', protocol: 'expected', scale: ['0', '10'], rows: [],
      summary: [{ model: 'finetuned', negative: d(6.5), positive: d(3.25), delta: { estimate: 3.25, ci: [1, 5.5] }, test: { name: 'welch', statistic: 4, df: 2, p: 0.05, apa: 't(2) = 4.00, p = .050' } }],
    },
  });
  assert.equal(
    summaryMarkdown(out),
    [
      '**Ratings** (expected, scale 0–10, 0 rows)', '',
      '| model | negative | positive | Δ_Knobe | 95% CI | test |', '| --- | --- | --- | --- | --- | --- |',
      '| finetuned | 6.50 | 3.25 | 3.25 | [1.00, 5.50] | t(2) = 4.00, p = .050 |', '',
      'Δ_Knobe = mean rating of the negative-side-effect vignettes − mean rating of the positive ones, in scale points; positive when harm is judged more intentional than help.', '',
      '_finetuned `demo:finetuned`; 2026-11-30; tool 0.1.0; seed 3 — synthetic demo pair: a positive control, not a finding_',
    ].join('\n'),
  );
});

test('sweep, localization and stats summaries', () => {
  const sweep = summaryMarkdown({
    hash: 'h', provenance,
    result: {
      kind: 'sweep', direction: 'pretrained->finetuned', mix: 1, baseline: { pretrained: 0.1, finetuned: 2 },
      rows: [
        { site: 'resid_post', layers: [1], label: '1', positions: 'last', delta: 1.9, ci: [1, 2], fractionRemoved: 0.05, fractionCi: [0, 0.1] },
        { site: 'resid_post', layers: [3], label: '3', positions: 'last', delta: 0.2, ci: [0, 0.4], fractionRemoved: 0.95, fractionCi: [0.9, 1] },
      ],
      smallest: { site: 'resid_post', layers: [3], fractionRemoved: 0.95, target: 0.9 },
    },
  });
  assert.match(sweep, /\| resid_post \| 3 \| 0.20 \[0.00, 0.40\] \| 95% \|\n\| resid_post \| 1 \|/);
  assert.match(sweep, /Smallest set removing ≥ 90%: resid_post layers 3 \(95%\)/);
  const loc = summaryMarkdown({ hash: 'h', provenance, result: { kind: 'localization', positions: 'last', rows: [
    { model: 'finetuned', site: 'resid_post', layer: 0, l2: 0.5, cosine: 1 }, { model: 'finetuned', site: 'resid_post', layer: 4, l2: 2.25, cosine: 0.9 },
  ] } });
  assert.match(loc, /finetuned resid_post: largest difference at layer 4 \(‖δ‖ = 2.250\)/);
  const stats = summaryMarkdown({ hash: 'h', provenance, result: { kind: 'stats', correction: 'holm', tests: [{ name: 'welch', statistic: 1, df: 3, p: 0.4, apa: 't(3) = 1.00, p = .400' }],
    anova: { design: 'model × condition', residualDf: 564, rows: [{ effect: 'interaction', ss: 1, df: 2, ms: 0.5, F: 283.6, p: 0, partialEta2: 0.5 }] } } });
  assert.match(stats, /- welch: t\(3\) = 1.00, p = .400\n- ANOVA interaction: F\(2, 564\) = 283.60, p = 0.000, η²p = 0.50/);
});

test('a stored result that is not as a run wrote it says so first', () => {
  const sealed = withChecksum({ hash: 'h', provenance, result: { kind: 'stats', correction: 'holm', tests: [] } });
  const cases: [string, CellOutput, RegExp | undefined][] = [
    ['as computed', sealed, undefined],
    ['edited', { ...sealed, result: { ...sealed.result, correction: 'none' } } as CellOutput, /^> \*\*Edited by hand\*\* — .*recomputes it\.\n\n\*\*Statistics\*\*/],
    ['without a checksum', { ...sealed, checksum: undefined }, /^> \*\*Not verifiable\*\* — .*written before results carried a checksum.*\n\n\*\*Statistics\*\*/],
  ];
  for (const [what, out, first] of cases) {
    const md = summaryMarkdown(out);
    if (first) assert.match(md, first, what);
    else assert.match(md, /^\*\*Statistics\*\*/, what);
  }
});
