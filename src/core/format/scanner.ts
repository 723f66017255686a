// Line-oriented scanner. A `.knobe` file is read one line at a time and what a line means depends
// only on whether it is inside a Knobe cell, an output block or prose, so the scanner keeps that
// one bit of state and classifies every line. Tokens are offsets into the text; nothing is copied.

export type TokenType =
  | 'bom'
  | 'header' // `%knobe`
  | 'version' // the word after `%knobe`
  | 'fence-open' // `:::` that opens a block
  | 'kind'
  | 'name'
  | 'extra' // words after what a line expects
  | 'fence-close'
  | 'key'
  | 'value'
  | 'continuation' // indented line continuing a value or an item's text
  | 'item' // the `item` keyword
  | 'label' // `negative` / `positive` after an item's name
  | 'comment'
  | 'blank'
  | 'prose'
  | 'break' // `%%`
  | 'stray'; // a line inside a cell that fits no rule

export interface Token {
  type: TokenType;
  start: number;
  end: number;
}

export type LineKind =
  | 'header'
  | 'fence-open'
  | 'fence-close'
  | 'entry'
  | 'continuation'
  | 'item'
  | 'comment'
  | 'blank'
  | 'prose'
  | 'break'
  | 'stray';

export interface Line {
  kind: LineKind;
  /** Offset of the first character (after a byte-order mark on line 1). */
  start: number;
  /** Offset of the line break (end of content). */
  end: number;
  /** Offset after the line break. */
  next: number;
  tokens: Token[];
}

const FENCE_OPEN = /^:::[ \t]+(\S+)(?:[ \t]+(\S+))?[ \t]*(.*)$/;
const FENCE_CLOSE = /^:::[ \t]*$/;
const HEADER = /^%knobe(?![A-Za-z0-9_-])[ \t]*(\S*)[ \t]*(.*)$/;
const KEY = /^([A-Za-z][A-Za-z0-9_-]*)[ \t]*:[ \t]*(.*)$/;
const ITEM = /^item(?=[ \t]|$)(?:[ \t]+(\S+))?(?:[ \t]+(\S+))?[ \t]*(.*)$/;
const INDENTED = /^(?: {2,}|\t)/;
const BLANK = /^\s*$/;

/**
 * Runs a line pattern and drops trailing blanks from the captured groups. The patterns capture
 * the rest of a line greedily and trimming happens here: a lazy group followed by optional blanks
 * would backtrack quadratically on a line holding a long run of spaces.
 */
function match(re: RegExp, s: string): RegExpExecArray | null {
  const m = re.exec(s);
  if (m) for (let i = 1; i < m.length; i++) if (m[i]) m[i] = trimBlankEnd(m[i]);
  return m;
}

/** Drops trailing spaces and tabs in linear time (`/[ \t]+$/` is quadratic on long blank runs). */
export function trimBlankEnd(s: string): string {
  let e = s.length;
  while (e > 0 && (s.charCodeAt(e - 1) === 32 || s.charCodeAt(e - 1) === 9)) e--;
  return e === s.length ? s : s.slice(0, e);
}

/** Splits text into lines; `\n`, `\r\n` and a lone `\r` all end a line. */
export function splitLines(text: string): { start: number; end: number; next: number }[] {
  const out: { start: number; end: number; next: number }[] = [];
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10 || c === 13) {
      const next = c === 13 && text.charCodeAt(i + 1) === 10 ? i + 2 : i + 1;
      out.push({ start, end: i, next });
      start = next;
      i = next - 1;
    }
  }
  if (start < text.length || text.length === 0) out.push({ start, end: text.length, next: text.length });
  return out;
}

type Mode = 'prose' | 'cell' | 'output';

/** The word a fence opens with: `output` and version-1 `result` blocks hold JSON, not entries. */
export function isOutputKeyword(kind: string): boolean {
  return kind === 'output' || kind === 'result';
}

