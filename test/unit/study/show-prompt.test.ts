// The exact text a model receives for a vignette can be looked at without loading any weights:
// for the item under the cursor, for an item named on the command line, by either model of the
// pair, with its token pieces. It is the same text a run sends.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { cellByName } from '../../../src/core/format/nodes.js';
import { parse } from '../../../src/core/format/parser.js';
import { pairSpec, scenarioSet } from '../../../src/core/format/specs.js';
import { itemAt } from '../../../src/core/format/language.js';
import { ModelPool } from '../../../src/core/study/models.js';
import { tokenizePrompts } from '../../../src/core/study/prompts.js';
import { formatPrompts, promptMarkdown, showPrompts } from '../../../src/core/study/show-prompt.js';
import { StudyError } from '../../../src/core/study/errors.js';
import { cell, notebook, pairCell, smallPair, tmp } from './support.js';

const dir = tmp('show-prompt');
const host = { baseDir: dir, cacheDir: join(dir, 'cache') };
before(() => smallPair(join(dir, 'pair'), [{ layer: 1, site: 'attn' }]));
after(() => rmSync(dir, { recursive: true, force: true }));

const set = cell(
  'scenarios', 'set', 'question: How intentionally did the owner {harm|help} the river?', 'scale: 0..10',
  'anchors: 0 = not at all intentionally, 10 = completely intentionally',
  'item river', '  The owner does not care, and the river is {harmed|helped}.',
  'item lone negative', '  The mayor does not care, and the park is damaged.',
);
const demo = (prompt: string) => pairCell('demo', 'demo:pretrained', 'demo:finetuned').replace('prompt: raw', `prompt: ${prompt}`);

test('the item under the cursor', () => {
  const text = notebook(demo('raw'), set);
  const at = (needle: string, delta = 0) => itemAt(parse(text), text.indexOf(needle) + delta);
  assert.deepEqual(at('item river', 6), { set: 'set', item: 'river' });
  assert.deepEqual(at('the river is {harmed'), { set: 'set', item: 'river' });
  assert.deepEqual(at('item lone'), { set: 'set', item: 'lone' });
  assert.equal(at('question: How'), undefined);
  assert.equal(at('pretrained: demo'), undefined);
});

for (const prompt of ['raw', 'chat'] as const) {
  test(`a ${prompt} prompt of the demo pair, shown without weights, is the text a run sends`, async () => {
    const doc = parse(notebook(demo(prompt), set));
    const shown = await showPrompts(doc, { item: 'river' }, host);
    assert.deepEqual(shown.map((s) => [s.model, s.vignette]), [
      ['pretrained', 'river (negative)'], ['pretrained', 'river (positive)'], ['finetuned', 'river (negative)'], ['finetuned', 'river (positive)'],
    ]);
    // What a run tokenizes, from the full checkpoint.
    const pool = new ModelPool(host);
    const pair = await pool.resolvePair(pairSpec(doc, cellByName(doc, 'demo')!));
    const run = tokenizePrompts(pair.finetuned, scenarioSet(doc, cellByName(doc, 'set')!), pair.spec);
    const fine = shown.filter((s) => s.model === 'finetuned');
    assert.deepEqual(fine.map((s) => [s.text, s.ids]), run.slice(0, 2).map((p) => [p.text, p.ids]));
    assert.match(fine[0].text, /Answer with a whole number from 0 to 10\.\n0 = not at all intentionally, 10 = completely intentionally\n/);
    if (prompt === 'chat') assert.ok(fine[0].text.startsWith('user: ') && fine[0].text.endsWith('assistant:Answer:'), fine[0].text);
    assert.equal(fine[0].tokens.length, fine[0].ids.length);
    if (prompt === 'raw') assert.equal(fine[0].tokens[0], '[BOS]');
  });
}

test('the hover shows each vignette once when both models receive the same text', async () => {
  const shown = await showPrompts(parse(notebook(demo('raw'), set)), { item: 'river' }, host);
  const md = promptMarkdown(shown);
  assert.deepEqual([...md.matchAll(/^\*\*(.*)\*\* · (.*) · raw · \d+ tokens$/gm)].map((m) => [m[1], m[2]]), [
    ['river (negative)', 'pretrained and finetuned'], ['river (positive)', 'pretrained and finetuned'],
  ]);
  assert.match(md, /```text\nThe owner does not care, and the river is harmed\./);
});

test('a local pair, one model, one condition-labelled item named with its set', async () => {
  const doc = parse(notebook(pairCell('p', './pair/pretrained', './pair/finetuned'), set));
  const shown = await showPrompts(doc, { item: 'set/lone' }, host, { models: ['finetuned'] });
  assert.deepEqual(shown.map((s) => [s.model, s.source, s.vignette]), [['finetuned', './pair/finetuned', 'lone (negative)']]);
  const text = formatPrompts(shown, { tokens: true });
  assert.match(text, /^── lone \(negative\) · finetuned `\.\/pair\/finetuned` · raw · \d+ tokens ──\nThe mayor does not care, and the park is damaged\.\n/);
  assert.match(text, /\ntokens: \[BOS\] the mayor does not care , and the park is damaged \. how/);
});

test('a model folder whose chat template changes is read again', async () => {
  const doc = parse(notebook(pairCell('p', './pair/pretrained', './pair/finetuned').replace('prompt: raw', 'prompt: chat'), set));
  const first = await showPrompts(doc, { item: 'set/lone' }, host, { models: ['finetuned'] });
  assert.ok(first[0].text.startsWith('user: '), first[0].text);
  const file = join(dir, 'pair', 'finetuned', 'tokenizer_config.json');
  const config = JSON.parse(readFileSync(file, 'utf8'));
  writeFileSync(file, JSON.stringify({ ...config, chat_template: "{% for m in messages %}[{{ m['role'] }}] {{ m['content'] }}\n{% endfor %}" }));
  const later = new Date(statSync(file).mtimeMs + 5000);
  utimesSync(file, later, later);
  const second = await showPrompts(doc, { item: 'set/lone' }, host, { models: ['finetuned'] });
  assert.ok(second[0].text.startsWith('[user] The mayor'), second[0].text);
});

test('what cannot be shown says why', async () => {
  const doc = parse(notebook(demo('raw'), set, cell('scenarios', 'other', 'question: Q?', 'item river', '  The river is {harmed|helped}.')));
  const refused = async (target: string, pattern: RegExp, models = ['pretrained' as const]) =>
    assert.rejects(showPrompts(doc, { item: target }, host, { models }), (e: unknown) => e instanceof StudyError && pattern.test(e.message) && !!e.hint);
  await refused('river', /`river` is an item of more than one set: set\/river, other\/river/);
  await refused('nowhere', /no item `nowhere`; items are set\/river, set\/lone, other\/river/);
  await refused('set/nowhere', /no item `nowhere`/);
  const hub = parse(notebook(pairCell('h', 'hf:org/absent', 'hf:org/absent-tuned'), set));
  await assert.rejects(showPrompts(hub, { item: 'river' }, host), (e: unknown) => e instanceof StudyError && /hf:org\/absent.*not been downloaded/.test(e.message));
});
