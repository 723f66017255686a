// Results on disk by hash, so an unchanged cell re-runs instantly even when the notebook was
// closed without saving. Written atomically: a half-written entry never looks like a result; and
// an entry is served only while its checksum matches its content, as for a notebook's own blocks.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { reviveResult, type CellOutput } from '../../common/results.js';
import { outputIntegrity } from '../format/checksum.js';

export class ResultCache {
  private readonly dir: string;
  constructor(cacheDir: string) {
    this.dir = join(cacheDir, 'results');
  }

  get(hash: string): CellOutput | undefined {
    if (!/^[0-9a-f]+$/.test(hash)) return undefined;
    try {
      const out = reviveResult(JSON.parse(readFileSync(join(this.dir, `${hash}.json`), 'utf8')) as CellOutput);
      return out.hash === hash && outputIntegrity(out) === 'verified' ? out : undefined;
    } catch {
      return undefined;
    }
  }

  put(output: CellOutput): void {
    mkdirSync(this.dir, { recursive: true });
    const file = join(this.dir, `${output.hash}.json`);
    const tmp = `${file}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify(output));
    renameSync(tmp, file);
  }
}
