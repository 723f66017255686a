import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, truncateSync, writeFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  floatToBfloat16Bits,
  floatToHalfBits,
  readSafetensors,
  readSafetensorsHeader,
  writeSafetensors,
} from '../../../src/core/models/safetensors.js';
import { CheckpointError, type CheckpointErrorCode } from '../../../src/core/models/errors.js';
import { expectError } from '../../support/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'knobe-st-'));
let counter = 0;
const fresh = (): string => join(dir, `t${counter++}.safetensors`);

/** A file laid out by hand: length, header text, then `data` bytes. */
function rawFile(header: unknown, data: Uint8Array = new Uint8Array(0), headerLen?: bigint): string {
  const text = typeof header === 'string' ? header : JSON.stringify(header);
  const h = Buffer.from(text, 'utf8');
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(headerLen ?? BigInt(h.length));
  const file = fresh();
  writeFileSync(file, Buffer.concat([len, h, data]));
  return file;
}

// Expected bits from torch 1.13: torch.tensor(v).half() / .bfloat16(), viewed as int16.
const ROUNDING: Array<[number, number, number]> = [
  // value, fp16 bits, bf16 bits
  [0.0, 0, 0],
  [-0.0, 32768, 32768],
  [1.0, 15360, 16256],
  [-2.5, 49408, 49184],
  [0.1, 11878, 15821],
  [1 / 3, 13653, 16043],
  [65504.0, 31743, 18304],
  [65520.0, 31744, 18304],
  [70000.0, 31744, 18313],
  [1e-5, 168, 14120],
  [6e-8, 1, 13185],
  [2.9e-8, 0, 13049],
  [3e-8, 1, 13057],
  [1.00146484375, 15362, 16256],
  [1.00048828125, 15360, 16256],
  [3.14159265, 16968, 16457],
  [-1e-7, 32770, 46039],
  [Infinity, 31744, 32640],
  [1e-40, 0, 1],
  [1.00390625, 15364, 16256],
  [1.005859375, 15366, 16257],
  [3.0e38, 31744, 32610],
];

test('fp32 → fp16 and bf16 round to nearest even exactly as torch does', () => {
  for (const [v, half, bf] of ROUNDING) {
    assert.equal(floatToHalfBits(v), half, `fp16 of ${v}`);
    assert.equal(floatToBfloat16Bits(v), bf, `bf16 of ${v}`);
  }
  assert.equal(floatToHalfBits(NaN) & 0x7e00, 0x7e00);
  assert.equal(floatToBfloat16Bits(NaN), 0x7fc0);
});

test('round trip keeps F32 exactly and F16/BF16 at their precision', () => {
  const file = fresh();
  const values = Float32Array.from(ROUNDING.map(([v]) => v));
  writeSafetensors(file, {
    a32: { shape: [2, 11], data: values },
    a16: { shape: [22], data: values, dtype: 'F16' },
    ab16: { shape: [11, 2], data: values, dtype: 'BF16' },
    empty: { shape: [0, 3], data: new Float32Array(0) },
  }, { format: 'pt' });
  const st = readSafetensors(file);
  assert.deepEqual(st.names(), ['a32', 'a16', 'ab16', 'empty']);
  assert.deepEqual(st.metadata, { format: 'pt' });
  assert.deepEqual(st.get('a32'), { shape: [2, 11], data: values });
  assert.deepEqual(st.get('empty').shape, [0, 3]);
  const h = st.get('a16').data;
  const b = st.get('ab16').data;
  const expect16 = [0, -0, 1, -2.5, 0.0999755859375, 0.333251953125, 65504, Infinity, Infinity, 1.0013580322265625e-5,
    5.960464477539063e-8, 0, 5.960464477539063e-8, 1.001953125, 1, 3.140625, -1.1920928955078125e-7, Infinity, 0, 1.00390625, 1.005859375, Infinity];
  assert.deepEqual([...h], expect16);
  assert.equal(b[2], 1);
  assert.equal(b[4], 0.10009765625);
  assert.equal(b[8], 70144);
  assert.equal(b[20], 1.0078125);
  assert.equal(b[17], Infinity);
});

