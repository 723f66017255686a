// Which words of the prompts a model's tokenizer cannot read: mapped to its unknown token, or
// spelled out letter by letter. A positive control that cannot see a stimulus set's words must
// say so, or its null result looks like a finding.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RatingsResult } from '../../../src/common/results.js';
import { summaryTables } from '../../../src/common/charts/index.js';
import { runCommand } from '../../../src/cli/main.js';
import { summaryMarkdown } from '../../../src/core/format/summary.js';
import { demoTokenizerConfig, demoTokenizerJson, demoVocabulary } from '../../../src/core/models/demo/tokenizer.js';
import { ModelTokenizer } from '../../../src/core/models/tokenizer.js';
import { unreadableWords } from '../../../src/core/study/coverage.js';
import { summaryLine } from '../../../src/core/study/summary.js';
import { wordLevelTokenizer, byteLevelBpeTokenizer } from '../../support/checkpoints.js';
import { byName, cell, notebook, outputsIn, pairCell, smallPair, tmp } from './support.js';

const demo = new ModelTokenizer(demoTokenizerJson(demoVocabulary().tokens), demoTokenizerConfig());

test('the demo tokenizer: words outside its vocabulary are spelled out, characters outside it are unknown', () => {
  const got = unreadableWords(demo, ['The Zorkian chairman harmed the river; the café owners cared.', 'A flibbertigibbet, and the Zorkian again.']);
  assert.deepEqual(got, { unknown: ['café'], spelled: ['Zorkian', 'flibbertigibbet'] });
  // Inflections of listed words are read through their endings, not spelled.
  assert.deepEqual(unreadableWords(demo, ['The owners walked, talking about the damaged roads and the harmed villages.']), { unknown: [], spelled: [] });
});

test('a word-level tokenizer: every unlisted word is unknown', () => {
  const words = new ModelTokenizer(wordLevelTokenizer(['the', 'river', 'is', 'harmed']), {});
  assert.deepEqual(unreadableWords(words, ['the river is harmed', 'the lake is harmed']), { unknown: ['lake'], spelled: [] });
});

test('a byte-level tokenizer has no unknown token', () => {
  const bpe = new ModelTokenizer(byteLevelBpeTokenizer(), {});
  const got = unreadableWords(bpe, ['the river is harmed']);
  assert.deepEqual(got.unknown, []);
});

const dir = tmp('coverage');
before(() => smallPair(join(dir, 'pair'), [{ layer: 1, site: 'attn' }]));
after(() => rmSync(dir, { recursive: true, force: true }));

test('a ratings result names the words each model could not read, in its summary and table', async () => {
  const file = join(dir, 'nb.knobe');
  writeFileSync(file, notebook(
    pairCell('p', './pair/pretrained', './pair/finetuned'),
    cell('scenarios', 'set', 'question: How intentionally did the owner {harm|help} the river?',
      'item river', '  The Zorkian owner does not care, and the river is {harmed|helped}.',
      'item park', '  The mayor does not care about the gloaming, and the park is {damaged|improved}.'),
    cell('ratings', 'rate', 'scenarios: set'),
  ));
  const { code, runs } = await runCommand({ command: 'run', file, json: true, force: false, cache: join(dir, 'cache') }, () => {});
  assert.equal(code, 0, runs.map((r) => r.error?.message).join(' '));
  const result = byName(runs).get('rate')!.output!.result as RatingsResult;
  assert.deepEqual(result.tokenization, [
    { model: 'pretrained', unknown: [], spelled: ['Zorkian', 'gloaming'] },
    { model: 'finetuned', unknown: [], spelled: ['Zorkian', 'gloaming'] },
  ]);
  const output = outputsIn(readFileSync(file, 'utf8')).get('rate')!;
  assert.deepEqual((output.result as RatingsResult).tokenization, result.tokenization);
  const md = summaryMarkdown(output);
  assert.match(md, /pretrained and fine-tuned tokenizers spell 2 words out letter by letter: Zorkian, gloaming/);
  assert.match(md, /cannot read/);
  const notes = summaryTables(output.result).flatMap((t) => t.notes ?? []);
  assert.ok(notes.some((n) => /2 words out letter by letter: Zorkian, gloaming/.test(n)), notes.join('\n'));
  assert.match(summaryLine(byName(runs).get('rate')!)!, /2 words spelled out/);
});

test('a set the tokenizer reads in full carries no tokenization note', async () => {
  const file = join(dir, 'clean.knobe');
  writeFileSync(file, notebook(
    pairCell('p', './pair/pretrained', './pair/finetuned'),
    cell('scenarios', 'set', 'question: How intentionally did the owner {harm|help} the river?', 'item river', '  The owner does not care, and the river is {harmed|helped}.'),
    cell('ratings', 'rate', 'scenarios: set'),
  ));
  const { runs } = await runCommand({ command: 'run', file, json: true, force: false, cache: join(dir, 'cache') }, () => {});
  const result = byName(runs).get('rate')!.output!.result as RatingsResult;
  assert.equal(result.tokenization, undefined);
  assert.doesNotMatch(summaryMarkdown(byName(runs).get('rate')!.output!), /letter by letter/);
});
