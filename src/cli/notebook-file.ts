// The notebook on disk. Reading refuses bytes that are not UTF-8 (as the editor does). Writing
// never puts back a stale copy and never leaves a half-written file: under the notebook's lock,
// the text is re-read, the update is applied to it as it is now, the result goes to a temporary
// file beside it (same mode, flushed to disk) and is renamed over it — but only if the file is
// still what was read; if someone changed it meanwhile, the update is applied again to that.
import { closeSync, fsyncSync, mkdirSync, openSync, readFileSync, realpathSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { decodeKnobeText } from '../core/format/encoding.js';
import { withLock } from './lock.js';

/** Reads a notebook's text; throws EncodingError for a file that is not UTF-8. */
export function readNotebookText(file: string): string {
  return decodeKnobeText(readFileSync(file));
}

export interface UpdateOptions {
  /**
   * Waits this long after writing the temporary file and before renaming it into place, saying so
   * on stderr. A test hook: crash and concurrent-edit tests widen the write window with it to
   * land in it. Never set in normal use.
   */
  pauseBeforeRenameMs?: number;
}

/** The temporary file a process writes a notebook's new text to. */
function tempFor(file: string, pid: number): string {
  return join(dirname(file), `.${basename(file)}.${pid}.tmp`);
}

function removeQuietly(path: string): void {
  try {
    unlinkSync(path);
  } catch {
    // not there
  }
}

/** Writes `text` to a new file beside `file` with `file`'s mode, flushed to disk. */
function writeTemp(file: string, text: string): string {
  const tmp = tempFor(file, process.pid);
  removeQuietly(tmp);
  const mode = statSync(file, { throwIfNoEntry: false })?.mode ?? 0o666;
  const fd = openSync(tmp, 'wx', mode & 0o7777);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
}

/** Makes a rename durable: the directory entry is flushed too (where the platform allows it). */
function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot open a directory; the rename is still atomic.
  }
}

/** Tries before giving up on a file that changes between every read and write. */
const MAX_ATTEMPTS = 10;

const sameBytes = (a: Buffer | undefined, b: Buffer | undefined) => (a === undefined ? b === undefined : b !== undefined && a.equals(b));

/**
 * Applies `update` to the notebook's text as it is when the lock is held and writes the result
 * atomically. `update` returns the new text (the same text: nothing to write). A missing file
 * reads as `''`. Returns whether the file was written. Throws EncodingError, untouched, when the
 * file is not UTF-8.
 */
export async function updateNotebook(path: string, update: (current: string) => string, opts: UpdateOptions = {}): Promise<boolean> {
  // A symlink stays a symlink: the file it points at is the one replaced.
  let file = path;
  try {
    file = realpathSync(path);
  } catch {
    // a new file, perhaps in a new folder
    mkdirSync(dirname(path), { recursive: true });
  }
  const read = () => readFileSync(file, { flag: 'r' });
  const tryRead = (): Buffer | undefined => {
    try {
      return read();
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw e;
    }
  };
  return withLock(
    file,
    async () => {
      for (let attempt = 0; ; attempt++) {
        const before = tryRead();
        const current = before === undefined ? '' : decodeKnobeText(before);
        const next = update(current);
        if (before !== undefined && next === current) return false;
        const tmp = writeTemp(file, next);
        try {
          if (opts.pauseBeforeRenameMs) {
            process.stderr.write(`knobe: about to replace ${file}\n`);
            await sleep(opts.pauseBeforeRenameMs);
          }
          // Someone edited the file since it was read: apply the update again to their text.
          if (!sameBytes(before, tryRead())) {
            removeQuietly(tmp);
            if (attempt >= MAX_ATTEMPTS) throw new Error(`${file} kept changing while the results were being written; nothing was written`);
            continue;
          }
          renameSync(tmp, file);
        } catch (e) {
          removeQuietly(tmp);
          throw e;
        }
        syncDir(dirname(file));
        return true;
      }
    },
    // A run killed while writing leaves its temporary file behind; the next writer clears it.
    (pid) => removeQuietly(tempFor(file, pid)),
  );
}
