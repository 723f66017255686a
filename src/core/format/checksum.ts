// The checksum an output block carries of its own content, so a number changed by hand is told
// apart from a number Knobe Lab computed. It is taken over the block's values, not its text:
// re-indenting a block, re-wrapping an array or writing 6.910 for 6.91 changes nothing, while any
// changed number, word or field does. It guards against accidents, not forgery: anyone can
// compute it, so an edit followed by a recomputed checksum passes (and is still kept from other
// notebooks, because cache keys hold the content digests of the results a cell reads).
import { createHash } from 'node:crypto';
import type { CellOutput, Integrity, KnobeResult } from '../../common/results.js';
import { stableJson } from './output.js';

/** Versioned, so the definition can change without old checksums reading as edits. */
const SCHEME = 'knobe-output-checksum 1\n';

/**
 * The block's fields other than `checksum` itself — `kind` and the result's other fields, `hash`,
 * `seconds` when present, `provenance` — as one JSON object with keys sorted at every depth and
 * no spaces (NaN, stored as `null`, reads the same either way); sha256, the first 16 hex digits.
 */
export function outputChecksum(output: CellOutput): string {
  const { result, provenance, hash, seconds } = output;
  const fields: Record<string, unknown> = { ...(result as unknown as Record<string, unknown>), hash, provenance };
  if (seconds !== undefined) fields.seconds = seconds;
  return createHash('sha256').update(SCHEME).update(stableJson(fields)).digest('hex').slice(0, 16);
}

/** The output with the checksum of its content, as a run stores it. */
export function withChecksum(output: CellOutput): CellOutput {
  const { checksum: _, ...rest } = output;
  return { ...rest, checksum: outputChecksum(rest) };
}

/**
 * `verified`: the block is as a run wrote it. `edited`: its content no longer matches its
 * checksum — someone changed it. `unverified`: it has no checksum (written before blocks carried
 * one); it was computed, but whether it was changed since cannot be told.
 */
export function outputIntegrity(output: CellOutput): Integrity {
  if (output.checksum === undefined) return 'unverified';
  return output.checksum === outputChecksum(output) ? 'verified' : 'edited';
}

/**
 * The digest of a result's content alone (no date, no timing): what a cell that reads this result
 * depends on. Two runs that compute the same numbers give the same digest.
 */
export function resultDigest(result: KnobeResult): string {
  return createHash('sha256').update('knobe-result 1\n').update(stableJson(result)).digest('hex').slice(0, 16);
}
