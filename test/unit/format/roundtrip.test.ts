// Every example and fixture prints back byte for byte, through the document model and through
// notebook cells.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse } from '../../../src/core/format/parser.js';
import { print } from '../../../src/core/format/printer.js';
import { validate } from '../../../src/core/format/validation.js';
import { fromNotebook, toNotebook } from '../../../src/core/format/notebook.js';
import { corpus } from './corpus.js';

test('the corpus holds the examples and the fixtures', () => {
  const files = corpus().map((c) => c.file);
  assert.ok(files.includes('test/fixtures/format/v1-chairman.knobe'));
  assert.ok(files.some((f) => f.startsWith('examples/')), 'no examples found');
});

for (const { file, text } of corpus()) {
  test(`round trip: ${file}`, () => {
    const doc = parse(text);
    assert.equal(print(doc), text);
    assert.equal(fromNotebook(toNotebook(text)), text);
    assert.equal(print(parse(print(doc))), text);
  });
}

test('the shipped examples have no errors', () => {
  for (const { file, text } of corpus().filter((c) => c.file.startsWith('examples/'))) {
    const errors = validate(parse(text)).filter((d) => d.severity === 'error');
    assert.deepEqual(errors.map((d) => `${file}:${d.line}:${d.column} ${d.code} ${d.message}`), []);
  }
});
