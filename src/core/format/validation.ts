// Semantic checks on a parsed document: keys against the schema, values against their types,
// references between cells, templates. Returns every problem as data; nothing here throws.
import { outputIntegrity } from './checksum.js';
import { diag, type Diagnostic, type RawDiagnostic } from './diagnostics.js';
import { cellByName, knobeCells, wordText, type Entry, type KnobeCell, type KnobeDocument, type Span } from './nodes.js';
import { KEYS, keyDoc } from './schema.js';
import { parsePromptTemplate } from './prompt-template.js';
import { template } from './templates.js';
import { anchors, byType, scale } from './values.js';

/** Syntax and semantic diagnostics of a document, with lines and columns, in text order. */
export function validate(doc: KnobeDocument): Diagnostic[] {
  const raw = [...doc.syntax, ...semantic(doc)];
  return raw
    .map((d) => ({ ...d, ...doc.lines.position(d.start) }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
}

function semantic(doc: KnobeDocument): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const seen = new Map<string, KnobeCell>();
  for (const cell of knobeCells(doc)) {
    const name = wordText(cell.name);
    if (name !== undefined) {
      if (seen.has(name)) out.push(diag('duplicate-name', `another cell is already named \`${name}\``, cell.name.start, cell.name.end));
      else seen.set(name, cell);
    }
    out.push(...validateCell(doc, cell));
    out.push(...outputChecks(cell));
  }
  return out;
}

/** A stored result whose checksum does not match its content was changed by hand. */
function outputChecks(cell: KnobeCell): RawDiagnostic[] {
  const block = cell.output;
  if (!block?.output || outputIntegrity(block.output) !== 'edited') return [];
  const at = block.fields.find((f) => f.key.text === 'checksum') ?? block;
  return [
    diag('edited-output', `the result of \`${wordText(cell.name)}\` was edited by hand: its content no longer matches its checksum, so it is shown as edited and the next run recomputes it`, at.start, at.end, 'warning'),
  ];
}

/** Where a diagnostic about the cell as a whole goes: its fence line's kind and name. */
function fenceSpan(cell: KnobeCell): Span {
  return { start: cell.start, end: Math.max(cell.kindWord.end, cell.name.end) };
}

/** Diagnostics of one Knobe cell (keys, values, references, items); no syntax diagnostics. */
export function validateCell(doc: KnobeDocument, cell: KnobeCell): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const kind = cell.kind;
  if (!kind) return out;
  const seenKeys = new Set<string>();
  for (const e of cell.entries) {
    const k = keyDoc(kind, e.name);
    if (!k) {
      const known = KEYS[kind].map((x) => x.key).join(', ');
      out.push(diag('unknown-key', `\`${e.key.text}\` is not a key of a \`${kind}\` cell; known keys: ${known}`, e.key.start, e.key.end));
      continue;
    }
    if (seenKeys.has(e.name)) {
      out.push(diag('duplicate-key', `\`${e.key.text}\` is given twice`, e.key.start, e.key.end));
      continue;
    }
    seenKeys.add(e.name);
    const v = byType(k, e.value);
    if (!v.ok) {
      out.push(diag(v.code, `${e.key.text}: ${v.message}`, e.valueSpan.start, e.valueSpan.end));
      continue;
    }
    const old = k.obsolete?.[e.value.trim()];
    if (old) {
      out.push(diag('obsolete-value', `\`${e.key.text}: ${e.value.trim()}\` is no longer part of the format: ${old.why}. It runs as \`${e.key.text}: ${old.use}\`; write that instead`, e.valueSpan.start, e.valueSpan.end, 'warning'));
    }
    if (k.ref) {
      const names = k.type === 'ref-list' ? (v.value as string[]) : k.type === 'top' ? [(v.value as { cell: string }).cell] : [v.value as string];
      for (const n of names) {
        const target = cellByName(doc, n);
        if (!target) out.push(diag('unknown-reference', `no cell is named \`${n}\``, e.valueSpan.start, e.valueSpan.end));
        else if (target.kind !== k.ref) out.push(diag('unknown-reference', `\`${n}\` is a \`${target.kind ?? wordText(target.kindWord)}\` cell; \`${e.key.text}\` needs a \`${k.ref}\` cell`, e.valueSpan.start, e.valueSpan.end));
        else if (target === cell) out.push(diag('unknown-reference', `a cell cannot refer to itself`, e.valueSpan.start, e.valueSpan.end));
      }
    }
  }
  for (const k of KEYS[kind]) {
    if (seenKeys.has(k.key)) continue;
    if (k.required) out.push(diag('missing-key', `a \`${kind}\` cell needs \`${k.key}\``, fenceSpan(cell).start, fenceSpan(cell).end));
    else if (k.key === 'pair' && k.ref === 'pair') {
      const pairs = knobeCells(doc).filter((c) => c.kind === 'pair').length;
      if (pairs !== 1) out.push(diag('missing-key', `\`pair\` can be left out only when the file has exactly one pair cell (it has ${pairs})`, fenceSpan(cell).start, fenceSpan(cell).end));
    }
  }
  if (kind === 'stats') {
    // An equivalence test has no meaning without bounds chosen before the data are seen.
    const tests = cell.entries.find((e) => e.name === 'tests');
    if (tests && /(^|,)\s*tost\s*(,|$)/.test(tests.value) && !cell.entries.some((e) => e.name === 'equivalence')) {
      out.push(diag('missing-key', '`tost` needs `equivalence` bounds, e.g. `equivalence: 0.5` (±0.5 points) or `equivalence: d 0.3`', tests.valueSpan.start, tests.valueSpan.end));
    }
  }
  if (kind === 'scenarios') out.push(...scenarioChecks(doc.text, cell));
  else for (const item of cell.items) out.push(diag('stray-text', `only \`scenarios\` cells have items`, item.start, item.end));
  return out;
}