test('tensors larger than the conversion buffer convert in pieces without seams', () => {
  const file = fresh();
  const n = 700_001; // over 1 MiB in 16-bit types, and odd
  const data = new Float32Array(n);
  for (let i = 0; i < n; i++) data[i] = ((i * 7919) % 2003) / 64 - 15;
  writeSafetensors(file, { h: { shape: [n], data, dtype: 'F16' }, b: { shape: [n], data, dtype: 'BF16' }, f: { shape: [n], data } });
  const st = readSafetensors(file);
  // These values are exact in fp16 (multiples of 1/64 below 32) but bf16 keeps 8 bits.
  assert.deepEqual(st.get('h').data, data);
  assert.deepEqual(st.get('f').data, data);
  const b = st.get('b').data;
  for (let i = 0; i < n; i++) {
    const want = Math.fround(data[i]);
    if (Math.abs(b[i] - want) > Math.abs(want) * 2 ** -8) assert.fail(`bf16 value ${i}: ${b[i]} vs ${want}`);
  }
});

test('rows of a tensor read alone equal the same rows of the whole tensor, in every dtype', () => {
  const file = fresh();
  const data = Float32Array.from({ length: 7 * 5 }, (_, i) => Math.sin(i) * 3);
  writeSafetensors(file, {
    f32: { shape: [7, 5], data },
    f16: { shape: [7, 5], data, dtype: 'F16' },
    bf16: { shape: [7, 5], data, dtype: 'BF16' },
  });
  const st = readSafetensors(file);
  for (const name of ['f32', 'f16', 'bf16']) {
    const whole = st.get(name).data;
    for (const [start, count] of [[0, 7], [2, 3], [6, 1], [4, 0]]) {
      assert.deepEqual(st.rows(name, start, count), whole.slice(start * 5, (start + count) * 5), `${name} rows ${start}+${count}`);
    }
    assert.throws(() => st.rows(name, 5, 3), /rows \[5, 8\) are outside its 7 rows/);
  }
});

test('a file laid out by hand per the specification is read', () => {
  // Little-endian fp32 1.5 and -2, then bf16 0.5, then fp16 -3.
  const data = Buffer.alloc(12);
  data.writeFloatLE(1.5, 0);
  data.writeFloatLE(-2, 4);
  data.writeUInt16LE(0x3f00, 8);
  data.writeUInt16LE(0xc200, 10);
  const file = rawFile({
    w: { dtype: 'F32', shape: [2], data_offsets: [0, 8] },
    b: { dtype: 'BF16', shape: [1, 1], data_offsets: [8, 10] },
    h: { dtype: 'F16', shape: [], data_offsets: [10, 12] },
  }, data);
  const st = readSafetensors(file);
  assert.deepEqual([...st.get('w').data], [1.5, -2]);
  assert.deepEqual([...st.get('b').data], [0.5]);
  assert.deepEqual(st.get('h'), { shape: [], data: Float32Array.of(-3) });
});

test('the writer pads the header so tensor data is 8-byte aligned and leaves no temporary file', () => {
  const sub = mkdtempSync(join(dir, 'w-'));
  const file = join(sub, 'm.safetensors');
  writeSafetensors(file, { x: { shape: [3], data: Float32Array.of(1, 2, 3) } });
  const bytes = readFileSync(file);
  const n = Number(bytes.readBigUInt64LE(0));
  assert.equal((8 + n) % 8, 0);
  assert.deepEqual(JSON.parse(bytes.subarray(8, 8 + n).toString()), { x: { dtype: 'F32', shape: [3], data_offsets: [0, 12] } });
  assert.deepEqual(readdirSync(sub), ['m.safetensors']);
});

test('header info is available without reading data', () => {
  const file = fresh();
  writeSafetensors(file, { q: { shape: [4, 2], data: new Float32Array(8), dtype: 'BF16' } });
  const info = readSafetensorsHeader(file).tensors.get('q');
  assert.deepEqual(info && { dtype: info.dtype, shape: info.shape, len: info.end - info.start }, { dtype: 'BF16', shape: [4, 2], len: 16 });
});

