// Ratings through `prompt: chat` on checkpoints with the real configuration and tokenizer of each
// family the study compares (random weights, small depth and width): the prompt each model reads
// starts with the family's own BOS and chat-template tokens, both models of the pair read the same
// tokens through one tokenizer, "10" is scored over all of its tokens, and the patching sweep
// accepts the pair.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { cellByName } from '../../../src/core/format/nodes.js';
import { parse } from '../../../src/core/format/parser.js';
import { pairSpec, scenarioSet } from '../../../src/core/format/specs.js';
import { LoadedModel, makeBatch } from '../../../src/core/models/model.js';
import { answerSet, tokenizePrompts } from '../../../src/core/study/prompts.js';
import { Study } from '../../../src/core/study/study.js';
import { writeRealisticPair, type Family } from '../../support/real-checkpoints.js';
import { byName, cell, notebook, pairCell, ratingsOf, statuses, sweepOf, tmp } from './support.js';

const dir = tmp('real');
after(() => rmSync(dir, { recursive: true, force: true }));

const stories = cell(
  'scenarios', 'set',
  'question: How intentionally did the chairman bring about the side effect?',
  'scale: 0..10',
  'item river', '  The chairman starts the new program, which will {harm|help} the river. He does not care about the river.',
  'item park', '  The mayor builds the road, which will {harm|help} the park. She does not care about the park.',
);

interface Want {
  /** The first pieces of every prompt: BOS (where the family has one) and the template's opening. */
  start: string[];
  bos?: number;
  /** Pieces of " 10" after the cue. */
  ten: string[];
}

const families: Record<Family, Want> = {
  llama: { start: ['<|begin_of_text|>', '<|start_header_id|>', 'user', '<|end_header_id|>', 'ĊĊ'], bos: 128000, ten: ['Ġ', '10'] },
  gemma: { start: ['<bos>', '<start_of_turn>', 'user', '\n'], bos: 2, ten: ['▁', '1', '0'] },
  qwen: { start: ['<|im_start|>', 'user', 'Ċ'], ten: ['Ġ', '1', '0'] },
};

/** log P(answer | prompt) by running the prompt and each prefix of the answer in full. */
async function teacherForced(model: LoadedModel, prompt: number[], answer: number[]): Promise<number> {
  const r = await model.run(makeBatch([[...prompt, ...answer.slice(0, -1)]]), { logitsAt: answer.map((_, i) => prompt.length - 1 + i) });
  const V = r.logits.dims[2];
  let lp = 0;
  answer.forEach((token, i) => {
    const row = r.logits.data.subarray(i * V, (i + 1) * V);
    let max = -Infinity;
    for (const x of row) max = Math.max(max, x);
    let sum = 0;
    for (const x of row) sum += Math.exp(x - max);
    lp += row[token] - max - Math.log(sum);
  });
  return lp;
}

for (const [family, want] of Object.entries(families) as Array<[Family, Want]>) {
  test(`${family}: chat-template ratings and a sweep on the real configuration and tokenizer`, async () => {
    const base = join(dir, family);
    const pair = writeRealisticPair(base, family);
    const text = notebook(
      pairCell('p', './pretrained', './finetuned').replace('prompt: raw', 'prompt: chat'),
      stories,
      cell('ratings', 'rate', 'scenarios: set'),
      cell('sweep', 'patch', 'ratings: rate', 'site: resid_post', 'layers: all', 'positions: last'),
    );
    const doc = parse(text);
    const study = new Study({ cacheDir: join(base, 'cache'), baseDir: base });
    try {
      const runs = await study.run(doc);
      const failures = runs.filter((r) => r.error).map((r) => `${r.name}: ${r.error!.message}`).join('\n');
      assert.deepEqual(statuses(runs), { p: 'ok', set: 'ok', rate: 'ok', patch: 'ok' }, failures);
      assert.equal(sweepOf(byName(runs).get('patch')).rows.length, 2);

      // The prompts as the study builds them for each model of the pair.
      const resolved = await study.pool.resolvePair(pairSpec(doc, cellByName(doc, 'p')!));
      const set = scenarioSet(doc, cellByName(doc, 'set')!);
      const fine = resolved.finetuned;
      // Both models ship the same tokenizer files, so they share one tokenizer and read the same
      // tokens (the sweep, which refuses prompts tokenized differently, ran too).
      assert.equal(resolved.pretrained.tokenizer, fine.tokenizer);
      const prompts = tokenizePrompts(fine, set, resolved.spec);
      assert.deepEqual(tokenizePrompts(resolved.pretrained, set, resolved.spec).map((p) => p.ids), prompts.map((p) => p.ids));
      for (const p of prompts) {
        const pieces = fine.tokenizer.tokenStrings(p.ids);
        assert.deepEqual(pieces.slice(0, want.start.length), want.start, p.text);
        assert.equal(p.ids.filter((id) => id === want.bos).length, want.bos === undefined ? 0 : 1, 'one BOS, written by the template');
        assert.ok(p.text.endsWith('Answer:'), p.text);
      }

      // Every answer is scored over all of its tokens: the study's distribution is the one that
      // teacher forcing " 0" … " 10" token by token gives.
      const answers = answerSet(fine, set);
      assert.deepEqual(fine.tokenizer.tokenStrings(answers.tokens[10]), want.ten);
      const rows = ratingsOf(byName(runs).get('rate')).rows.filter((r) => r.model === 'finetuned');
      // The sessions the study built (same folder, same content hash).
      const model = await study.pool.model(fine);
      for (const [i, p] of prompts.entries()) {
        const lps = await Promise.all(answers.tokens.map((a) => teacherForced(model, p.ids, a)));
        const top = Math.max(...lps);
        const total = lps.reduce((s, lp) => s + Math.exp(lp - top), 0);
        const row = rows[i];
        lps.forEach((lp, k) => assert.ok(Math.abs(Math.exp(lp - top) / total - row.distribution![k]) < 1e-4, `${p.name}, answer ${k}`));
        assert.ok(row.expected! >= 0 && row.expected! <= 10, `expected rating ${row.expected}`);
      }
    } finally {
      await study.dispose();
    }
  });
}
