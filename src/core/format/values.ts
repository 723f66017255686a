// Readers for the small value languages of cell entries: lists, ranges, layer sets, positions,
// model sources. Each returns a value or a problem with its code, so validation reports the
// problem and the spec accessors refuse the cell with the same words.
import type { Code } from './diagnostics.js';
import { DIRECTIONS, type KeyDoc } from './schema.js';

export type Read<T> = { ok: true; value: T } | { ok: false; code: Code; message: string };

const ok = <T>(value: T): Read<T> => ({ ok: true, value });
const bad = (message: string, code: Code = 'bad-value'): Read<never> => ({ ok: false, code, message });

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;
const INT = /^[+-]?\d+$/;
const RANGE = /^(\S+?)[ \t]*\.\.[ \t]*(\S+)$/;

export function list(text: string): Read<string[]> {
  const parts = text.split(',').map((s) => s.trim());
  if (parts.some((p) => p === '')) return bad(`\`${text}\` has an empty element in its list`);
  return ok(parts);
}

export function number(text: string, min = -Infinity, max = Infinity): Read<number> {
  const t = text.trim();
  if (!NUMBER.test(t)) return bad(`\`${t}\` is not a number`);
  const v = Number(t);
  if (v < min || v > max) return bad(`${t} is outside ${min}..${max}`, 'bad-range');
  return ok(v);
}

export function integer(text: string, min = -Infinity, max = Infinity): Read<number> {
  const t = text.trim();
  if (!INT.test(t)) return bad(`\`${t}\` is not a whole number`);
  const v = Number(t);
  if (v < min || v > max) return bad(`${t} is outside ${min}..${Number.isFinite(max) ? max : '∞'}`, 'bad-range');
  return ok(v);
}

/** `a..b`, both ends included; `a` must not exceed `b`. */
export function range(text: string, read: (s: string) => Read<number>): Read<[number, number]> | undefined {
  const m = RANGE.exec(text.trim());
  if (!m) return undefined;
  const lo = read(m[1]);
  if (!lo.ok) return lo;
  const hi = read(m[2]);
  if (!hi.ok) return hi;
  if (lo.value > hi.value) return bad(`range \`${text.trim()}\` runs backwards`, 'bad-range');
  return ok([lo.value, hi.value]);
}

/** An answer scale: a range of whole numbers, or a list of answers; at least two answers. */
export function scale(text: string): Read<string[]> {
  const r = range(text, (s) => integer(s));
  let answers: string[];
  if (r) {
    if (!r.ok) return r;
    const [lo, hi] = r.value;
    if (hi - lo > 1000) return bad(`scale \`${text}\` has more than 1000 answers`, 'bad-range');
    answers = [];
    for (let v = lo; v <= hi; v++) answers.push(String(v));
  } else {
    const l = list(text);
    if (!l.ok) return text.trim() === '' ? bad('the scale has no answers', 'scale-without-answers') : l;
    answers = l.value;
  }
  if (answers.length < 2) return bad(`scale \`${text.trim()}\` needs at least two answers`, 'scale-without-answers');
  const dup = answers.find((a, i) => answers.indexOf(a) !== i);
  if (dup !== undefined) return bad(`answer \`${dup}\` appears twice in the scale`);
  return ok(answers);
}

/** `0 = not at all, 10 = completely`: labels of scale points, each point on the scale. */
export function anchors(text: string, answers: readonly string[]): Read<Record<string, string>> {
  const out: Record<string, string> = {};
  // A label may hold commas: a comma starts a new anchor only when `POINT =` follows it, POINT an
  // answer of the scale; otherwise the comma belongs to the label before it.
  let current: string | undefined;
  const pieces = text.split(',');
  for (let k = 0; k < pieces.length; k++) {
    const piece = pieces[k];
    const eq = piece.indexOf('=');
    const point = eq >= 0 ? piece.slice(0, eq).trim() : undefined;
    if (point !== undefined && (answers.includes(point) || k === 0)) {
      if (!answers.includes(point)) return bad(`anchor \`${point}\` is not an answer of the scale`);
      if (point in out) return bad(`anchor \`${point}\` is given twice`);
      current = point;
      out[point] = piece.slice(eq + 1).trim();
    } else if (current === undefined) {
      return bad('anchors are written `POINT = label, POINT = label`');
    } else if (point !== undefined && /^[^\s=]+$/.test(point) && piece.slice(eq + 1).trim() !== '') {
      return bad(`anchor \`${point}\` is not an answer of the scale`);
    } else {
      out[current] += `,${piece}`.trimEnd();
    }
  }
  const empty = Object.keys(out).find((p) => out[p] === '');
  if (empty !== undefined) return bad(`anchor \`${empty}\` has no label`);
  return ok(out);
}

export type Layers = 'all' | number[];

