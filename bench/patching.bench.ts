// Patching and rating on a generated Llama-shaped model (12 layers, hidden 256, 8 heads with 4
// key/value heads, MLP 704, byte-level BPE vocabulary in which " 10" is two tokens) with eight
// ~100-token prompts, each pair of candidates run alternately in one process:
//   - a resid_post sweep over every layer at all positions: scheduler ÷ plain path (target ≤ 0.30)
//   - the same sweep at the last position only: scheduler ÷ plain path (target ≤ 0.10)
//   - the expected-value rating ÷ the 283-sample protocol, for the same items.
// The scheduler's results are checked against the plain path's before timing. Memory: the bytes
// of activations and caches each mode holds (tracked), the scheduler's plan, and the peak RSS
// growth sampled while each mode runs.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { BPE_WORDS, byteLevelBpeTokenizer, randomWeights, vocabSizeOf } from '../test/support/checkpoints.js';
import { parseConfig } from '../src/core/models/config.js';
import { LoadedModel } from '../src/core/models/model.js';
import { loadTokenizer } from '../src/core/models/tokenizer.js';
import type { WeightSource } from '../src/core/models/types.js';
import { asStepModel } from '../src/core/patching/adapter.js';
import { runSweep } from '../src/core/patching/scheduler.js';
import { runSweepPlain } from '../src/core/patching/plain.js';
import type { SweepOutput, SweepRequest } from '../src/core/patching/plan.js';
import type { PositionSpec } from '../src/core/patching/positions.js';
import { buildAnswerSet, rangeAnswers } from '../src/core/scoring/answers.js';
import { rateExpected } from '../src/core/scoring/rate.js';
import { rateSampled } from '../src/core/scoring/sample.js';
import { fmt, sideBySide } from './util.js';

const LAYERS = 12;
const PROMPTS = 8;
const WORDS_PER_PROMPT = 96;

function configJson(vocab: number) {
  return {
    architectures: ['LlamaForCausalLM'], model_type: 'llama', vocab_size: vocab, hidden_size: 256, intermediate_size: 704,
    num_hidden_layers: LAYERS, num_attention_heads: 8, num_key_value_heads: 4, rms_norm_eps: 1e-5, rope_theta: 10000,
    max_position_embeddings: 512, tie_word_embeddings: false, hidden_act: 'silu', bos_token_id: vocab - 4, eos_token_id: vocab - 3,
  };
}

function memorySource(w: Record<string, { shape: number[]; data: Float32Array }>): WeightSource {
  return {
    names: () => Object.keys(w),
    has: (n) => n in w,
    get: (n) => w[n],
  };
}

/** Runs fn while sampling RSS; returns its result and the peak growth in bytes. */
async function peakRss<T>(fn: () => Promise<T>): Promise<{ value: T; bytes: number }> {
  const base = process.memoryUsage().rss;
  let peak = base;
  const timer = setInterval(() => (peak = Math.max(peak, process.memoryUsage().rss)), 5);
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, bytes: peak - base };
  } finally {
    clearInterval(timer);
  }
}

const mb = (b: number) => `${fmt(b / 2 ** 20, 1)} MB`;

function maxDiff(a: SweepOutput, b: SweepOutput): number {
  let m = 0;
  a.patched.forEach((row, k) => row.forEach((v, i) => (m = Math.max(m, Math.abs(v - b.patched[k][i])))));
  return m;
}