test('bad files are errors naming the file and, when there is one, the tensor', () => {
  const ok = { dtype: 'F32', shape: [2], data_offsets: [0, 8] };
  const eight = new Uint8Array(8);
  const cases: Array<[string, () => unknown, CheckpointErrorCode, string[]]> = [
    ['missing', () => readSafetensors(join(dir, 'nope.safetensors')), 'missing-file', ['nope.safetensors']],
    ['too short', () => { const f = fresh(); writeFileSync(f, Buffer.alloc(5)); return readSafetensors(f); }, 'corrupt-safetensors', ['too short']],
    ['header too large', () => readSafetensors(rawFile('{}', eight, 1n << 40n)), 'corrupt-safetensors', ['limit']],
    ['header past end', () => readSafetensors(rawFile('{}', eight, 1000n)), 'corrupt-safetensors', ['truncated']],
    ['not JSON', () => readSafetensors(rawFile('{"w": ', eight)), 'corrupt-safetensors', ['not valid JSON']],
    ['JSON array', () => readSafetensors(rawFile('[1]', eight)), 'corrupt-safetensors', ['not a JSON object']],
    ['unknown dtype', () => readSafetensors(rawFile({ w: { ...ok, dtype: 'F12' } }, eight)), 'corrupt-safetensors', ['"w"', 'F12']],
    ['bad shape', () => readSafetensors(rawFile({ w: { ...ok, shape: [2, -1] } }, eight)), 'corrupt-safetensors', ['"w"', 'shape']],
    ['bad offsets', () => readSafetensors(rawFile({ w: { ...ok, data_offsets: [8, 0] } }, eight)), 'corrupt-safetensors', ['"w"', 'data_offsets']],
    ['size vs shape', () => readSafetensors(rawFile({ w: { ...ok, shape: [3] } }, eight)), 'corrupt-safetensors', ['"w"', '12 bytes', 'span 8']],
    ['beyond end', () => readSafetensors(rawFile({ w: { ...ok, shape: [4], data_offsets: [0, 16] } }, eight)), 'corrupt-safetensors', ['"w"', 'truncated']],
    ['overlap', () => readSafetensors(rawFile({ a: ok, b: { ...ok, shape: [1], data_offsets: [4, 8] } }, eight)), 'corrupt-safetensors', ['"b"', '"a"', 'overlaps']],
    ['bad metadata', () => readSafetensors(rawFile({ __metadata__: { n: 1 }, w: ok }, eight)), 'corrupt-safetensors', ['__metadata__.n']],
    ['absent tensor', () => readSafetensors(rawFile({ w: ok }, eight)).get('v'), 'missing-tensor', ['"v"']],
    ['integer tensor', () => readSafetensors(rawFile({ ids: { dtype: 'I64', shape: [1], data_offsets: [0, 8] } }, eight)).get('ids'), 'unsupported-dtype', ['"ids"', 'I64']],
    ['write shape', () => writeSafetensors(fresh(), { w: { shape: [3], data: new Float32Array(2) } }), 'shape-mismatch', ['"w"']],
  ];
  for (const [label, fn, code, mentions] of cases) {
    try {
      expectError(fn, code, ...mentions);
    } catch (e) {
      throw new Error(`${label}: ${(e as Error).message}`);
    }
  }
});

test('a file cut short after its header was read is an error naming the tensor', () => {
  const file = fresh();
  writeSafetensors(file, { a: { shape: [4], data: new Float32Array(4) }, b: { shape: [4], data: new Float32Array(4) } });
  const st = readSafetensors(file);
  truncateSync(file, readFileSync(file).length - 4);
  expectError(() => st.get('b'), 'corrupt-safetensors', '"b"', 'changed size');
  expectError(() => readSafetensors(file), 'corrupt-safetensors', '"b"', 'truncated');
});
