// The prompt template of a scenario set: the text each model reads, with named slots filled from
// the set — the vignette, the question, the answer scale, what its ends mean, and the answer cue.
// Rating studies with people show raters the scale and its anchors, and so do studies that rate
// with models; the default template does the same, so a model never has to guess what "7" means.
// Hand-written because the syntax is one level of braces with five names; a template engine
// would accept far more than the format allows and report errors in its own terms.

export const SLOTS = ['vignette', 'question', 'scale', 'anchors', 'answer'] as const;
export type Slot = (typeof SLOTS)[number];

/** What each slot is filled with, for people (completion, hover). */
export const SLOT_DOCS: Record<Slot, string> = {
  vignette: 'The vignette, its `{negative|positive}` alternatives resolved for the condition. Required.',
  question: 'The question (the item\'s own, if it has one), its alternatives resolved. Required.',
  scale: 'The answers in words: `a whole number from 0 to 10` for a range, `one of: Yes, No` for a list.',
  anchors: 'The anchors in scale order, as written: `0 = not at all intentionally, 10 = completely intentionally`. Empty without anchors: a line whose slots are all empty is left out.',
  answer: 'The answer cue (`answer:`, default `Answer:`): the end of the prompt, right before the answer. Required, and last.',
};

/** A template without these does not ask the model to rate the vignette. */
export const REQUIRED_SLOTS: readonly Slot[] = ['vignette', 'question', 'answer'];

/**
 * The template a set without `template:` uses. Its version is part of every result's hash and
 * provenance: bump it whenever this text or the way slots are written (`scalePhrase`,
 * `anchorsPhrase`) changes, so results made with the old prompt are recomputed.
 */
export const DEFAULT_TEMPLATE = '{vignette}\n{question}\nAnswer with {scale}.\n{anchors}\n{answer}';
export const DEFAULT_TEMPLATE_VERSION = 1;
export const DEFAULT_TEMPLATE_ID = `default-${DEFAULT_TEMPLATE_VERSION}`;

export interface SlotProblem {
  code: 'unknown-slot' | 'missing-slot' | 'template-mismatch';
  message: string;
  /** Offsets in the template text (the whole text for a missing slot). */
  start: number;
  end: number;
}

type Piece = string | { slot: Slot };

export interface PromptTemplate {
  text: string;
  /** Lines of the template, each a run of literal text and slots. */
  lines: Piece[][];
  problems: SlotProblem[];
}

export function parsePromptTemplate(text: string): PromptTemplate {
  const problems: SlotProblem[] = [];
  const lines: Piece[][] = [];
  const seen = new Map<Slot, number>();
  let offset = 0;
  for (const line of text.split('\n')) {
    const pieces: Piece[] = [];
    let lit = '';
    let i = 0;
    while (i < line.length) {
      const c = line[i];
      const at = offset + i;
      if (c === '{') {
        const close = line.indexOf('}', i + 1);
        const open = line.indexOf('{', i + 1);
        if (close < 0 || (open >= 0 && open < close)) {
          problems.push({ code: 'template-mismatch', message: '`{` has no matching `}`: a template holds slots such as `{vignette}`', start: at, end: at + 1 });
          lit += c;
          i++;
          continue;
        }
        const name = line.slice(i + 1, close);
        if ((SLOTS as readonly string[]).includes(name)) {
          pieces.push(lit, { slot: name as Slot });
          lit = '';
          seen.set(name as Slot, (seen.get(name as Slot) ?? 0) + 1);
        } else {
          const hint = name.includes('|') ? '; `{negative|positive}` alternatives belong in the question and the items' : '';
          problems.push({ code: 'unknown-slot', message: `\`{${name}}\` is not a slot; slots are ${SLOTS.map((s) => `\`{${s}}\``).join(', ')}${hint}`, start: at, end: offset + close + 1 });
          lit += line.slice(i, close + 1);
        }
        i = close + 1;
      } else {
        if (c === '}') problems.push({ code: 'template-mismatch', message: '`}` has no matching `{`', start: at, end: at + 1 });
        lit += c;
        i++;
      }
    }
    pieces.push(lit);
    lines.push(pieces.filter((p) => p !== ''));
    offset += line.length + 1;
  }
  for (const slot of REQUIRED_SLOTS) {
    if (!seen.has(slot)) problems.push({ code: 'missing-slot', message: `the template needs \`{${slot}}\``, start: 0, end: text.length });
  }
  // The answer cue opens the model's answer: the scale's answers are scored right after it, and
  // in `prompt: chat` it follows the chat template's generation prompt, outside the user message.
  const last = lines.filter((l) => l.length > 0).at(-1);
  const endsWithAnswer = last !== undefined && typeof last.at(-1) === 'object' && (last.at(-1) as { slot: Slot }).slot === 'answer';
  if (seen.has('answer') && ((seen.get('answer') ?? 0) > 1 || !endsWithAnswer)) {
    problems.push({ code: 'missing-slot', message: '`{answer}` must appear once, at the very end of the template: the scale\'s answers follow it', start: 0, end: text.length });
  }
  return { text, lines, problems };
}

/** The scale as the default template writes it: `a whole number from 0 to 10`, or `one of: Yes, No`. */
export function scalePhrase(scale: readonly string[]): string {
  const nums = scale.map((a) => (/^-?\d+$/.test(a) ? Number(a) : Number.NaN));
  const consecutive = nums.every((n, i) => Number.isInteger(n) && (i === 0 || n === nums[i - 1] + 1));
  return consecutive ? `a whole number from ${scale[0]} to ${scale[scale.length - 1]}` : `one of: ${scale.join(', ')}`;
}

/** The anchors as the author wrote them, in scale order: `0 = not at all intentionally, 10 = completely intentionally`. */
export function anchorsPhrase(scale: readonly string[], anchors: Readonly<Record<string, string>>): string {
  return scale.filter((a) => a in anchors).map((a) => `${a} = ${anchors[a]}`).join(', ');
}

export type SlotValues = Record<Slot, string>;

export interface RenderedPrompt {
  /** The whole text, as sent with `prompt: raw`. */
  text: string;
  /** Everything before the answer cue: the user message of `prompt: chat`. */
  message: string;
  /** The answer cue, placed after the chat template's generation prompt with `prompt: chat`. */
  cue: string;
}

/**
 * Fills the slots. A line whose slots are all empty (`{anchors}` of a set without anchors) is left
 * out, so an optional part of the prompt leaves no blank line behind.
 */
export function renderPromptTemplate(template: PromptTemplate, values: SlotValues): RenderedPrompt {
  const out: string[] = [];
  for (const line of template.lines) {
    const slots = line.filter((p): p is { slot: Slot } => typeof p === 'object');
    if (slots.length > 0 && slots.every((p) => values[p.slot] === '')) continue;
    out.push(line.map((p) => (typeof p === 'string' ? p : values[p.slot])).join(''));
  }
  const text = out.join('\n');
  const cut = text.length - values.answer.length;
  const endsWithCue = text.endsWith(values.answer);
  return { text, message: (endsWithCue ? text.slice(0, cut) : text).replace(/\s+$/, ''), cue: endsWithCue ? values.answer : '' };
}
