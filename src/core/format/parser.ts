// Recovering parser: turns any string into a KnobeDocument and never throws. What it cannot read
// stays in the document (as prose, a stray line, an unterminated cell or an orphan output) with a
// diagnostic, and every cell keeps the offsets of its own text so the printer can reproduce it.
import { diag, type RawDiagnostic } from './diagnostics.js';
import {
  CELL_KINDS, CURRENT_VERSION, KNOWN_VERSIONS, LineIndex,
  type Cell, type CellKind, type Comment, type Entry, type FenceClose, type Header, type Item, type KnobeCell, type KnobeDocument,
  type MarkdownCell, type Missing, type OrphanOutputCell, type OutputBlock, type OutputField, type Span, type Stray, type Word,
} from './nodes.js';
import { assembleOutput, decodeValue } from './output.js';
import { isOutputKeyword, scanLines, type Line, type Token, type TokenType } from './scanner.js';

const NAME = /^[A-Za-z0-9_-]+$/;
const LABELS = ['negative', 'positive'];

/** Version-1 spellings read into the current model: kind `models`, keys `base` and `tuned`. */
const V1_KINDS: Record<string, CellKind> = { models: 'pair', scenarios: 'scenarios', ratings: 'ratings', localize: 'localize', sweep: 'sweep', stats: 'stats' };
const V1_KEYS: Record<string, string> = { base: 'pretrained', tuned: 'finetuned' };
const OUTPUT_KEYWORD: Record<number, string> = { 1: 'result', 2: 'output' };

class Parser {
  private readonly lines: Line[];
  private readonly diags: RawDiagnostic[] = [];
  private i = 0;
  version = CURRENT_VERSION;

  constructor(private readonly text: string, forcedVersion?: number) {
    this.lines = scanLines(text);
    if (forcedVersion !== undefined) this.version = forcedVersion;
  }

  parse(forcedVersion?: number): KnobeDocument {
    const text = this.text;
    let header: Header | undefined;
    const first = this.lines[0];
    if (first.kind === 'header') {
      header = this.header(first);
      this.i = 1;
    } else if (forcedVersion === undefined) {
      this.diags.push(diag('missing-header', `the first line should be \`%knobe ${CURRENT_VERSION}\``, first.start, first.start, 'warning'));
    }
    const cells: Cell[] = [];
    /** Body start, then where each cell's tiled segment begins. */
    const spanStarts: number[] = [];
    while (this.i < this.lines.length) {
      const line = this.lines[this.i];
      if (line.kind === 'fence-open') {
        const block = this.block();
        if (block._type === 'output') {
          const prev = cells[cells.length - 1];
          const between = prev?._type === 'knobe' ? this.onlyBlank(prev.end, block.start) : false;
          if (prev?._type === 'knobe' && between && !prev.output && prev.name._type === 'word' && block.name._type === 'word' && prev.name.text === block.name.text && prev.close._type !== 'missing') {
            prev.output = block;
          } else {
            this.diags.push(diag('orphan-output', 'an output block must follow the Knobe cell of the same name', block.start, Math.max(block.keyword.end, block.name.end), 'warning'));
            const orphan: OrphanOutputCell = { _type: 'orphan-output', start: block.start, end: block.end, block, span: { start: block.start, end: block.end } };
            cells.push(orphan);
            spanStarts.push(block.start);
          }
        } else {
          cells.push(block);
          spanStarts.push(block.start);
        }
      } else {
        for (const md of this.prose()) {
          cells.push(md.cell);
          spanStarts.push(md.spanStart);
        }
      }
    }
    // Tile: each segment runs to the start of the next; the first one starts at 0.
    const headerEnd = cells.length ? spanStarts[0] : text.length;
    if (header) header.span = { start: 0, end: headerEnd };
    else if (spanStarts.length) spanStarts[0] = 0;
    for (let k = 0; k < cells.length; k++) {
      cells[k].span = { start: spanStarts[k], end: k + 1 < cells.length ? spanStarts[k + 1] : text.length };
    }
    if (!header && cells.length === 0 && text.length > 0) {
      cells.push({ _type: 'markdown', start: 0, end: 0, breakBefore: false, span: { start: 0, end: text.length } });
    }
    return { _type: 'document', text, version: this.version, header, cells, syntax: this.diags, lines: new LineIndex(text) };
  }

