// Results stored in the file. An output block is a list of `key: JSON` lines; a top-level array
// is written one element per line and object keys are sorted, so re-running a cell changes only
// the lines whose numbers changed and a pull request shows exactly those.
import { reviveResult, type CellOutput, type KnobeResult, type ResultKind } from '../../common/results.js';
import type { OutputValue } from './nodes.js';

export const RESULT_KINDS: readonly ResultKind[] = ['ratings', 'localization', 'sweep', 'stats'];
/** Fields of an output block that are not part of the result. */
const ENVELOPE = ['kind', 'hash', 'checksum', 'seconds', 'provenance'] as const;
/** A string written without quotes: a plain word that is not itself a JSON value. */
const BARE = /^[A-Za-z0-9_.:+/-]+$/;

function isJson(s: string): boolean {
  try {
    JSON.parse(s);
    return true;
  } catch {
    return false;
  }
}

function isBare(s: string): boolean {
  return BARE.test(s) && !isJson(s);
}

/** JSON with object keys sorted at every depth, so the text does not depend on insertion order. */
export function stableJson(value: unknown): string {
  return JSON.stringify(sortKeys(value));
}

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    const o: Record<string, unknown> = {};
    for (const k of Object.keys(v as object).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) o[k] = sortKeys(x);
    }
    return o;
  }
  return v;
}

function field(key: string, value: unknown, eol: string): string {
  if (typeof value === 'string' && isBare(value)) return `${key}: ${value}`;
  if (Array.isArray(value) && value.length > 0) {
    return `${key}: [${eol}${value.map((v) => `  ${stableJson(v)}`).join(`,${eol}`)}${eol}]`;
  }
  return `${key}: ${stableJson(value)}`;
}

/**
 * The text of an output block for a cell (`::: output NAME` … `:::`), without a final line break.
 * Field order: kind, hash, checksum (if any), seconds, provenance, then the result's other fields
 * sorted by key. The checksum is written as the output carries it, never recomputed here: a block
 * edited by hand stays recognisably edited when its cell is saved again.
 */
export function renderOutputBlock(name: string, output: CellOutput, eol = '\n', keyword = 'output'): string {
  const lines = [`::: ${keyword} ${name}`];
  const r = output.result as unknown as Record<string, unknown>;
  lines.push(field('kind', r.kind, eol));
  lines.push(field('hash', output.hash, eol));
  if (output.checksum !== undefined) lines.push(field('checksum', output.checksum, eol));
  if (output.seconds !== undefined) lines.push(field('seconds', output.seconds, eol));
  lines.push(field('provenance', output.provenance, eol));
  for (const k of Object.keys(r).sort()) {
    if (k === 'kind' || r[k] === undefined) continue;
    lines.push(field(k, r[k], eol));
  }
  lines.push(':::');
  return lines.join(eol);
}

/** Decodes one field's raw value: JSON, or a bare word read as a string. */
export function decodeValue(raw: string): OutputValue {
  const t = raw.trim();
  try {
    return { ok: true, value: JSON.parse(t) };
  } catch (e) {
    if (BARE.test(t)) return { ok: true, value: t };
    return { ok: false, error: (e as Error).message };
  }
}

/**
 * Assembles a CellOutput from decoded fields, or says which field is wrong.
 * Only the envelope is checked here; the result's own fields are the executor's contract.
 */
export function assembleOutput(fields: Map<string, unknown>): { output: CellOutput } | { error: string; field?: string } {
  const kind = fields.get('kind');
  if (kind === undefined) return { error: 'output block has no `kind`' };
  if (typeof kind !== 'string' || !RESULT_KINDS.includes(kind as ResultKind)) {
    return { error: `\`kind\` must be one of ${RESULT_KINDS.join(', ')}`, field: 'kind' };
  }
  const hash = fields.get('hash');
  if (typeof hash !== 'string') return { error: 'output block needs `hash` as a string', field: hash === undefined ? undefined : 'hash' };
  const provenance = fields.get('provenance') as Record<string, unknown> | undefined;
  if (!provenance || typeof provenance !== 'object' || Array.isArray(provenance)) {
    return { error: 'output block needs `provenance` as an object', field: provenance === undefined ? undefined : 'provenance' };
  }
  if (typeof provenance.tool !== 'string' || typeof provenance.date !== 'string' || !Array.isArray(provenance.models)) {
    return { error: '`provenance` needs `tool`, `date` and `models`', field: 'provenance' };
  }
  const seconds = fields.get('seconds');
  if (seconds !== undefined && typeof seconds !== 'number') return { error: '`seconds` must be a number', field: 'seconds' };
  const checksum = fields.get('checksum');
  if (checksum !== undefined && typeof checksum !== 'string') return { error: '`checksum` must be a string', field: 'checksum' };
  const result: Record<string, unknown> = { kind };
  for (const [k, v] of fields) if (!(ENVELOPE as readonly string[]).includes(k)) result[k] = reviveResult(v);
  const output: CellOutput = { result: result as unknown as KnobeResult, provenance: provenance as never, hash };
  if (seconds !== undefined) output.seconds = seconds as number;
  if (checksum !== undefined) output.checksum = checksum;
  return { output };
}