/** `all`, a range `4..9`, or a list `3, 5, 7` of layer indexes. */
export function layers(text: string): Read<Layers> {
  const t = text.trim();
  if (t === 'all') return ok('all');
  const r = range(t, (s) => integer(s, 0));
  if (r) {
    if (!r.ok) return r;
    const out: number[] = [];
    for (let v = r.value[0]; v <= r.value[1]; v++) out.push(v);
    return ok(out);
  }
  return intList(t);
}

function intList(t: string): Read<number[]> {
  const l = list(t);
  if (!l.ok) return l;
  const out: number[] = [];
  for (const p of l.value) {
    const v = integer(p, 0);
    if (!v.ok) return v;
    out.push(v.value);
  }
  return ok(out);
}

export type Positions = { kind: 'last' } | { kind: 'all' } | { kind: 'indexes'; indexes: number[] } | { kind: 'phrase'; phrase: string };

export function positions(text: string): Read<Positions> {
  const t = text.trim();
  if (t === 'last' || t === 'all') return ok({ kind: t });
  if (t.startsWith('"')) {
    if (t.length < 3 || !t.endsWith('"') || t.slice(1, -1).includes('"')) return bad('a phrase is written in double quotes: `"the environment"`');
    return ok({ kind: 'phrase', phrase: t.slice(1, -1) });
  }
  const l = intList(t);
  if (!l.ok) return bad(`positions are \`last\`, \`all\`, indexes \`3, 7\` or a phrase in quotes, not \`${t}\``);
  return ok({ kind: 'indexes', indexes: l.value });
}

/** `3+4, 5+6+7`: layer sets patched together. */
export function sets(text: string): Read<number[][]> {
  const l = list(text);
  if (!l.ok) return l;
  const out: number[][] = [];
  for (const s of l.value) {
    const members = s.split('+').map((x) => x.trim());
    const set: number[] = [];
    for (const m of members) {
      const v = integer(m, 0);
      if (!v.ok) return bad(`layer set \`${s}\`: ${v.message}`);
      set.push(v.value);
    }
    out.push(set);
  }
  return ok(out);
}

/** `K of CELL`: the top-K layers of an earlier sweep. */
export function top(text: string): Read<{ k: number; cell: string }> {
  const m = /^(\S+)\s+of\s+(\S+)$/.exec(text.trim());
  if (!m) return bad('`top` is written `K of CELL`, e.g. `3 of where`');
  const k = integer(m[1], 1);
  if (!k.ok) return k;
  return ok({ k: k.value, cell: m[2] });
}

/** Another demo pair than the default: edits planted at other layers, another seed or strength. */
export interface DemoPlant {
  edits?: { layer: number; site: 'attn' | 'mlp' }[];
  seed?: number;
  strength?: number;
}

export type ModelSource =
  | { kind: 'demo'; role: 'pretrained' | 'finetuned'; plant?: DemoPlant }
  | { kind: 'local'; path: string }
  | { kind: 'hub'; id: string; revision?: string };

/** `edit=2:attn,6:mlp&seed=7&strength=1.5`: the query of a demo source. */
export function demoPlant(query: string): Read<DemoPlant> {
  const plant: DemoPlant = {};
  for (const part of query.split('&')) {
    const eq = part.indexOf('=');
    const key = eq < 0 ? part : part.slice(0, eq);
    const value = eq < 0 ? '' : part.slice(eq + 1);
    if (key in plant) return bad(`demo source: \`${key}\` is given twice`);
    if (key === 'edit') {
      const edits: { layer: number; site: 'attn' | 'mlp' }[] = [];
      for (const e of value.split(',')) {
        const m = /^(\d+):(attn|mlp)$/.exec(e.trim());
        if (!m) return bad(`demo source: an edit is written \`LAYER:attn\` or \`LAYER:mlp\`, not \`${e}\``);
        edits.push({ layer: Number(m[1]), site: m[2] as 'attn' | 'mlp' });
      }
      plant.edits = edits;
    } else if (key === 'seed') {
      const v = integer(value, 0, 0xffffffff);
      if (!v.ok) return bad(`demo source: seed: ${v.message}`, v.code);
      plant.seed = v.value;
    } else if (key === 'strength') {
      const v = number(value, 0);
      if (!v.ok || v.value === 0) return bad(`demo source: strength is a positive number, not \`${value}\``);
      plant.strength = v.value;
    } else {
      return bad(`demo source: \`${key}\` is not a setting of the demo pair (edit, seed, strength)`);
    }
  }
  return ok(plant);
}