  private header(line: Line): Header {
    const h = tok(line, 'header')!;
    const v = tok(line, 'version');
    const extra = tok(line, 'extra');
    let version: number | undefined;
    let versionText: Word | Missing;
    if (v) {
      const t = this.text.slice(v.start, v.end);
      versionText = { _type: 'word', text: t, start: v.start, end: v.end };
      version = /^[0-9]+$/.test(t) ? Number(t) : undefined;
      if (version !== undefined && KNOWN_VERSIONS.includes(version)) this.version = version;
      else this.diags.push(diag('unknown-version', `unknown format version \`${t}\`; known: ${KNOWN_VERSIONS.join(', ')}. Read as version ${CURRENT_VERSION}`, v.start, v.end));
    } else {
      versionText = { _type: 'missing', expected: 'format version', start: h.end, end: h.end };
      this.diags.push(diag('unknown-version', `\`%knobe\` should be followed by the format version (${CURRENT_VERSION})`, h.start, h.end));
    }
    if (extra) this.diags.push(diag('stray-text', 'unexpected text after the format version', extra.start, extra.end, 'warning'));
    return { _type: 'header', start: line.start, end: line.end, version, versionText, span: { start: 0, end: line.next } };
  }

  /** Consecutive prose lines, cut into Markdown cells at `%%` breaks. */
  private prose(): { cell: MarkdownCell; spanStart: number }[] {
    const from = this.i;
    while (this.i < this.lines.length && this.lines[this.i].kind !== 'fence-open') {
      const l = this.lines[this.i];
      if (l.kind === 'stray') this.diags.push(diag('stray-text', '`:::` closes no Knobe cell', l.start, l.end, 'warning'));
      this.i++;
    }
    const out: { cell: MarkdownCell; spanStart: number }[] = [];
    let pieceStart = from;
    for (let k = from; k <= this.i; k++) {
      if (k === this.i || (k > pieceStart && this.lines[k].kind === 'break')) {
        const brk = this.lines[pieceStart].kind === 'break';
        const content = this.lines.slice(brk ? pieceStart + 1 : pieceStart, k).filter((l) => l.kind !== 'blank');
        if (brk || content.length) {
          const at = brk ? this.lines[pieceStart].next : 0;
          const start = content.length ? content[0].start : at;
          const end = content.length ? content[content.length - 1].end : at;
          const spanStart = pieceStart === 0 ? 0 : this.lines[pieceStart].start;
          out.push({ cell: { _type: 'markdown', start, end, breakBefore: brk, span: { start: spanStart, end } }, spanStart });
        }
        pieceStart = k;
      }
    }
    return out;
  }

