// Which token positions of a prompt a patch touches: all, the last, explicit indexes (negative
// ones count from the end), or the tokens of a phrase. A phrase is found in the prompt's text and
// mapped to the tokens whose character spans overlap it.
import { PatchError } from './errors.js';

export type PositionSpec =
  | { kind: 'all' }
  | { kind: 'last' }
  | { kind: 'indexes'; indexes: number[] }
  | { kind: 'phrase'; phrase: string };

/** A prompt as the patcher sees it: its name (for errors), text and token ids. */
export interface TokenizedPrompt {
  name: string;
  text: string;
  ids: number[];
  /** Character span [start, end) of each token in `text`, when the tokenizer reports offsets. */
  offsets?: [number, number][];
}

/** Parses `all`, `last`, `3, 7, -1` or a quoted phrase `"the environment"`. */
export function parsePositions(text: string): PositionSpec {
  const t = text.trim();
  if (t === 'all' || t === 'last') return { kind: t };
  const q = /^"(.+)"$/.exec(t);
  if (q) return { kind: 'phrase', phrase: q[1] };
  const parts = t.split(',').map((p) => p.trim());
  if (parts.length > 0 && parts.every((p) => /^-?\d+$/.test(p))) return { kind: 'indexes', indexes: parts.map(Number) };
  throw new PatchError('bad-positions', `positions "${text}": expected all, last, token indexes like 3, 7, -1, or a quoted phrase`);
}

export function describePositions(spec: PositionSpec): string {
  switch (spec.kind) {
    case 'all':
    case 'last':
      return spec.kind;
    case 'indexes':
      return spec.indexes.join(',');
    case 'phrase':
      return `"${spec.phrase}"`;
  }
}

/** Lower-cased characters of `s` without whitespace: what survives tokenizers that normalise case and spacing. */
const significant = (s: string) => s.replace(/\s+/g, '').toLowerCase();

/**
 * Character span of every token, from the tokenizer's offsets or else by decoding growing
 * prefixes: decode(ids[0..i]) ends where token i ends. Tokenizers may lower-case the text or
 * re-space punctuation on the way back, so decoded and original text are aligned on their
 * significant characters (no whitespace, lower case). Special tokens decode to text that is not
 * in the prompt (a BOS); the alignment starts where the prompt's own characters begin.
 */
export function tokenSpans(prompt: TokenizedPrompt, decode?: (ids: number[]) => string): [number, number][] {
  if (prompt.offsets) return prompt.offsets;
  if (!decode) throw new PatchError('bad-positions', `prompt "${prompt.name}": phrase positions need token offsets or a decoder`);
  // Position in `text` of each significant character.
  const at: number[] = [];
  for (let i = 0; i < prompt.text.length; i++) if (!/\s/.test(prompt.text[i])) at.push(i);
  const sigText = significant(prompt.text);
  const full = significant(decode(prompt.ids));
  const shift = full.endsWith(sigText) ? full.length - sigText.length : full.indexOf(sigText);
  if (shift < 0 || sigText.length !== at.length) {
    throw new PatchError('bad-positions', `prompt "${prompt.name}": decoding its tokens does not give back its text, so a phrase cannot be located`);
  }
  const spans: [number, number][] = [];
  let prev = 0;
  for (let i = 0; i < prompt.ids.length; i++) {
    const end = Math.min(at.length, Math.max(0, significant(decode(prompt.ids.slice(0, i + 1))).length - shift));
    const from = Math.min(prev, end);
    spans.push(end > from ? [at[from], at[end - 1] + 1] : [0, 0]);
    prev = end;
  }
  return spans;
}

/** Token indexes covering the first occurrence of `phrase` in the prompt; error naming the prompt if absent. */
export function phrasePositions(prompt: TokenizedPrompt, phrase: string, decode?: (ids: number[]) => string): number[] {
  let start = prompt.text.indexOf(phrase);
  if (start < 0) start = prompt.text.toLowerCase().indexOf(phrase.toLowerCase());
  if (start < 0) throw new PatchError('phrase-not-found', `phrase "${phrase}" does not occur in prompt "${prompt.name}"`);
  const end = start + phrase.length;
  const spans = tokenSpans(prompt, decode);
  const out: number[] = [];
  spans.forEach(([s, e], i) => {
    if (e > s && s < end && e > start) out.push(i);
  });
  if (out.length === 0) throw new PatchError('phrase-not-found', `phrase "${phrase}" covers no token of prompt "${prompt.name}"`);
  return out;
}

/** Sorted token indexes (into the prompt, without padding) that a patch touches. */
export function resolvePositions(spec: PositionSpec, prompt: TokenizedPrompt, decode?: (ids: number[]) => string): number[] {
  const n = prompt.ids.length;
  switch (spec.kind) {
    case 'all':
      return Array.from({ length: n }, (_, i) => i);
    case 'last':
      return [n - 1];
    case 'indexes': {
      const idx = spec.indexes.map((i) => (i < 0 ? n + i : i));
      spec.indexes.forEach((i, k) => {
        if (idx[k] < 0 || idx[k] >= n) {
          throw new PatchError('position-out-of-range', `position ${i} is outside prompt "${prompt.name}" (${n} tokens)`);
        }
      });
      return [...new Set(idx)].sort((a, b) => a - b);
    }
    case 'phrase':
      return phrasePositions(prompt, spec.phrase, decode);
  }
}
