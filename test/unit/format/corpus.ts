// The texts every format test runs over: the shipped examples and this folder's fixtures.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

/** Every `.knobe` file of examples/ and test/fixtures/format/, sorted by path. */
export function corpus(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  for (const dir of ['examples', 'test/fixtures/format']) {
    let names: string[] = [];
    try {
      names = readdirSync(dir).filter((f) => f.endsWith('.knobe')).sort();
    } catch {
      continue;
    }
    for (const f of names) out.push({ file: join(dir, f), text: readFileSync(join(dir, f), 'utf8') });
  }
  return out;
}