  /** A fenced block starting at the current line: a Knobe cell or an output block. */
  private block(): KnobeCell | OutputBlock {
    const open = this.lines[this.i++];
    const kindTok = tok(open, 'kind')!;
    const kindText = this.text.slice(kindTok.start, kindTok.end);
    const kindWord: Word = { _type: 'word', text: kindText, start: kindTok.start, end: kindTok.end };
    const nameTok = tok(open, 'name');
    const name: Word | Missing = nameTok
      ? { _type: 'word', text: this.text.slice(nameTok.start, nameTok.end), start: nameTok.start, end: nameTok.end }
      : { _type: 'missing', expected: 'cell name', start: kindTok.end, end: kindTok.end };
    if (name._type === 'missing') this.diags.push(diag('invalid-name', `\`::: ${kindText}\` needs a name`, kindTok.start, kindTok.end));
    else if (!NAME.test(name.text)) this.diags.push(diag('invalid-name', `cell name \`${name.text}\` may only hold letters, digits, \`-\` and \`_\``, name.start, name.end));
    const extraTok = tok(open, 'extra');
    const extra: Word | undefined = extraTok ? { _type: 'word', text: this.text.slice(extraTok.start, extraTok.end), start: extraTok.start, end: extraTok.end } : undefined;
    if (extra) this.diags.push(diag('stray-text', 'unexpected text after the cell name', extra.start, extra.end, 'warning'));

    // Body lines run to the closing fence, or (unterminated) to the next fence or the end.
    const body: Line[] = [];
    let close: FenceClose | Missing | undefined;
    while (this.i < this.lines.length) {
      const l = this.lines[this.i];
      if (l.kind === 'fence-close') {
        close = { _type: 'fence-close', start: l.start, end: l.end };
        this.i++;
        break;
      }
      if (l.kind === 'fence-open') break;
      body.push(l);
      this.i++;
    }
    const lastContent = [...body].reverse().find((l) => l.kind !== 'blank');
    if (!close) {
      const at = lastContent ? lastContent.end : open.end;
      close = { _type: 'missing', expected: '`:::`', start: at, end: at };
      this.diags.push(diag('unterminated-cell', `\`::: ${kindText}\` is not closed by a \`:::\` line`, open.start, open.end));
    }
    const end = close.end;

    if (isOutputKeyword(kindText)) {
      if (kindText !== OUTPUT_KEYWORD[this.version]) {
        this.diags.push(diag('unknown-cell-kind', `\`${kindText}\` blocks belong to version ${kindText === 'result' ? 1 : 2}; version ${this.version} writes \`${OUTPUT_KEYWORD[this.version]}\``, kindWord.start, kindWord.end, 'warning'));
      }
      return this.outputBlock(open, kindWord, name, body, close, end);
    }
    const kinds: Record<string, CellKind> = this.version === 1 ? V1_KINDS : Object.fromEntries(CELL_KINDS.map((k) => [k, k]));
    const kind = kinds[kindText];
    if (!kind) {
      const hint = this.version !== 1 && kindText === 'models' ? ' (`models` is version 1; write `pair`)' : '';
      this.diags.push(diag('unknown-cell-kind', `unknown cell kind \`${kindText}\`; expected one of ${Object.keys(kinds).join(', ')}${hint}`, kindWord.start, kindWord.end));
    }
    const cell: KnobeCell = {
      _type: 'knobe', start: open.start, end, kindWord, kind, name, extra,
      entries: [], items: [], comments: [], strays: [], close, span: { start: open.start, end },
    };
    this.cellBody(cell, body);
    return cell;
  }

