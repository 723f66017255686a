import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { parse } from '../../../src/core/format/parser.js';
import { cellByName } from '../../../src/core/format/nodes.js';
import { DEFAULT_TEMPLATE, DEFAULT_TEMPLATE_ID } from '../../../src/core/format/prompt-template.js';
import { FormatError, localizeSpec, pairSpec, ratingsSpec, scenarioSet, statsSpec, sweepSpec } from '../../../src/core/format/specs.js';

const H = '%knobe 2\n::: pair main\npretrained: demo:pretrained\nfinetuned: hf:org/tuned@v2\n:::\n';
const doc = (body: string) => parse(H + body);
const spec = <T>(f: (d: ReturnType<typeof parse>, c: NonNullable<ReturnType<typeof cellByName>>) => T, body: string, name: string): T => {
  const d = doc(body);
  return f(d, cellByName(d, name)!);
};
const SET = '::: scenarios s\nquestion: Did he {harm|help} it?\nscale: Yes, No\nanswer: A:\nanchors: Yes = surely\nitem pair\n  He {hurt|healed} the {cat|dog}.\nitem lone negative\n  He broke it.\n  question: Did he mean to?\n:::\n';

test('pair', () => {
  assert.deepEqual(spec(pairSpec, '', 'main'), {
    name: 'main', prompt: 'raw', system: undefined, precision: 'auto',
    pretrained: { text: 'demo:pretrained', source: { kind: 'demo', role: 'pretrained' } },
    finetuned: { text: 'hf:org/tuned@v2', source: { kind: 'hub', id: 'org/tuned', revision: 'v2' } },
  });
});

test('scenario set expands paired templates into two vignettes', () => {
  assert.deepEqual(spec(scenarioSet, SET, 's'), {
    name: 's', question: 'Did he {harm|help} it?', scale: ['Yes', 'No'], anchors: { Yes: 'surely' }, answer: 'A:', template: { id: DEFAULT_TEMPLATE_ID, text: DEFAULT_TEMPLATE },
    vignettes: [
      { item: 'pair', condition: 'negative', text: 'He hurt the cat.', question: 'Did he harm it?' },
      { item: 'pair', condition: 'positive', text: 'He healed the dog.', question: 'Did he help it?' },
      { item: 'lone', condition: 'negative', text: 'He broke it.', question: 'Did he mean to?' },
    ],
  });
  const defaults = spec(scenarioSet, '::: scenarios d\nquestion: Q?\nitem a positive\n  A.\n:::\n', 'd');
  assert.deepEqual([defaults.scale.length, defaults.scale[0], defaults.scale[10], defaults.answer, defaults.anchors], [11, '0', '10', 'Answer:', {}]);
});

test('a scenario set carries its prompt template: the default, with its id, or its own', () => {
  const set = (extra: string) => spec(scenarioSet, `::: scenarios d\nquestion: Q?\n${extra}item a positive\n  A.\n:::\n`, 'd').template;
  assert.deepEqual(set(''), { id: DEFAULT_TEMPLATE_ID, text: DEFAULT_TEMPLATE });
  assert.deepEqual(set('template: |\n  {vignette}\n  {question}\n  {answer}\n'), { id: 'custom', text: '{vignette}\n{question}\n{answer}' });
  assert.throws(() => set('template: {vignette} {answer}\n'), (e: unknown) => e instanceof FormatError && e.diagnostics.some((d) => d.code === 'missing-slot'));
});

test('ratings with defaults and with every key', () => {
  assert.deepEqual(spec(ratingsSpec, SET + '::: ratings r\nscenarios: s\n:::\n', 'r'), {
    name: 'r', scenarios: 's', pair: 'main', protocol: 'expected', samples: 283, temperature: [0.85, 1.15],
    topP: 1, topK: 0, maxTokens: 8, seed: 1, models: ['pretrained', 'finetuned'],
  });
  const all = 'scenarios: s\npair: main\nprotocol: both\nsamples: 10\ntemperature: 0.7\ntop-p: 0.9\ntop-k: 40\nmax-tokens: 4\nseed: 7\nmodels: finetuned';
  assert.deepEqual(spec(ratingsSpec, SET + `::: ratings r\n${all}\n:::\n`, 'r'), {
    name: 'r', scenarios: 's', pair: 'main', protocol: 'both', samples: 10, temperature: 0.7, topP: 0.9, topK: 40, maxTokens: 4, seed: 7, models: ['finetuned'],
  });
});

test('an old `protocol: choice` reads as `expected`, which computes the same distribution and mass off the scale', () => {
  assert.equal(spec(ratingsSpec, SET + '::: ratings r\nscenarios: s\nprotocol: choice\n:::\n', 'r').protocol, 'expected');
});

