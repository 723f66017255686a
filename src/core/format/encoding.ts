// A `.knobe` file is UTF-8. Bytes that are not are refused, never decoded with replacement
// characters: saving such a text would silently change every byte that did not decode. The
// editor's serializer and the CLI both read files through here, so they refuse the same files with
// the same words.

export class EncodingError extends Error {
  override readonly name = 'EncodingError';
  constructor(
    /** Byte offset at which the text stops being UTF-8. */
    readonly offset: number,
    /** 1-based line of that byte. */
    readonly line: number,
  ) {
    super(`This .knobe file is not valid UTF-8 (first bad byte near offset ${offset}, line ${line}); open it with a text editor to repair it.`);
  }
}

/** The text of a `.knobe` file's bytes; a byte-order mark is kept, so the file saves as it was. */
export function decodeKnobeText(bytes: Uint8Array): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    const offset = firstBadByte(bytes);
    let line = 1;
    for (let i = 0; i < offset; i++) if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) line++;
    throw new EncodingError(offset, line);
  }
}

/**
 * The length of the longest prefix that holds no invalid sequence. A prefix is decoded as a
 * stream, so one that ends inside a valid character counts as valid: that keeps "valid" true of
 * every shorter prefix of a valid one, which the binary search needs. A file cut off inside its
 * last character has all its bytes in the prefix; its problem is at its end.
 */
function validPrefix(bytes: Uint8Array): number {
  const valid = (n: number) => {
    try {
      new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes.subarray(0, n), { stream: true });
      return true;
    } catch {
      return false;
    }
  };
  let lo = 0;
  let hi = bytes.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (valid(mid)) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * Where the first bad sequence starts. The longest valid prefix ends either just before a byte
 * that can start nothing (a stray continuation byte, 0xFF), or inside a character whose lead byte
 * is not followed by enough continuation bytes: then the culprit is that lead byte.
 */
function firstBadByte(bytes: Uint8Array): number {
  const end = validPrefix(bytes);
  let pos = end;
  while (pos > 0 && end - pos < 3 && (bytes[pos - 1] & 0xc0) === 0x80) pos--;
  const lead = pos > 0 ? bytes[pos - 1] : 0;
  if (lead >= 0xc0) {
    const length = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (end - (pos - 1) < length) return pos - 1;
  }
  return end;
}