  private cellBody(cell: KnobeCell, body: Line[]): void {
    const v1Pair = this.version === 1 && cell.kindWord._type === 'word' && cell.kindWord.text === 'models';
    // The value or item that indented lines continue; its lines are collected, then folded.
    let current: { node: Entry | Item; parts: Line[] } | undefined;
    const finish = () => {
      if (!current) return;
      const { node, parts } = current;
      if (node._type === 'entry') {
        const folded = this.fold(parts, node.valueSpan.start);
        node.value = folded.text;
        node.valueSpan = folded.span;
        node.end = Math.max(node.end, folded.span.end);
      } else {
        // An item's last indented line may be `question: …`, overriding the set's question.
        const content = parts.filter((l) => l.kind !== 'blank');
        const last = content[content.length - 1];
        let textLines = parts;
        if (last) {
          const t = this.text.slice(last.tokens[0].start, last.end);
          const m = /^question[ \t]*:[ \t]*(.*?)[ \t]*$/.exec(t);
          if (m) {
            const ks = last.tokens[0].start;
            const vs = m[1] ? this.text.indexOf(m[1], ks + 9) : last.end;
            node.question = {
              _type: 'entry', start: ks, end: last.end, name: 'question', value: m[1],
              key: { _type: 'word', text: 'question', start: ks, end: ks + 8 }, valueSpan: { start: vs, end: vs + m[1].length },
            };
            textLines = parts.slice(0, parts.indexOf(last));
          }
        }
        const folded = this.fold(textLines, node.end);
        node.text = folded.text;
        node.textSpan = folded.span;
        node.end = Math.max(node.end, last ? last.end : node.end);
      }
      current = undefined;
    };
    for (const l of body) {
      switch (l.kind) {
        case 'entry': {
          finish();
          const k = tok(l, 'key')!;
          const v = tok(l, 'value')!;
          const keyText = this.text.slice(k.start, k.end);
          const e: Entry = {
            _type: 'entry', start: l.start, end: l.end, name: v1Pair ? (V1_KEYS[keyText] ?? keyText) : keyText,
            key: { _type: 'word', text: keyText, start: k.start, end: k.end }, value: '', valueSpan: { start: v.start, end: v.end },
          };
          cell.entries.push(e);
          current = { node: e, parts: v.end > v.start ? [l] : [] };
          break;
        }
        case 'item': {
          finish();
          const n = tok(l, 'name');
          const lab = tok(l, 'label');
          const ex = tok(l, 'extra');
          const word = (t: Token): Word => ({ _type: 'word', text: this.text.slice(t.start, t.end), start: t.start, end: t.end });
          const item: Item = {
            _type: 'item', start: l.start, end: l.end,
            name: n ? word(n) : { _type: 'missing', expected: 'item name', start: l.start + 4, end: l.start + 4 },
            label: lab ? word(lab) : undefined, extra: ex ? word(ex) : undefined, text: '', textSpan: { start: l.end, end: l.end },
          };
          if (item.name._type === 'missing') this.diags.push(diag('invalid-name', '`item` needs a name', l.start, l.start + 4));
          else if (!NAME.test(item.name.text)) this.diags.push(diag('invalid-name', `item name \`${item.name.text}\` may only hold letters, digits, \`-\` and \`_\``, item.name.start, item.name.end));
          if (item.label && !LABELS.includes(item.label.text)) this.diags.push(diag('bad-value', `an item's condition is \`negative\` or \`positive\`, not \`${item.label.text}\``, item.label.start, item.label.end));
          if (item.extra) this.diags.push(diag('stray-text', 'unexpected text after the item\'s condition', item.extra.start, item.extra.end, 'warning'));
          cell.items.push(item);
          current = { node: item, parts: [] };
          break;
        }
        case 'continuation':
        case 'blank':
          if (current) current.parts.push(l);
          else if (l.kind === 'continuation') {
            const s: Stray = { _type: 'stray', start: l.start, end: l.end };
            cell.strays.push(s);
            this.diags.push(diag('stray-text', 'indented text continues no key or item', l.tokens[0].start, l.end));
          }
          break;
        case 'comment': {
          const c: Comment = { _type: 'comment', start: l.start, end: l.end };
          cell.comments.push(c);
          break;
        }
        default: {
          finish();
          cell.strays.push({ _type: 'stray', start: l.start, end: l.end });
          this.diags.push(diag('stray-text', 'expected `key: value`, `item NAME`, an indented line or `:::`', l.start, l.end));
        }
      }
    }
    finish();
  }

  /**
   * Folds value lines: non-blank lines joined by a space, a run of blank lines as one `\n`. A
   * value that is only `|` is a block: the indented lines below it keep their line breaks.
   */
  private fold(parts: Line[], at: number): { text: string; span: Span } {
    const first = parts[0];
    if (first?.kind === 'entry') {
      const v = tok(first, 'value')!;
      if (this.text.slice(v.start, v.end) === '|') return this.blockValue(parts.slice(1), v);
    }
    let text = '';
    let gap = false;
    let start = -1;
    let end = at;
    for (const l of parts) {
      if (l.kind === 'blank') {
        gap = text.length > 0;
        continue;
      }
      const t = l.kind === 'entry' ? tok(l, 'value')! : l.tokens[0];
      const s = this.text.slice(t.start, l.end).trim();
      if (start < 0) start = t.start;
      end = l.end;
      text += text.length ? (gap ? '\n' : ' ') + s : s;
      gap = false;
    }
    return { text, span: { start: start < 0 ? at : start, end } };
  }

