// Reading a `.knobe` file's bytes: UTF-8 (with or without a byte-order mark) reads as is; anything
// else is refused with the offset and line of its first bad byte, never patched with U+FFFD.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decodeKnobeText, EncodingError } from '../../../src/core/format/encoding.js';

const bytes = (...parts: (string | number[])[]) => Buffer.concat(parts.map((p) => (typeof p === 'string' ? Buffer.from(p, 'utf8') : Buffer.from(p))));

test('valid UTF-8 reads as it is, byte-order mark included', () => {
  for (const text of ['', '%knobe 2\n', '\uFEFF%knobe 2\r\nCafé 😀\r', 'a'.repeat(70000) + 'é']) {
    assert.equal(decodeKnobeText(Buffer.from(text, 'utf8')), text);
  }
});

test('the first bad byte, wherever it is', () => {
  const cases: [string, Buffer, number, number][] = [
    ['Latin-1 é in prose', bytes('%knobe 2\n\nCaf', [0xe9], '\n'), 13, 3],
    ['Latin-1 é at the very start', bytes([0xe9], 'x'), 0, 1],
    ['a stray continuation byte', bytes('ab', [0x80], 'c'), 2, 1],
    ['0xFF after valid multi-byte characters', bytes('é😀\n\nx', [0xff]), 9, 3],
    ['a lead byte whose continuation is missing', bytes('é\r\n', [0xe2, 0x82], 'x'), 4, 2],
    ['a character cut off at the end', bytes('ok\r', [0xf0, 0x9f, 0x98]), 3, 2],
    ['an overlong encoding', bytes('a', [0xc0, 0xaf]), 1, 1],
    ['far into a long file after many multi-byte characters', bytes('é'.repeat(5000), [0xff]), 10000, 1],
  ];
  for (const [what, input, offset, line] of cases) {
    assert.throws(() => decodeKnobeText(input), (e: unknown) => {
      assert.ok(e instanceof EncodingError, what);
      assert.deepEqual([e.offset, e.line], [offset, line], what);
      assert.match(e.message, new RegExp(`not valid UTF-8 \\(first bad byte near offset ${offset}, line ${line}\\)`), what);
      return true;
    });
  }
});
