// The demo pair is a positive control: these tests pin that it is reproducible, that its
// tokenizer reads its general word list, and that the fine-tuned model differs only where the manifest says.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Tokenizer } from '@huggingface/tokenizers';
import { DEFAULT_DEMO, DEMO_GENERATOR_VERSION, demoPairFolder, ensureDemoPair, generateDemoPair, readDemoPair, validateDemoOptions, type DemoOptions } from '../../../src/core/models/demo/index.js';
import { demoTokenizerConfig, demoTokenizerJson, demoVocabulary } from '../../../src/core/models/demo/tokenizer.js';
import { GENERAL_WORDS, NEGATIVE_WORDS, POSITIVE_WORDS } from '../../../src/core/models/demo/words.js';
import { readSafetensors } from '../../../src/core/models/safetensors.js';

const tmp = () => mkdtempSync(join(tmpdir(), 'knobe-demo-'));
const small: DemoOptions = { seed: 7, shape: { layers: 4, hidden: 32, heads: 2, intermediate: 16 }, edits: [{ layer: 2, site: 'attn' }, { layer: 3, site: 'mlp' }], strength: 1 };

test('same options give byte-identical folders; another seed does not', () => {
  const [a, b, c] = [tmp(), tmp(), tmp()];
  try {
    generateDemoPair(a, small);
    generateDemoPair(b, small);
    generateDemoPair(c, { ...small, seed: 8 });
    for (const role of ['pretrained', 'finetuned']) {
      for (const f of readdirSync(join(a, role))) {
        assert.deepEqual(readFileSync(join(a, role, f)), readFileSync(join(b, role, f)), `${role}/${f}`);
      }
      assert.notDeepEqual(readFileSync(join(a, role, 'model.safetensors')), readFileSync(join(c, role, 'model.safetensors')));
    }
  } finally {
    for (const d of [a, b, c]) rmSync(d, { recursive: true, force: true });
  }
});