  /** Lines of a block value, kept as written less their common indentation; blank lines inside are kept. */
  private blockValue(lines: Line[], bar: Span): { text: string; span: Span } {
    const content = lines.filter((l) => l.kind !== 'blank');
    if (content.length === 0) return { text: '', span: { start: bar.start, end: bar.end } };
    const last = lines.indexOf(content[content.length - 1]);
    const raw = lines.slice(0, last + 1).map((l) => (l.kind === 'blank' ? '' : this.text.slice(l.start, l.end).replace(/[ \t]+$/, '')));
    const indent = Math.min(...raw.filter((r) => r !== '').map((r) => r.length - r.replace(/^[ \t]+/, '').length));
    const text = raw.map((r) => r.slice(indent)).join('\n');
    return { text, span: { start: content[0].start + indent, end: content[content.length - 1].end } };
  }

  private outputBlock(open: Line, keyword: Word, name: Word | Missing, body: Line[], close: FenceClose | Missing, end: number): OutputBlock {
    const fields: OutputField[] = [];
    let cur: { key: Word; start: number; vStart: number; last: number } | undefined;
    const finish = () => {
      if (!cur) return;
      const raw = this.text.slice(cur.vStart, cur.last);
      fields.push({
        _type: 'output-field', start: cur.start, end: cur.last, key: cur.key, raw,
        valueSpan: { start: cur.vStart, end: cur.last }, decoded: decodeValue(raw),
      });
      cur = undefined;
    };
    const block: OutputBlock = { _type: 'output', start: open.start, end, keyword, name, fields, closed: close._type !== 'missing' };
    for (const l of body) {
      if (l.kind === 'entry') {
        finish();
        const k = tok(l, 'key')!;
        const v = tok(l, 'value')!;
        cur = { key: { _type: 'word', text: this.text.slice(k.start, k.end), start: k.start, end: k.end }, start: l.start, vStart: v.start, last: l.end };
      } else if (l.kind === 'continuation' && cur) {
        cur.last = l.end;
      } else if (l.kind !== 'blank') {
        block.error ??= { message: 'text before the first `key:` line', span: { start: l.start, end: l.end } };
      }
    }
    finish();
    if (!block.error) {
      const values = new Map<string, unknown>();
      for (const f of fields) {
        if (!f.decoded.ok) {
          block.error = { message: `\`${f.key.text}\` is not valid JSON: ${f.decoded.error}`, span: f.valueSpan };
          break;
        }
        if (values.has(f.key.text)) {
          block.error = { message: `\`${f.key.text}\` appears twice`, span: f.key };
          break;
        }
        values.set(f.key.text, f.decoded.value);
      }
      if (!block.error) {
        const r = assembleOutput(values);
        if ('output' in r) block.output = r.output;
        else {
          const f = fields.find((x) => x.key.text === r.field);
          block.error = { message: r.error, span: f ? f.valueSpan : { start: open.start, end: open.end } };
        }
      }
    }
    if (block.error) this.diags.push(diag('malformed-output', block.error.message, block.error.span.start, block.error.span.end));
    return block;
  }

  private onlyBlank(from: number, to: number): boolean {
    return this.text.slice(from, to).trim() === '';
  }
}

function tok(line: Line, type: TokenType): Token | undefined {
  return line.tokens.find((t) => t.type === type);
}

/**
 * Parses a `.knobe` text. Never throws. `version` forces the format version, for fragments
 * (a single cell's text) that carry no header; no `missing-header` is reported then.
 */
export function parse(text: string, version?: number): KnobeDocument {
  const p = new Parser(text, version);
  return p.parse(version);
}
