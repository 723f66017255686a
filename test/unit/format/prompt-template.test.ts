// The prompt template: slots filled from the set, the default that shows the scale and its anchors,
// the split between a chat user message and the answer cue, and the problems a template can have.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  anchorsPhrase, DEFAULT_TEMPLATE, parsePromptTemplate, renderPromptTemplate, scalePhrase, type SlotValues,
} from '../../../src/core/format/prompt-template.js';

const scale = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '10'];
const values: SlotValues = {
  vignette: 'The chairman does not care, and the river is harmed.',
  question: 'How intentionally did he harm the river?',
  scale: scalePhrase(scale),
  anchors: anchorsPhrase(scale, { 10: 'completely intentionally', 0: 'not at all intentionally' }),
  answer: 'Answer:',
};

test('the default template shows the vignette, the question, the scale and what its ends mean', () => {
  const r = renderPromptTemplate(parsePromptTemplate(DEFAULT_TEMPLATE), values);
  assert.equal(r.text, [
    'The chairman does not care, and the river is harmed.',
    'How intentionally did he harm the river?',
    'Answer with a whole number from 0 to 10.',
    '0 = not at all intentionally, 10 = completely intentionally',
    'Answer:',
  ].join('\n'));
  // With a chat template, the cue follows the generation prompt and the rest is the user message.
  assert.equal(r.message, r.text.slice(0, r.text.lastIndexOf('\nAnswer:')));
  assert.equal(r.cue, 'Answer:');
});

test('a line whose slots are all empty is left out', () => {
  const r = renderPromptTemplate(parsePromptTemplate(DEFAULT_TEMPLATE), { ...values, anchors: '' });
  assert.equal(r.text.split('\n').length, 4);
  assert.ok(!r.text.includes('\n\n'));
});

test('scales and anchors in words', () => {
  assert.equal(scalePhrase(['1', '2', '3', '4', '5', '6', '7']), 'a whole number from 1 to 7');
  assert.equal(scalePhrase(['-3', '-2', '-1', '0', '1', '2', '3']), 'a whole number from -3 to 3');
  assert.equal(scalePhrase(['Yes', 'No']), 'one of: Yes, No');
  assert.equal(scalePhrase(['0', '5', '10']), 'one of: 0, 5, 10');
  assert.equal(anchorsPhrase(['Yes', 'No'], { No: 'not on purpose', Yes: 'on purpose' }), 'Yes = on purpose, No = not on purpose');
  assert.equal(anchorsPhrase(scale, {}), '');
});

test('a custom template: literal text, any order, slots used twice', () => {
  const t = parsePromptTemplate('Story: {vignette}\nQ: {question} ({scale}; {anchors})\nRemember: {question}\n{answer}');
  assert.deepEqual(t.problems, []);
  assert.equal(renderPromptTemplate(t, values).text.split('\n')[2], 'Remember: How intentionally did he harm the river?');
});

/** Problems of a template as `code@start-end`. */
const problems = (text: string) => parsePromptTemplate(text).problems.map((p) => `${p.code}@${p.start}-${p.end}`);

test('template problems, each with a stable code and where it is', () => {
  const ok = '{vignette}\n{question}\n{answer}';
  assert.deepEqual(problems(ok), []);
  assert.deepEqual(problems('{vignette}\n{question} {scales}\n{answer}'), ['unknown-slot@22-30']);
  assert.deepEqual(problems('{vignette} {harm|help}\n{question}\n{answer}'), ['unknown-slot@11-22']);
  assert.deepEqual(problems('{ vignette }\n{question}\n{answer}'), ['unknown-slot@0-12', 'missing-slot@0-32']);
  assert.deepEqual(problems('{vignette}\n{answer}'), ['missing-slot@0-19']);
  assert.deepEqual(problems('{vignette}\n{question}'), ['missing-slot@0-21']);
  assert.deepEqual(problems('{vignette}\n{answer}\n{question}'), ['missing-slot@0-30']);
  assert.deepEqual(problems('{vignette}\n{question}\n{answer}{answer}'), ['missing-slot@0-38']);
  assert.ok(problems('{vignette\n{question}\n{answer}').includes('template-mismatch@0-1'));
  assert.ok(problems('{vignette}\n{question} }\n{answer}').includes('template-mismatch@22-23'));
});
