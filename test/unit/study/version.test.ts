import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { TOOL_VERSION } from '../../../src/core/study/version.js';

test('the version recorded in results is the package version', () => {
  assert.equal(TOOL_VERSION, JSON.parse(readFileSync('package.json', 'utf8')).version);
});