export function scanLines(text: string): Line[] {
  const lines: Line[] = [];
  let mode: Mode = 'prose';
  const raw = splitLines(text);
  for (let n = 0; n < raw.length; n++) {
    const r = raw[n];
    const tokens: Token[] = [];
    let start = r.start;
    if (n === 0 && text.charCodeAt(0) === 0xfeff) {
      tokens.push({ type: 'bom', start: 0, end: 1 });
      start = 1;
    }
    const s = text.slice(start, r.end);
    const at = (m: RegExpExecArray, group: number, type: TokenType) => {
      const g = m[group];
      if (!g) return;
      // Groups are found left to right, so searching from the previous token's end locates them.
      const from = tokens.length ? tokens[tokens.length - 1].end - start : 0;
      const i = s.indexOf(g, from);
      tokens.push({ type, start: start + i, end: start + i + g.length });
    };
    let kind: LineKind;
    let m: RegExpExecArray | null;
    // Only a line starting with `:` can be a fence; most lines of a big file are not.
    const colon = s.charCodeAt(0) === 58;
    if (BLANK.test(s)) {
      kind = 'blank';
      tokens.push({ type: 'blank', start, end: r.end });
    } else if (n === 0 && (m = match(HEADER, s))) {
      kind = 'header';
      tokens.push({ type: 'header', start, end: start + 6 });
      at(m, 1, 'version');
      at(m, 2, 'extra');
    } else if (colon && FENCE_CLOSE.test(s)) {
      kind = 'fence-close';
      tokens.push({ type: 'fence-close', start, end: start + 3 });
      if (mode === 'prose') kind = 'stray';
      mode = 'prose';
    } else if (colon && (m = match(FENCE_OPEN, s))) {
      kind = 'fence-open';
      tokens.push({ type: 'fence-open', start, end: start + 3 });
      at(m, 1, 'kind');
      at(m, 2, 'name');
      at(m, 3, 'extra');
      mode = isOutputKeyword(m[1]) ? 'output' : 'cell';
    } else if (mode === 'prose') {
      kind = s === '%%' || /^%%[ \t]*$/.test(s) ? 'break' : 'prose';
      tokens.push({ type: kind, start, end: r.end });
    } else if (mode === 'output') {
      if ((m = match(KEY, s))) {
        kind = 'entry';
        at(m, 1, 'key');
        valueToken(tokens, s, start, m);
      } else {
        kind = 'continuation';
        tokens.push({ type: 'continuation', start, end: r.end });
      }
    } else if (/^[ \t]*#/.test(s)) {
      kind = 'comment';
      tokens.push({ type: 'comment', start, end: r.end });
    } else if (INDENTED.test(s)) {
      kind = 'continuation';
      const lead = s.length - s.trimStart().length;
      tokens.push({ type: 'continuation', start: start + lead, end: r.end });
    } else if ((m = match(ITEM, s))) {
      kind = 'item';
      tokens.push({ type: 'item', start, end: start + 4 });
      at(m, 1, 'name');
      at(m, 2, 'label');
      at(m, 3, 'extra');
    } else if ((m = match(KEY, s))) {
      kind = 'entry';
      at(m, 1, 'key');
      valueToken(tokens, s, start, m);
    } else {
      kind = 'stray';
      tokens.push({ type: 'stray', start, end: r.end });
    }
    lines.push({ kind, start, end: r.end, next: r.next, tokens });
  }
  return lines;
}

/** The value token of a `key: value` line; an empty value is a zero-width token after the colon. */
function valueToken(tokens: Token[], s: string, start: number, m: RegExpExecArray): void {
  const colon = s.indexOf(':', m[1].length);
  if (m[2]) {
    const i = s.indexOf(m[2], colon + 1);
    tokens.push({ type: 'value', start: start + i, end: start + i + m[2].length });
  } else {
    tokens.push({ type: 'value', start: start + colon + 1, end: start + colon + 1 });
  }
}

/** All tokens of a text, in order. */
export function scan(text: string): Token[] {
  return scanLines(text).flatMap((l) => l.tokens);
}