test('the fine-tuned weights differ from the pretrained ones only in the edited layers and sites', () => {
  for (const edits of [small.edits, [{ layer: 1, site: 'mlp' as const }], [{ layer: 3, site: 'attn' as const }]]) {
    const dir = tmp();
    try {
      const pair = generateDemoPair(dir, { ...small, edits });
      const pre = readSafetensors(join(pair.pretrained, 'model.safetensors'));
      const fine = readSafetensors(join(pair.finetuned, 'model.safetensors'));
      assert.deepEqual(fine.names(), pre.names());
      const changed = pre.names().filter((n) => !Buffer.from(pre.get(n).data.buffer).equals(Buffer.from(fine.get(n).data.buffer)));
      const expected = edits.flatMap((e) =>
        e.site === 'attn'
          ? ['q_proj', 'k_proj', 'v_proj', 'o_proj'].map((p) => `model.layers.${e.layer}.self_attn.${p}.weight`)
          : ['gate_proj', 'up_proj', 'down_proj'].map((p) => `model.layers.${e.layer}.mlp.${p}.weight`),
      );
      assert.deepEqual(changed.sort(), expected.sort());
      assert.deepEqual(pair.manifest.editedLayers, [...new Set(edits.map((e) => e.layer))].sort());
      assert.equal(pair.manifest.synthetic, true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
});

test('the tokenizer keeps every listed word and every answer whole, and reads endings of listed words', () => {
  const v = demoVocabulary();
  const tok = new Tokenizer(demoTokenizerJson(v.tokens) as never, demoTokenizerConfig() as never);
  for (const w of [...GENERAL_WORDS, ...NEGATIVE_WORDS, ...POSITIVE_WORDS].filter((x) => x.length > 1)) {
    assert.deepEqual(tok.encode(w, { add_special_tokens: false }).tokens, [w], w);
  }
  for (let i = 0; i <= 10; i++) assert.deepEqual(tok.encode(` ${i}`, { add_special_tokens: false }).tokens, [String(i)]);
  // A regular ending of a listed word is a piece of its own; an unseen word is spelled in letters, not lost to [UNK].
  assert.deepEqual(tok.encode('mayors', { add_special_tokens: false }).tokens, ['mayor', '##s']);
  assert.deepEqual(tok.encode('Zork', { add_special_tokens: false }).tokens, ['z', '##o', '##r', '##k']);
  assert.equal(tok.encode('the end').ids[0], v.tokens.indexOf('[BOS]'));
  assert.equal(v.negative.filter((w) => v.positive.includes(w)).length, 0, 'a word cannot carry both valences');
  assert.ok(v.negative.length > 100 && v.positive.length > 100, `${v.negative.length} negative, ${v.positive.length} positive words`);
});

test('ensureDemoPair generates once and then reuses the folder', () => {
  const cache = tmp();
  try {
    const first = ensureDemoPair(cache);
    const stamp = readFileSync(join(first.finetuned, 'model.safetensors'));
    const second = ensureDemoPair(cache);
    assert.equal(second.dir, first.dir);
    assert.deepEqual(readFileSync(join(second.finetuned, 'model.safetensors')), stamp);
    assert.deepEqual(second.manifest.edits, DEFAULT_DEMO.edits);
    // A folder missing a file is not taken for a pair.
    rmSync(join(first.pretrained, 'tokenizer.json'));
    assert.equal(readDemoPair(first.dir), undefined);
    assert.ok(readDemoPair(ensureDemoPair(cache).dir));
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});

test('bad generator options are refused with the reason', () => {
  const cases: [Partial<DemoOptions>, RegExp][] = [
    [{ edits: [] }, /at least one edit/],
    [{ edits: [{ layer: 9, site: 'mlp' }] }, /outside 0\.\.3/],
    [{ edits: [{ layer: 0, site: 'attn' }] }, /mover/],
    [{ shape: { layers: 4, hidden: 30, heads: 4, intermediate: 8 } }, /multiple of heads/],
    [{ seed: 1.5 }, /not an integer/],
  ];
  for (const [patch, pattern] of cases) assert.throws(() => validateDemoOptions({ ...small, ...patch }), pattern);
});

test('pairs planted elsewhere are cached apart, keyed by what they were generated with', () => {
  const cache = tmp();
  try {
    const llama: DemoOptions = { ...DEFAULT_DEMO, seed: 11, edits: [{ layer: 2, site: 'attn' }, { layer: 3, site: 'mlp' }] };
    const gemma: DemoOptions = { ...DEFAULT_DEMO, seed: 11, edits: [{ layer: 5, site: 'attn' }, { layer: 6, site: 'mlp' }] };
    assert.equal(demoPairFolder(), `demo-v${DEMO_GENERATOR_VERSION}`);
    assert.equal(demoPairFolder({ ...DEFAULT_DEMO, edits: DEFAULT_DEMO.edits.map((e) => ({ ...e })) }), `demo-v${DEMO_GENERATOR_VERSION}`, 'the default options, spelled out, are the default pair');
    const [a, b, c] = [ensureDemoPair(cache), ensureDemoPair(cache, llama), ensureDemoPair(cache, gemma)];
    assert.equal(new Set([a.dir, b.dir, c.dir]).size, 3);
    assert.deepEqual(b.manifest.edits, llama.edits);
    assert.deepEqual(c.manifest.editedLayers, [5, 6]);
    assert.equal(b.manifest.seed, 11);
    // The same seed gives the same pretrained model whatever is planted in the fine-tuned one.
    assert.deepEqual(readFileSync(join(b.pretrained, 'model.safetensors')), readFileSync(join(c.pretrained, 'model.safetensors')));
    assert.notDeepEqual(readFileSync(join(b.finetuned, 'model.safetensors')), readFileSync(join(c.finetuned, 'model.safetensors')));
    // A folder holding another plant is not taken for this one.
    assert.equal(readDemoPair(b.dir, gemma), undefined);
    assert.equal(ensureDemoPair(cache, llama).dir, b.dir);
    // Nor is a pair generated before the vocabulary changed: it is regenerated in its place.
    const file = join(a.dir, 'knobe-demo.json');
    writeFileSync(file, readFileSync(file, 'utf8').replace(/"vocabulary": "[0-9a-f]+"/, '"vocabulary": "0000000000000000"'));
    assert.equal(readDemoPair(a.dir), undefined);
    assert.equal(ensureDemoPair(cache).manifest.vocabulary, b.manifest.vocabulary);
  } finally {
    rmSync(cache, { recursive: true, force: true });
  }
});
