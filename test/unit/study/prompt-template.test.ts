// The model reads what a rater reads: the vignette, the question, the answer scale and what its
// ends mean, then the answer cue. The anchors reach the model (reversing them changes the
// ratings), and every result records the template and the exact text a vignette became.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RatingsResult } from '../../../src/common/results.js';
import { runCommand } from '../../../src/cli/main.js';
import { cellByName } from '../../../src/core/format/nodes.js';
import { parse } from '../../../src/core/format/parser.js';
import { DEFAULT_TEMPLATE, DEFAULT_TEMPLATE_ID } from '../../../src/core/format/prompt-template.js';
import { pairSpec, scenarioSet } from '../../../src/core/format/specs.js';
import { ModelPool } from '../../../src/core/study/models.js';
import { tokenizePrompts } from '../../../src/core/study/prompts.js';
import { byName, cell, notebook, outputsIn, pairCell, smallPair, tmp } from './support.js';

const dir = tmp('prompt-template');
before(() => smallPair(join(dir, 'pair'), [{ layer: 1, site: 'attn' }, { layer: 2, site: 'mlp' }]));
after(() => rmSync(dir, { recursive: true, force: true }));

const ANCHORS = 'anchors: 0 = not at all intentionally, 10 = completely intentionally';
const REVERSED = 'anchors: 0 = completely intentionally, 10 = not at all intentionally';
const set = (...extra: string[]) =>
  cell(
    'scenarios', 'set', 'question: How intentionally did the owner {harm|help} the river?', 'scale: 0..10', ...extra,
    'item river', '  The owner does not care, and the river is {harmed|helped}.',
    'item park', '  The mayor does not care, and the park is {damaged|improved}.',
  );

async function prompts(setCell: string, prompt: 'raw' | 'chat' = 'raw') {
  const doc = parse(notebook(pairCell('p', './pair/pretrained', './pair/finetuned').replace('prompt: raw', `prompt: ${prompt}`), setCell));
  const pool = new ModelPool({ cacheDir: join(dir, 'cache'), baseDir: dir });
  const spec = pairSpec(doc, cellByName(doc, 'p')!);
  const pair = await pool.resolvePair(spec);
  return tokenizePrompts(pair.finetuned, scenarioSet(doc, cellByName(doc, 'set')!), spec);
}

test('the default prompt tells the model the scale and what its ends mean', async () => {
  const [first] = await prompts(set(ANCHORS));
  assert.equal(first.text, [
    'The owner does not care, and the river is harmed.',
    'How intentionally did the owner harm the river?',
    'Answer with a whole number from 0 to 10.',
    '0 = not at all intentionally, 10 = completely intentionally',
    'Answer:',
  ].join('\n'));
  // Without anchors, their line is left out.
  assert.equal((await prompts(set()))[0].text.split('\n').length, 4);
});

test('with a chat template, the template is the user message and the cue opens the answer', async () => {
  const [first] = await prompts(set(ANCHORS), 'chat');
  assert.equal(first.text, [
    'user: The owner does not care, and the river is harmed.',
    'How intentionally did the owner harm the river?',
    'Answer with a whole number from 0 to 10.',
    '0 = not at all intentionally, 10 = completely intentionally',
    'assistant:Answer:',
  ].join('\n'));
});

test('a template of the set\'s own is what the model reads', async () => {
  const own = ['template: |', '  Story: {vignette}', '', '  {question} ({anchors})', '  {answer}'];
  const [first] = await prompts(set(ANCHORS, ...own));
  assert.equal(first.text, 'Story: The owner does not care, and the river is harmed.\n\nHow intentionally did the owner harm the river? (0 = not at all intentionally, 10 = completely intentionally)\nAnswer:');
});

async function rate(name: string, setCell: string): Promise<{ result: RatingsResult; file: string }> {
  const file = join(dir, `${name}.knobe`);
  writeFileSync(file, notebook(pairCell('p', './pair/pretrained', './pair/finetuned'), setCell, cell('ratings', 'rate', 'scenarios: set')));
  const { code, runs } = await runCommand({ command: 'run', file, json: true, force: false, cache: join(dir, 'cache') }, () => {});
  assert.equal(code, 0, runs.map((r) => r.error?.message).join(' '));
  return { result: byName(runs).get('rate')!.output!.result as RatingsResult, file };
}

test('reversing the anchors changes the ratings', async () => {
  const plain = (await rate('anchors', set(ANCHORS))).result;
  const reversed = (await rate('reversed', set(REVERSED))).result;
  for (const model of ['pretrained', 'finetuned'] as const) {
    const a = plain.rows.filter((r) => r.model === model).map((r) => r.expected!);
    const b = reversed.rows.filter((r) => r.model === model).map((r) => r.expected!);
    assert.ok(a.some((x, i) => Math.abs(x - b[i]) > 1e-6), `${model}: ${a} vs ${b}`);
  }
});

test('the stored result shows the template and the prompt with its scale and anchors', async () => {
  const { file } = await rate('stored', set(ANCHORS));
  const prov = outputsIn(readFileSync(file, 'utf8')).get('rate')!.provenance;
  assert.deepEqual(prov.template, { id: DEFAULT_TEMPLATE_ID, text: DEFAULT_TEMPLATE });
  assert.deepEqual(prov.prompts!.map((p) => [p.model, p.vignette]), [['pretrained', 'river (negative)'], ['finetuned', 'river (negative)']]);
  for (const p of prov.prompts!) {
    assert.match(p.text, /Answer with a whole number from 0 to 10\.\n0 = not at all intentionally, 10 = completely intentionally\nAnswer:$/);
  }
});