export async function run(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'knobe-bench-patching-'));
  try {
    const tokJson = byteLevelBpeTokenizer({ bos: '<|bos|>' });
    writeFileSync(join(dir, 'tokenizer.json'), JSON.stringify(tokJson));
    writeFileSync(join(dir, 'tokenizer_config.json'), JSON.stringify({ bos_token: '<|bos|>', eos_token: '<|eos|>', add_bos_token: true }));
    const tokenizer = loadTokenizer(dir);
    const config = parseConfig(configJson(vocabSizeOf(tokJson)));
    const [donorLm, recipientLm] = await Promise.all([
      LoadedModel.fromWeights(config, memorySource(randomWeights(config, 1))),
      LoadedModel.fromWeights(config, memorySource(randomWeights(config, 2))),
    ]);
    const donor = asStepModel(donorLm);
    const recipient = asStepModel(recipientLm);
    let s = 12345;
    const word = () => BPE_WORDS[(s = (Math.imul(s, 1103515245) + 12345) >>> 0) % BPE_WORDS.length];
    const prompts = Array.from({ length: PROMPTS }, (_, i) => {
      const text = Array.from({ length: WORDS_PER_PROMPT }, word).join('') + ' Answer:';
      return { name: `p${i}`, text, ids: tokenizer.encode(text) };
    });
    const answers = buildAnswerSet(rangeAnswers(0, 10), (t) => tokenizer.encode(t, { addSpecialTokens: false }));
    const lengths = prompts.map((p) => p.ids.length);
    console.log(`model: Llama, ${LAYERS} layers, hidden 256, vocab ${config.vocabSize}; ${PROMPTS} prompts of ${Math.min(...lengths)}–${Math.max(...lengths)} tokens; answers 0..10 (" 10" is ${answers.tokens[10].length} tokens)`);

    const sets = Array.from({ length: LAYERS }, (_, l) => [l]);
    for (const [name, positions, target] of [['all positions', { kind: 'all' }, 0.3], ['last position', { kind: 'last' }, 0.1]] as [string, PositionSpec, number][]) {
      const req: SweepRequest = { site: 'resid_post', sets, positions, mix: 1, prompts, answers, batchSize: PROMPTS };
      // One run of each first, so the runtime's one-off buffer growth is charged to neither.
      await runSweep(donor, recipient, req);
      await runSweepPlain(donor, recipient, req, LAYERS);
      const fast = await peakRss(() => runSweep(donor, recipient, req));
      const plain = await peakRss(() => runSweepPlain(donor, recipient, req, LAYERS));
      const diff = maxDiff(fast.value, plain.value);
      if (diff > 1e-5) throw new Error(`scheduler and plain path differ by ${diff}`);
      const [a, b] = await sideBySide(() => runSweep(donor, recipient, req), () => runSweepPlain(donor, recipient, req, LAYERS), 5);
      // The work each path must do, in layer passes over the patched window: the scheduler runs
      // both models once and each resid_post patch at layer l through layers l+1..L−1; the plain
      // path runs both models once and then both again per patch.
      const window = positions.kind === 'all' ? 1 : 2 / Math.max(...lengths);
      const floor = (2 * LAYERS + window * (LAYERS * (LAYERS - 1)) / 2) / (2 * LAYERS + 2 * LAYERS * LAYERS);
      console.log(`resid_post sweep, ${LAYERS} layers, ${name}: scheduler ${fmt(a, 0)} ms, plain ${fmt(b, 0)} ms, ratio ${fmt(a / b, 3)} (target ≤ ${target}; layer-pass count ratio ${fmt(floor, 3)}); max |Δ rating| ${diff.toExponential(1)}`);
      console.log(`  memory: scheduler plan ${mb(fast.value.plan.totalBytes)} (donor ${mb(fast.value.plan.donorBytes)}, states ${mb(fast.value.plan.stateBytes)}, keys/values ${mb(fast.value.plan.kvBytes)}), held ${mb(fast.value.peakBytes)}, RSS +${mb(fast.bytes)}; plain held ${mb(plain.value.peakBytes)}, RSS +${mb(plain.bytes)}`);
    }

    const ids = prompts.map((p) => p.ids);
    const sampleOpts = { samples: 283, maxTokens: 8, seed: 1, min: 0, max: 10, temperature: [0.85, 1.15] as [number, number], padId: 0 };
    await rateSampled(recipient, tokenizer, ids.slice(0, 1), { ...sampleOpts, samples: 64 });
    const ev = await peakRss(() => rateExpected(recipient, answers, ids, { batchSize: PROMPTS }));
    const t0 = performance.now();
    const sampled = await peakRss(() => rateSampled(recipient, tokenizer, ids, sampleOpts));
    const sampleMs = performance.now() - t0;
    const [evMs] = await sideBySide(() => rateExpected(recipient, answers, ids, { batchSize: PROMPTS }), () => undefined, 3);
    const parsed = sampled.value.reduce((a, r) => a + r.parsed, 0) / (283 * PROMPTS);
    console.log(`rating ${PROMPTS} items: expected value ${fmt(evMs, 0)} ms, 283-sample protocol ${fmt(sampleMs, 0)} ms, ratio ${fmt(evMs / sampleMs, 4)} (parse rate ${fmt(parsed, 3)} on random weights)`);
    console.log(`  memory: expected value RSS +${mb(ev.bytes)}; sampling RSS +${mb(sampled.bytes)}`);
    await Promise.all([donorLm.dispose(), recipientLm.dispose()]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