export function source(text: string): Read<ModelSource> {
  const t = text.trim();
  if (t === 'demo:pretrained' || t === 'demo:finetuned') return ok({ kind: 'demo', role: t.slice(5) as 'pretrained' | 'finetuned' });
  const demo = /^demo:(pretrained|finetuned)\?(.*)$/.exec(t);
  if (demo) {
    const plant = demoPlant(demo[2]);
    if (!plant.ok) return plant;
    return ok({ kind: 'demo', role: demo[1] as 'pretrained' | 'finetuned', plant: plant.value });
  }
  if (t.startsWith('hf:')) {
    const m = /^hf:([A-Za-z0-9][\w.-]*(?:\/[\w.-]+)?)(?:@([\w./-]+))?$/.exec(t);
    if (!m) return bad(`\`${t}\` is not a Hub id; write \`hf:org/name\` or \`hf:org/name@revision\``);
    return ok({ kind: 'hub', id: m[1], revision: m[2] });
  }
  if (/^(\.{1,2}[\\/]|[\\/]|~[\\/]|[A-Za-z]:[\\/])/.test(t)) return ok({ kind: 'local', path: t });
  return bad(`\`${t}\` is not a model source: write \`demo:pretrained\`, \`demo:finetuned\` (optionally \`?edit=4:attn,5:mlp\`), a folder \`./path\` or \`hf:org/name@revision\``);
}

export function direction(text: string): Read<'pretrained->finetuned' | 'finetuned->pretrained'> {
  const arrow = text.indexOf('->');
  const t = arrow < 0 ? text.trim() : `${text.slice(0, arrow).trim()} -> ${text.slice(arrow + 2).trim()}`;
  if (!(DIRECTIONS as readonly string[]).includes(t)) return bad(`direction is \`${DIRECTIONS.join('` or `')}\``);
  return ok(t.replace(' -> ', '->') as 'pretrained->finetuned' | 'finetuned->pretrained');
}

/** Equivalence bounds for TOST: in rating points, or in units of d. */
export interface Equivalence {
  low: number;
  high: number;
  unit: 'raw' | 'd';
}

/** `0.5` (±0.5 points), `-0.3..0.5`, or either after `d ` for bounds in standardized units. */
export function equivalence(text: string): Read<Equivalence> {
  let t = text.trim();
  let unit: 'raw' | 'd' = 'raw';
  const d = /^d[ \t]+(.*)$/.exec(t);
  if (d) {
    unit = 'd';
    t = d[1].trim();
  }
  const r = range(t, (s) => number(s));
  if (r) {
    if (!r.ok) return r;
    if (!(r.value[0] < 0 && r.value[1] > 0)) return bad(`equivalence bounds \`${t}\` must enclose 0: a lower bound below 0 and an upper bound above it`, 'bad-range');
    return ok({ low: r.value[0], high: r.value[1], unit });
  }
  const v = number(t);
  if (!v.ok) return bad(`equivalence bounds are a number \`0.5\` (meaning −0.5..0.5), a range \`-0.3..0.5\`, or either after \`d\` for units of d, not \`${text.trim()}\``);
  if (!(v.value > 0)) return bad(`equivalence bound ${v.value} must be above 0`, 'bad-range');
  return ok({ low: -v.value, high: v.value, unit });
}

/** Reads a value by the type its key has in the schema (references are checked elsewhere). */
export function byType(doc: KeyDoc, text: string): Read<unknown> {
  const t = text.trim();
  if (t === '' && doc.type !== 'text') return bad(`\`${doc.key}\` has no value${doc.type === 'template' ? ' (write the template on the indented lines below `template: |`)' : ''}`);
  switch (doc.type) {
    case 'source': return source(t);
    case 'enum':
      if (doc.key === 'direction') return direction(t);
      if (doc.obsolete?.[t]) return ok(doc.obsolete[t].use);
      return doc.values!.includes(t) ? ok(t) : bad(`\`${doc.key}\` is one of ${doc.values!.join(', ')}, not \`${t}\``);
    case 'enum-list': {
      const l = list(t);
      if (!l.ok) return l;
      const wrong = l.value.find((v) => !doc.values!.includes(v));
      return wrong === undefined ? l : bad(`\`${wrong}\` is not one of ${doc.values!.join(', ')}`);
    }
    case 'text': return t === '' ? bad(`\`${doc.key}\` has no value`) : ok(t);
    case 'template': return ok(t); // slots are checked by the caller, with their positions
    case 'scale': return scale(t);
    case 'anchors': return ok(t); // checked against the scale by the caller
    case 'int': return integer(t, doc.min, doc.max);
    case 'number': return number(t, doc.min, doc.max);
    case 'fraction': return number(t, 0, 1);
    case 'number-or-range': return range(t, (s) => number(s, doc.min, doc.max)) ?? number(t, doc.min, doc.max);
    case 'layers': return layers(t);
    case 'positions': return positions(t);
    case 'sets': return sets(t);
    case 'top': return top(t);
    case 'equivalence': return equivalence(t);
    case 'ref': return /^[A-Za-z0-9_-]+$/.test(t) ? ok(t) : bad(`\`${t}\` is not a cell name`);
    case 'ref-list': {
      const l = list(t);
      if (!l.ok) return l;
      const wrong = l.value.find((v) => !/^[A-Za-z0-9_-]+$/.test(v));
      return wrong === undefined ? l : bad(`\`${wrong}\` is not a cell name`);
    }
  }
}
