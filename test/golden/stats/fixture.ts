// Loads a committed reference fixture and compares numbers to it at a relative tolerance.
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./${name}.json`, import.meta.url), 'utf8')) as T;
}

/** |actual − expected| ≤ rel·|expected| (with a floor far below any value compared here). */
export function close(actual: number, expected: number, what: string, rel = 1e-6): void {
  const tol = Math.max(rel * Math.abs(expected), 1e-300);
  assert.ok(Math.abs(actual - expected) <= tol, `${what}: got ${actual}, expected ${expected} (relative error ${Math.abs(actual - expected) / Math.abs(expected)})`);
}

export function closeAll(actual: readonly number[], expected: readonly number[], what: string, rel = 1e-6): void {
  assert.equal(actual.length, expected.length, `${what}: length`);
  actual.forEach((a, i) => close(a, expected[i], `${what}[${i}]`, rel));
}
