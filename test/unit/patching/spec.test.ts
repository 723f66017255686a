import { test } from 'node:test';
import assert from 'node:assert/strict';
import { PatchError } from '../../../src/core/patching/errors.js';
import { allHookNames, entryState, parseHookName, parseSite } from '../../../src/core/patching/hooks.js';
import { parsePositions, phrasePositions, resolvePositions, tokenSpans, type TokenizedPrompt } from '../../../src/core/patching/positions.js';
import { expandFamily, fractionRemoved, greedySmallest, layerLabel } from '../../../src/core/patching/sweep.js';

const fails = (fn: () => unknown, code: string, culprit: RegExp) =>
  assert.throws(fn, (e: unknown) => e instanceof PatchError && e.code === code && culprit.test(e.message));

test('hook names follow TransformerLens, in order', () => {
  assert.deepEqual(allHookNames(1), [
    'hook_embed',
    'blocks.0.hook_resid_pre', 'blocks.0.hook_attn_out', 'blocks.0.hook_resid_mid', 'blocks.0.hook_mlp_out', 'blocks.0.hook_resid_post',
    'ln_final.hook_normalized', 'logits',
  ]);
});

test('sites and hook names parse; bad ones name the culprit', () => {
  assert.equal(parseSite('mlp_out'), 'mlp_out');
  assert.equal(parseSite('hook_resid_post'), 'resid_post');
  assert.deepEqual(parseHookName('blocks.3.hook_attn_out', 4), { site: 'attn_out', layer: 3 });
  assert.deepEqual(parseHookName('hook_embed', 4), { site: 'resid_pre', layer: 0 });
  fails(() => parseSite('mlp'), 'bad-site', /"mlp"/);
  fails(() => parseHookName('blocks.4.hook_attn_out', 4), 'bad-layers', /layer 4/);
  fails(() => parseHookName('logits', 4), 'bad-site', /"logits"/);
});

test('a patch resumes at the first state it changes', () => {
  assert.deepEqual(
    (['resid_pre', 'attn_out', 'resid_mid', 'mlp_out', 'resid_post'] as const).map((s) => entryState(s, 3)),
    [6, 6, 7, 7, 8],
  );
});

// Word-level prompt: "a big dog ran" with offsets, and a decoder-only variant.
const words = ['<s>', 'a', ' big', ' dog', ' ran'];
const prompt: TokenizedPrompt = { name: 'p1', text: 'a big dog ran', ids: [0, 1, 2, 3, 4] };
const decode = (ids: number[]) => ids.map((i) => words[i]).join('');

test('positions parse', () => {
  assert.deepEqual(parsePositions('all'), { kind: 'all' });
  assert.deepEqual(parsePositions(' last '), { kind: 'last' });
  assert.deepEqual(parsePositions('3, 7, -1'), { kind: 'indexes', indexes: [3, 7, -1] });
  assert.deepEqual(parsePositions('"the environment"'), { kind: 'phrase', phrase: 'the environment' });
  fails(() => parsePositions('first'), 'bad-positions', /"first"/);
});

test('token spans come from prefix decoding when there are no offsets (a BOS decodes before the text)', () => {
  // Spans cover a token's significant characters: " big" is [2, 5), its space is no one's.
  assert.deepEqual(tokenSpans(prompt, decode), [[0, 0], [0, 1], [2, 5], [6, 9], [10, 13]]);
});

test('token spans survive a decoder that lower-cases and re-spaces punctuation', () => {
  const p: TokenizedPrompt = { name: 'p2', text: 'The dog, ran.', ids: [0, 1, 2, 3, 4, 5] };
  const pieces = ['[BOS]', 'the', 'dog', ',', 'ran', '.'];
  const dec = (ids: number[]) => ids.map((i) => pieces[i]).join(' ');
  assert.deepEqual(tokenSpans(p, dec), [[0, 0], [0, 3], [4, 7], [7, 8], [9, 12], [12, 13]]);
  assert.deepEqual(phrasePositions(p, 'dog, ran', dec), [2, 3, 4]);
  assert.deepEqual(phrasePositions(p, 'THE', dec), [1]);
});

