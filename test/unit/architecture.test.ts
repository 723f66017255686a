// The layering of DESIGN §3, checked on the sources: the compiler already refuses the VS Code API
// and the DOM in core/common; this pins the remaining rules that are about imports.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out;
}
const importsOf = (file: string) =>
  [...readFileSync(file, 'utf8').matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*)['"]([^'"]+)['"]/g)].map((m) => m[1]);

test('core and common never import vscode', () => {
  for (const f of [...sources('src/core'), ...sources('src/common')]) {
    assert.ok(!importsOf(f).includes('vscode'), `${f} imports vscode`);
  }
});

test('common imports nothing from core, extension, renderer or cli', () => {
  for (const f of sources('src/common')) {
    for (const spec of importsOf(f)) {
      assert.ok(!/\/(core|extension|renderer|cli)\//.test(spec), `${f} imports ${spec}`);
    }
  }
});

test('exactly one module owns onnxruntime-node', () => {
  const owners = [...sources('src')].filter((f) => importsOf(f).some((s) => s.startsWith('onnxruntime')));
  assert.ok(owners.length <= 1, `onnxruntime is imported by ${owners.join(', ')}`);
});
