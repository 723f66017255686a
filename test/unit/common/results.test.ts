import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mimeFor, RESULT_MIME_TYPES } from '../../../src/common/results.js';

test('every result kind has its own vendor MIME type', () => {
  assert.equal(mimeFor('sweep'), 'application/vnd.knobe.sweep+json');
  assert.deepEqual(RESULT_MIME_TYPES, [
    'application/vnd.knobe.ratings+json',
    'application/vnd.knobe.localization+json',
    'application/vnd.knobe.sweep+json',
    'application/vnd.knobe.stats+json',
  ]);
});
