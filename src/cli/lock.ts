// A lock file beside a notebook, `<file>.lock`, held only while a run merges its results into the
// file and renames the new text into place (milliseconds), so two runs never write one notebook
// at once. Hand-written because the lock libraries (proper-lockfile and its kin) judge a lock stale
// by age alone, so a run killed while holding one would block the next for the whole stale
// period; here a lock names its process, and a lock whose process is gone is stale at once.
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import { setTimeout as sleep } from 'node:timers/promises';

/** What a lock file holds. */
interface Holder {
  pid: number;
  host: string;
  since: string;
}

/** A lock older than this is stale whoever holds it: its holder hung, or runs on another machine. */
const STALE_MS = 30_000;
/** How long to wait for a lock held by a live run before giving up. */
const WAIT_MS = STALE_MS + 5_000;
const POLL_MS = 20;

export class LockError extends Error {
  override readonly name = 'LockError';
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    // EPERM: the process exists but belongs to someone else.
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function readHolder(lock: string): { holder?: Holder; raw: string; ageMs: number } | undefined {
  try {
    const raw = readFileSync(lock, 'utf8');
    const ageMs = Date.now() - statSync(lock).mtimeMs;
    try {
      const h = JSON.parse(raw) as Holder;
      return { holder: typeof h.pid === 'number' && typeof h.host === 'string' ? h : undefined, raw, ageMs };
    } catch {
      return { raw, ageMs };
    }
  } catch {
    return undefined; // gone meanwhile
  }
}

/** A lock nobody holds any more: its process died on this machine, or it is too old to be live. */
function stale(h: NonNullable<ReturnType<typeof readHolder>>): boolean {
  if (h.ageMs > STALE_MS) return true;
  // A lock file is written in one call right after it is created; one without a readable holder
  // a moment later belongs to a run killed in between.
  if (!h.holder) return h.ageMs > 2_000;
  return h.holder.host === hostname() && !alive(h.holder.pid);
}

/**
 * Runs `fn` while holding `<path>.lock`. A stale lock is removed (and `onStale` told whose it
 * was, to clean up after it); a live one is waited for.
 */
export async function withLock<T>(path: string, fn: () => Promise<T> | T, onStale?: (pid: number) => void): Promise<T> {
  const lock = `${path}.lock`;
  const deadline = Date.now() + WAIT_MS;
  for (;;) {
    let fd: number | undefined;
    try {
      fd = openSync(lock, 'wx');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    }
    if (fd !== undefined) {
      try {
        writeSync(fd, JSON.stringify({ pid: process.pid, host: hostname(), since: new Date().toISOString() } satisfies Holder));
      } finally {
        closeSync(fd);
      }
      try {
        return await fn();
      } finally {
        unlinkSync(lock);
      }
    }
    const h = readHolder(lock);
    if (!h) continue;
    if (stale(h)) {
      // Remove it only if it is still the lock judged stale, not one taken meanwhile.
      if (readHolder(lock)?.raw === h.raw) {
        try {
          unlinkSync(lock);
        } catch {
          // another run removed it first
        }
        if (h.holder) onStale?.(h.holder.pid);
      }
      continue;
    }
    if (Date.now() > deadline) {
      const who = h.holder ? `process ${h.holder.pid} on ${h.holder.host} since ${h.holder.since}` : 'an unknown process';
      throw new LockError(`${lock} is held by ${who}; if no knobe run is writing this notebook, delete the lock file`);
    }
    await sleep(POLL_MS);
  }
}