/** Most template problems reported per text: past a few, more of them tell the reader nothing. */
const MAX_TEMPLATE_PROBLEMS = 10;

/** Where template problems go: exactly on the braces when the text was written on one line. */
function templateSpans(valueSpan: Span, folded: string, source: string): (start: number, end: number) => Span {
  const exact = source.slice(valueSpan.start, valueSpan.end) === folded;
  return (start, end) => (exact ? { start: valueSpan.start + start, end: valueSpan.start + end } : valueSpan);
}

function scenarioChecks(src: string, cell: KnobeCell): RawDiagnostic[] {
  const out: RawDiagnostic[] = [];
  const get = (k: string): Entry | undefined => cell.entries.find((e) => e.name === k);
  const scaleEntry = get('scale');
  const answers = scaleEntry ? scale(scaleEntry.value) : scale('0..10');
  const anchorEntry = get('anchors');
  if (anchorEntry && answers.ok) {
    const a = anchors(anchorEntry.value, answers.value);
    if (!a.ok) out.push(diag(a.code, `anchors: ${a.message}`, anchorEntry.valueSpan.start, anchorEntry.valueSpan.end));
  }
  const templateChecks = (e: Entry) => {
    const t = template(e.value);
    const at = templateSpans(e.valueSpan, e.value, src);
    for (const p of t.problems.slice(0, MAX_TEMPLATE_PROBLEMS)) {
      const s = at(p.start, p.end);
      out.push(diag('template-mismatch', p.message, s.start, s.end));
    }
    return t;
  };
  const question = get('question');
  if (question) templateChecks(question);
  const prompt = get('template');
  if (prompt && prompt.value.trim() !== '') out.push(...promptTemplateChecks(src, prompt));
  if (cell.items.length === 0) out.push(diag('missing-key', 'a `scenarios` cell needs at least one `item`', fenceSpan(cell).start, fenceSpan(cell).end));
  const names = new Set<string>();
  let negative = 0;
  let positive = 0;
  for (const item of cell.items) {
    const name = wordText(item.name);
    if (name !== undefined) {
      if (names.has(name)) out.push(diag('duplicate-name', `another item is already named \`${name}\``, item.name.start, item.name.end));
      names.add(name);
    }
    if (item.question) templateChecks(item.question);
    if (item.text === '') {
      out.push(diag('missing-key', `item \`${name ?? ''}\` has no text (indent it by two spaces below the item line)`, item.start, item.end));
      continue;
    }
    const t = template(item.text);
    const at = templateSpans(item.textSpan, item.text, src);
    for (const p of t.problems.slice(0, MAX_TEMPLATE_PROBLEMS)) {
      const s = at(p.start, p.end);
      out.push(diag('template-mismatch', p.message, s.start, s.end));
    }
    const label = item.label?.text;
    if (label === 'negative' || label === 'positive') {
      if (t.alternatives > 0) out.push(diag('template-mismatch', `item \`${name}\` is labelled \`${label}\` but its text has \`{negative|positive}\` alternatives`, item.label!.start, item.label!.end));
      if (label === 'negative') negative++;
      else positive++;
    } else if (!item.label) {
      if (t.alternatives === 0 && t.problems.length === 0) {
        out.push(diag('template-mismatch', `item \`${name}\` has neither \`{negative|positive}\` alternatives nor a condition label`, item.start, item.end, 'warning'));
      } else {
        negative++;
        positive++;
      }
    }
  }
  if (negative !== positive && cell.items.length > 0) {
    out.push(diag('template-mismatch', `the set has ${negative} negative and ${positive} positive vignettes`, fenceSpan(cell).start, fenceSpan(cell).end, 'info'));
  }
  return out;
}

/**
 * Slot problems of a `template:` value. Folding changes only white space (and drops comment
 * lines), so each problem's text is found at its own occurrence in the source; a missing slot is
 * reported on the whole value.
 */
function promptTemplateChecks(src: string, e: Entry): RawDiagnostic[] {
  const source = src.slice(e.valueSpan.start, e.valueSpan.end);
  return parsePromptTemplate(e.value).problems.slice(0, MAX_TEMPLATE_PROBLEMS).map((p) => {
    if (p.code === 'missing-slot') return diag(p.code, p.message, e.valueSpan.start, e.valueSpan.end);
    const piece = e.value.slice(p.start, p.end);
    let nth = 0;
    for (let i = e.value.indexOf(piece); i >= 0 && i < p.start; i = e.value.indexOf(piece, i + 1)) nth++;
    let at = -1;
    for (let k = 0; k <= nth; k++) at = source.indexOf(piece, at + 1);
    return at < 0 ? diag(p.code, p.message, e.valueSpan.start, e.valueSpan.end) : diag(p.code, p.message, e.valueSpan.start + at, e.valueSpan.start + at + piece.length);
  });
}
