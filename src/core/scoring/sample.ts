// The sampled protocol (as in the paper): many generations per prompt, each with its own
// temperature drawn from a range, a number parsed from each. The prompt runs once; its keys/values
// are shared by all samples, which then decode one token per step together. Every sample draws
// from its own generator seeded by (seed, prompt, sample), so results do not depend on how samples
// are grouped into batches.
import { createRng } from '../stats/rng.js';
import { throwIfCancelled } from '../patching/errors.js';
import { forward } from '../patching/forward.js';
import type { KV, StepBatch, StepModel } from '../patching/model.js';
import { kvRows } from '../patching/tensor.js';
import { promptBatch } from '../patching/batch.js';
import { parseRating } from './parse.js';
import { type SamplingOptions, checkSamplingOptions, drawTemperature, sampleToken } from './sampler.js';
import { ScoringError } from './errors.js';

export interface SampleTokenizer {
  decode(ids: number[], opts?: { skipSpecialTokens?: boolean }): string;
  readonly eosTokenId?: number;
}

export interface SampledOptions extends Partial<SamplingOptions> {
  samples: number;
  maxTokens: number;
  seed: number;
  /** The scale's range: a parsed number must lie in it. */
  min: number;
  max: number;
  /** Generation stops at the first of these strings (it is cut off before parsing). */
  stop?: string[];
  /** Samples decoded together (default 64). */
  chunk?: number;
  /** Index of the first prompt within the whole set, so a subset draws the same samples as the set would. */
  firstPrompt?: number;
  padId?: number;
  signal?: AbortSignal;
  onSamples?: (n: number) => void;
}

export interface SampledRating {
  /** Mean of the parsed ratings (NaN when none parsed). */
  mean: number;
  parsed: number;
  samples: number;
  /** Parsed rating of each sample (undefined where none was found), in sample order. */
  values: (number | undefined)[];
  texts: string[];
  temperatures: number[];
}

/** A 32-bit seed for sample `k` of prompt `p`: distinct streams, independent of batching. */
function sampleSeed(seed: number, p: number, k: number): number {
  return (Math.imul(seed | 0, 0x9e3779b1) ^ Math.imul(p + 1, 0x85ebca6b) ^ Math.imul(k + 1, 0xc2b2ae35)) >>> 0;
}

/** One decoding step for `rows` sequences of a single unpadded prompt, `past` columns cached. */
function stepBatch(tokens: number[], past: number): StepBatch {
  const R = tokens.length;
  return {
    size: R,
    length: 1,
    past,
    inputIds: BigInt64Array.from(tokens, (t) => BigInt(t)),
    positionIds: new BigInt64Array(R).fill(BigInt(past)),
    keyMask: new Uint8Array(R * (past + 1)).fill(1),
  };
}

function cut(text: string, stop: string[]): { text: string; stopped: boolean } {
  let at = -1;
  for (const s of stop) {
    const i = text.indexOf(s);
    if (i >= 0 && (at < 0 || i < at)) at = i;
  }
  return at < 0 ? { text, stopped: false } : { text: text.slice(0, at), stopped: true };
}

export async function rateSampled(model: StepModel, tokenizer: SampleTokenizer, prompts: number[][], opts: SampledOptions): Promise<SampledRating[]> {
  const sampling: SamplingOptions = { temperature: opts.temperature ?? [0.85, 1.15], topP: opts.topP ?? 1, topK: opts.topK ?? 0 };
  checkSamplingOptions(sampling);
  if (!(Number.isInteger(opts.samples) && opts.samples >= 1)) throw new ScoringError('bad-sampling-option', `samples ${opts.samples} must be a whole number ≥ 1`);
  if (!(Number.isInteger(opts.maxTokens) && opts.maxTokens >= 1)) throw new ScoringError('bad-sampling-option', `max tokens ${opts.maxTokens} must be a whole number ≥ 1`);
  const stop = opts.stop ?? [];
  const chunk = opts.chunk ?? 64;
  const out: SampledRating[] = [];
  for (let p = 0; p < prompts.length; p++) {
    throwIfCancelled(opts.signal);
    if (prompts[p].length === 0) throw new ScoringError('bad-prompt', `prompt ${p} has no tokens`);
    // The prompt once: its keys/values and the distribution of the first generated token.
    const kv: KV[] = [];
    const batch = promptBatch([prompts[p]], opts.padId);
    const final = await forward(model, batch, { onPresent: (l, x) => (kv[l] = x) });
    const first = (await model.logits(final, 'last')).data;
    const result: SampledRating = { mean: Number.NaN, parsed: 0, samples: opts.samples, values: [], texts: [], temperatures: [] };
    for (let start = 0; start < opts.samples; start += chunk) {
      throwIfCancelled(opts.signal);
      const n = Math.min(chunk, opts.samples - start);
      const rngs = Array.from({ length: n }, (_, i) => createRng(sampleSeed(opts.seed, (opts.firstPrompt ?? 0) + p, start + i)));
      const temps = rngs.map((r) => drawTemperature(sampling.temperature, () => r.next()));
      const generated: number[][] = Array.from({ length: n }, () => []);
      const texts: string[] = new Array(n).fill('');
      let live = Array.from({ length: n }, (_, i) => i);
      let cache = kv.map((x) => kvRows(x, new Array(n).fill(0)));
      let logits = first;
      let rowsOfLogits = live.map(() => 0);
      for (let t = 0; t < opts.maxTokens && live.length > 0; t++) {
        const V = model.vocabSize;
        const next = live.map((i, r) => sampleToken(logits.subarray(rowsOfLogits[r] * V, (rowsOfLogits[r] + 1) * V), temps[i], sampling.topK, sampling.topP, () => rngs[i].next()));
        const still: number[] = [];
        const keep: number[] = [];
        live.forEach((i, r) => {
          if (next[r] === tokenizer.eosTokenId) return;
          generated[i].push(next[r]);
          const c = cut(tokenizer.decode(generated[i], { skipSpecialTokens: true }), stop);
          texts[i] = c.text;
          if (!c.stopped) {
            still.push(i);
            keep.push(r);
          }
        });
        if (still.length === 0 || t === opts.maxTokens - 1) break;
        // Finished samples leave the batch; the others decode one more token on their cache.
        if (keep.length !== live.length) cache = cache.map((x) => kvRows(x, keep));
        live = still;
        const past = prompts[p].length + t;
        const step = stepBatch(keep.map((r) => next[r]), past);
        const x = await forward(model, step, { past: (l) => cache[l], onPresent: (l, c) => (cache[l] = c) });
        logits = (await model.logits(x, 'last')).data;
        rowsOfLogits = live.map((_, r) => r);
      }
      texts.forEach((text, i) => {
        const v = parseRating(text, opts.min, opts.max);
        result.values.push(v);
        result.texts.push(text);
        result.temperatures.push(temps[i]);
      });
      opts.onSamples?.(n);
    }
    const parsed = result.values.filter((v): v is number => v !== undefined);
    result.parsed = parsed.length;
    result.mean = parsed.length ? parsed.reduce((a, b) => a + b, 0) / parsed.length : Number.NaN;
    out.push(result);
  }
  return out;
}