test('localize, sweep and stats', () => {
  const base = SET + '::: ratings r\nscenarios: s\n:::\n';
  assert.deepEqual(spec(localizeSpec, base + '::: localize l\nscenarios: s\nsite: mlp_out, attn_out\npositions: "the cat"\n:::\n', 'l'), {
    name: 'l', scenarios: 's', pair: 'main', sites: ['mlp_out', 'attn_out'], positions: { kind: 'phrase', phrase: 'the cat' },
  });
  assert.deepEqual(spec(sweepSpec, base + '::: sweep w\nratings: r\n:::\n', 'w'), {
    name: 'w', ratings: 'r', sites: ['resid_post'], layers: 'all', window: 1, sets: undefined, top: undefined,
    positions: { kind: 'all' }, mix: 1, direction: 'pretrained->finetuned', smallest: undefined, bootstrap: 1000, seed: 1, equivalence: undefined,
  });
  const w2 = spec(sweepSpec, base + '::: sweep w\nratings: r\n:::\n::: sweep v\nratings: r\nlayers: 2..4\nwindow: 2\nsets: 3+4, 5\ntop: 2 of w\npositions: 3, 7\nmix: 0.5\ndirection: finetuned->pretrained\nsmallest: 0.8\nbootstrap: 250\nseed: 9\n:::\n', 'v');
  assert.deepEqual(w2, {
    name: 'v', ratings: 'r', sites: ['resid_post'], layers: [2, 3, 4], window: 2, sets: [[3, 4], [5]], top: { k: 2, cell: 'w' },
    positions: { kind: 'indexes', indexes: [3, 7] }, mix: 0.5, direction: 'finetuned->pretrained', smallest: 0.8, bootstrap: 250, seed: 9, equivalence: undefined,
  });
  // Seeds are 32-bit: a larger one is refused where it is written, not wrapped at run time.
  assert.throws(() => spec(sweepSpec, base + '::: sweep w\nratings: r\nseed: 4294967296\n:::\n', 'w'), (e: unknown) => e instanceof FormatError && e.diagnostics[0].code === 'bad-range');
  assert.equal(spec(sweepSpec, base + '::: sweep w\nratings: r\nseed: 4294967295\n:::\n', 'w').seed, 4294967295);
  assert.deepEqual(spec(statsSpec, base + '::: stats t\nratings: r\n:::\n', 't'), {
    name: 't', ratings: ['r'], tests: ['welch', 'anova'], correction: 'holm', alpha: 0.05, bootstrap: 2000, seed: 1, equivalence: undefined, slopes: [], sweeps: [],
  });
  assert.deepEqual(spec(statsSpec, base + '::: sweep w\nratings: r\n:::\n::: stats t\nratings: r\ntests: mixed, tost, wilcoxon\nequivalence: d 0.3\nslopes: version\nsweeps: w\n:::\n', 't'), {
    name: 't', ratings: ['r'], tests: ['mixed', 'tost', 'wilcoxon'], correction: 'holm', alpha: 0.05, bootstrap: 2000, seed: 1,
    equivalence: { low: -0.3, high: 0.3, unit: 'd' }, slopes: ['version'], sweeps: ['w'],
  });
  // Bounds are chosen before the data: `tost` without them is refused where it is written.
  assert.throws(() => spec(statsSpec, base + '::: stats t\nratings: r\ntests: welch, tost\n:::\n', 't'), (e: unknown) => e instanceof FormatError && e.diagnostics[0].code === 'missing-key' && /equivalence/.test(e.message));
});

test('a cell with errors or of another kind is refused, naming the problem', () => {
  const bad = SET + '::: ratings r\nscenarios: s\nsamples: -3\n:::\n';
  assert.throws(() => spec(ratingsSpec, bad, 'r'), (e: unknown) => e instanceof FormatError && /line 19/.test(e.message) && e.diagnostics[0].code === 'bad-range');
  assert.throws(() => spec(ratingsSpec, SET, 's'), FormatError);
  assert.throws(() => spec(scenarioSet, '::: scenarios s\nquestion: Q {a}?\nitem x\n  {p|q}\n:::\n', 's'), (e: unknown) => e instanceof FormatError && e.diagnostics[0].code === 'template-mismatch');
});

test('every example cell reads into a spec', () => {
  for (const f of ['chairman', 'independent', 'tutorial']) {
    let text: string;
    try {
      text = readFileSync(`examples/${f}.knobe`, 'utf8');
    } catch {
      continue;
    }
    const d = parse(text);
    const read = { pair: pairSpec, scenarios: scenarioSet, ratings: ratingsSpec, localize: localizeSpec, sweep: sweepSpec, stats: statsSpec };
    for (const c of d.cells) if (c._type === 'knobe' && c.kind) assert.doesNotThrow(() => read[c.kind!](d, c), `${f}: ${c.kind}`);
  }
});
