// docs/format.md documents every key for people; the schema table drives the code. They must say
// the same: same keys per kind, same defaults, same required keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { KEYS } from '../../../src/core/format/schema.js';
import { CELL_KINDS } from '../../../src/core/format/nodes.js';
import { CODES } from '../../../src/core/format/diagnostics.js';

const doc = readFileSync('docs/format.md', 'utf8');
const ticks = (cell: string) => [...cell.matchAll(/`([^`]+)`/g)].map((m) => m[1]);

function table(kind: string): { keys: string[]; defaults: string }[] {
  const start = doc.indexOf(`### \`${kind}\``);
  assert.ok(start >= 0, `docs/format.md has no section for ${kind}`);
  const next = doc.slice(start + 1).search(/\n##+ /);
  const rows = doc.slice(start, next < 0 ? undefined : start + 1 + next).split('\n').filter((l) => l.startsWith('| `'));
  return rows.map((l) => {
    const cells = l.split(' | ');
    return { keys: ticks(cells[0]), defaults: cells[cells.length - 1].replace(/\|\s*$/, '').trim() };
  });
}

test('every cell kind documents exactly the keys the schema has', () => {
  for (const kind of CELL_KINDS) {
    const documented = table(kind).flatMap((r) => r.keys);
    assert.deepEqual(documented, KEYS[kind].map((k) => k.key), kind);
  }
});

test('documented defaults and required keys match the schema', () => {
  for (const kind of CELL_KINDS) {
    for (const row of table(kind)) {
      const values = ticks(row.defaults);
      row.keys.forEach((key, i) => {
        const k = KEYS[kind].find((x) => x.key === key)!;
        const where = `${kind}.${key}`;
        if (k.required) assert.equal(row.defaults, 'required', where);
        else if (k.default !== undefined) assert.equal(values[row.keys.length > 1 ? i : 0], k.default, where);
        else assert.ok(!/^`/.test(row.defaults), `${where}: documented default ${row.defaults}, schema has none`);
      });
    }
  }
});

test('the diagnostics table lists exactly the codes', () => {
  const start = doc.indexOf('## Diagnostics');
  const section = doc.slice(start, doc.indexOf('\n## ', start + 1));
  const documented = section.split('\n').filter((l) => l.startsWith('| `')).map((l) => ticks(l.split(' | ')[0])[0]);
  assert.deepEqual(documented, [...CODES]);
});