const cases: [string, Parameters<typeof resolvePositions>[0], number[]][] = [
  ['all', { kind: 'all' }, [0, 1, 2, 3, 4]],
  ['last', { kind: 'last' }, [4]],
  ['indexes, negative from the end, deduplicated', { kind: 'indexes', indexes: [3, -1, 1, 4] }, [1, 3, 4]],
  ['a phrase', { kind: 'phrase', phrase: 'big dog' }, [2, 3]],
  ['a phrase inside a token', { kind: 'phrase', phrase: 'do' }, [3]],
];
for (const [name, spec, want] of cases) test(`positions: ${name}`, () => assert.deepEqual(resolvePositions(spec, prompt, decode), want));

test('phrase positions use offsets when given', () => {
  const withOffsets = { ...prompt, offsets: [[0, 0], [0, 1], [1, 5], [5, 9], [9, 13]] as [number, number][] };
  assert.deepEqual(phrasePositions(withOffsets, 'ran'), [4]);
});
test('an absent phrase names the prompt', () => fails(() => resolvePositions({ kind: 'phrase', phrase: 'cat' }, prompt, decode), 'phrase-not-found', /"cat".*"p1"/));
test('an index outside the prompt names it', () => fails(() => resolvePositions({ kind: 'indexes', indexes: [5] }, prompt), 'position-out-of-range', /"p1"/));

const families: [string, Parameters<typeof expandFamily>[0], number[][]][] = [
  ['each layer', { kind: 'each', layers: [2, 0, 1] }, [[2], [0], [1]]],
  ['windows of 2', { kind: 'window', layers: [1, 2, 3, 4], size: 2 }, [[1, 2], [2, 3], [3, 4]]],
  ['explicit sets, sorted and deduplicated', { kind: 'sets', sets: [[3, 1], [1, 3], [2]] }, [[1, 3], [2]]],
  ['top-2 of an earlier sweep', { kind: 'top', k: 2, effects: [{ layers: [0], effect: 0.1 }, { layers: [1], effect: 0.9 }, { layers: [2], effect: 0.5 }, { layers: [1, 2], effect: 1 }] }, [[1, 2]]],
];
for (const [name, f, want] of families) test(`sweep family: ${name}`, () => assert.deepEqual(expandFamily(f, 5), want));
test('a sweep layer outside the model is an error', () => fails(() => expandFamily({ kind: 'each', layers: [5] }, 5), 'bad-layers', /layer 5/));
test('a window wider than the layers is an error', () => fails(() => expandFamily({ kind: 'window', layers: [1, 2], size: 3 }, 5), 'bad-sweep', /window 3/));

test('labels', () => {
  assert.equal(layerLabel([7]), '7');
  assert.equal(layerLabel([4, 5, 6]), '4–6');
  assert.equal(layerLabel([3, 5]), '3+5');
});

test('fraction removed', () => {
  assert.equal(fractionRemoved(3, 1, 1), 1);
  assert.equal(fractionRemoved(3, 2, 1), 0.5);
  assert.ok(Number.isNaN(fractionRemoved(1, 1, 1)));
});

test('greedy search adds the best layer each round until the target', async () => {
  // Layers 2 and 5 each remove 0.45; together 0.96; everything else nothing.
  const value = (s: number[]) => (s.includes(2) ? 0.45 : 0) + (s.includes(5) ? 0.45 : 0) + (s.includes(2) && s.includes(5) ? 0.06 : 0);
  const rounds: number[][][] = [];
  const r = await greedySmallest([0, 1, 2, 3, 4, 5], 0.95, async (sets) => (rounds.push(sets), sets.map(value)));
  assert.deepEqual(r.layers, [2, 5]);
  assert.ok(r.reached);
  assert.ok(Math.abs(r.fraction - 0.96) < 1e-12);
  assert.equal(rounds.length, 2);
  assert.equal(rounds[1].length, 5);
  const miss = await greedySmallest([0, 1], 0.5, async (sets) => sets.map(() => 0.1));
  assert.equal(miss.reached, false);
  assert.deepEqual(miss.layers, [0, 1]);
});
