// Content hashes for provenance: a checkpoint is identified by what its files contain, not by
// where it lives. Files are streamed (a checkpoint can be many gigabytes) and each file's digest
// is remembered by path, size and mtime so that reopening a checkpoint does not hash it again.
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import { resolve } from 'node:path';

const cache = new Map<string, { size: number; mtimeMs: number; sha256: string }>();

/** Hex sha256 of a file's bytes. */
export async function sha256File(file: string): Promise<string> {
  const path = resolve(file);
  const st = statSync(path);
  const hit = cache.get(path);
  if (hit && hit.size === st.size && hit.mtimeMs === st.mtimeMs) return hit.sha256;
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  const sha256 = hash.digest('hex');
  cache.set(path, { size: st.size, mtimeMs: st.mtimeMs, sha256 });
  return sha256;
}

/**
 * Records a digest computed elsewhere (e.g. while downloading) so the next sha256File call on the
 * unchanged file is free.
 */
export function rememberSha256(file: string, sha256: string): void {
  const path = resolve(file);
  const st = statSync(path);
  cache.set(path, { size: st.size, mtimeMs: st.mtimeMs, sha256 });
}

/**
 * One digest over named parts: sha256 of the sorted "name\0digest\n" lines. Names are relative
 * file names, so the same files in another folder hash the same.
 */
export function combineDigests(parts: Record<string, string>): string {
  const hash = createHash('sha256');
  for (const name of Object.keys(parts).sort()) hash.update(`${name}\0${parts[name]}\n`);
  return hash.digest('hex');
}

/** Hex sha256 of a string or bytes. */
export function sha256Of(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
