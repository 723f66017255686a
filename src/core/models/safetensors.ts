// Reader and writer for the safetensors format: an 8-byte little-endian header length, a JSON
// header mapping tensor names to {dtype, shape, data_offsets}, then the raw little-endian bytes.
// Written by hand because the format is tiny and no maintained JavaScript package reads it from a
// file lazily with the validation we need; the dtype conversions are ours for the same reason
// (Node 20 has no Float16Array).
import { closeSync, existsSync, fstatSync, openSync, readSync, renameSync, rmSync, writeSync } from 'node:fs';
import { endianness } from 'node:os';
import { basename } from 'node:path';
import { CheckpointError } from './errors.js';
import type { WeightSource, WeightTensor } from './types.js';

export type SafetensorsDtype =
  | 'F64' | 'F32' | 'F16' | 'BF16'
  | 'I64' | 'I32' | 'I16' | 'I8'
  | 'U64' | 'U32' | 'U16' | 'U8'
  | 'BOOL' | 'F8_E4M3' | 'F8_E5M2';

const DTYPE_BYTES: Record<SafetensorsDtype, number> = {
  F64: 8, F32: 4, F16: 2, BF16: 2,
  I64: 8, I32: 4, I16: 2, I8: 1,
  U64: 8, U32: 4, U16: 2, U8: 1,
  BOOL: 1, F8_E4M3: 1, F8_E5M2: 1,
};

/** The dtypes a checkpoint's weights may be stored in; all are read as fp32. */
export const READABLE_DTYPES: readonly SafetensorsDtype[] = ['F32', 'F16', 'BF16', 'F64'];
export type WritableDtype = 'F32' | 'F16' | 'BF16';

/** The safetensors crate refuses headers above 100 MB; so do we, before allocating them. */
const MAX_HEADER_BYTES = 100_000_000;

export interface TensorInfo {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
  /** Absolute byte range in the file. */
  start: number;
  end: number;
}

/** Tensor names and shapes known without reading any tensor data. */
export interface TensorCatalog extends WeightSource {
  info(name: string): TensorInfo;
  rows(name: string, start: number, count: number): Float32Array;
}

export interface SafetensorsHeader {
  file: string;
  fileSize: number;
  metadata: Record<string, string>;
  tensors: Map<string, TensorInfo>;
}

function corrupt(file: string, what: string, tensor?: string): CheckpointError {
  const where = tensor === undefined ? '' : ` (tensor "${tensor}")`;
  return new CheckpointError('corrupt-safetensors', `${file}${where}: ${what}`, { path: file, name: tensor });
}

function isNonNegInt(v: unknown): v is number {
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
}

/** Reads and validates the header: dtypes, shapes, offsets inside the file, no overlaps. */
export function readSafetensorsHeader(file: string): SafetensorsHeader {
  if (!existsSync(file)) {
    throw new CheckpointError('missing-file', `${file}: safetensors file not found`, { path: file });
  }
  const fd = openSync(file, 'r');
  try {
    const fileSize = fstatSync(fd).size;
    if (fileSize < 8) throw corrupt(file, `file is ${fileSize} bytes, too short to hold a header length`);
    const lenBuf = Buffer.alloc(8);
    readSync(fd, lenBuf, 0, 8, 0);
    const headerLen = lenBuf.readBigUInt64LE(0);
    if (headerLen > BigInt(MAX_HEADER_BYTES)) {
      throw corrupt(file, `header length ${headerLen} exceeds the ${MAX_HEADER_BYTES}-byte limit (not a safetensors file?)`);
    }
    const n = Number(headerLen);
    if (8 + n > fileSize) {
      throw corrupt(file, `header claims ${n} bytes but the file has only ${fileSize - 8} after the length (truncated?)`);
    }
    const headerBuf = Buffer.alloc(n);
    readSync(fd, headerBuf, 0, n, 8);
    let parsed: unknown;
    try {
      parsed = JSON.parse(headerBuf.toString('utf8'));
    } catch (e) {
      throw corrupt(file, `header is not valid JSON (${(e as Error).message})`);
    }
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
      throw corrupt(file, 'header is not a JSON object');
    }
    const dataStart = 8 + n;
    const dataLength = fileSize - dataStart;
    const tensors = new Map<string, TensorInfo>();
    let metadata: Record<string, string> = {};
    for (const [name, entry] of Object.entries(parsed as Record<string, unknown>)) {
      if (name === '__metadata__') {
        metadata = parseMetadata(file, entry);
        continue;
      }
      tensors.set(name, parseEntry(file, name, entry, dataStart, dataLength));
    }
    checkNoOverlap(file, tensors);
    return { file, fileSize, metadata, tensors };
  } finally {
    closeSync(fd);
  }
}

function parseMetadata(file: string, entry: unknown): Record<string, string> {
  if (entry === null || typeof entry !== 'object' || Array.isArray(entry)) {
    throw corrupt(file, '__metadata__ is not an object');
  }
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(entry)) {
    if (typeof v !== 'string') throw corrupt(file, `__metadata__.${k} is not a string`);
    out[k] = v;
  }
  return out;
}

function parseEntry(file: string, name: string, entry: unknown, dataStart: number, dataLength: number): TensorInfo {
  if (entry === null || typeof entry !== 'object') throw corrupt(file, 'header entry is not an object', name);
  const { dtype, shape, data_offsets: offsets } = entry as Record<string, unknown>;
  if (typeof dtype !== 'string' || !(dtype in DTYPE_BYTES)) {
    throw corrupt(file, `unknown dtype ${JSON.stringify(dtype)}`, name);
  }
  if (!Array.isArray(shape) || !shape.every(isNonNegInt)) {
    throw corrupt(file, `shape ${JSON.stringify(shape)} is not a list of non-negative integers`, name);
  }
  if (!Array.isArray(offsets) || offsets.length !== 2 || !offsets.every(isNonNegInt) || offsets[0] > offsets[1]) {
    throw corrupt(file, `data_offsets ${JSON.stringify(offsets)} is not a [begin, end] pair`, name);
  }
  const [begin, end] = offsets as [number, number];
  const elements = (shape as number[]).reduce((a, b) => a * b, 1);
  const expected = elements * DTYPE_BYTES[dtype as SafetensorsDtype];
  if (end - begin !== expected) {
    throw corrupt(file, `shape [${shape.join(', ')}] of ${dtype} needs ${expected} bytes but data_offsets span ${end - begin}`, name);
  }
  if (end > dataLength) {
    throw corrupt(file, `data ends at byte ${end} but the file holds only ${dataLength} data bytes (truncated?)`, name);
  }
  return { name, dtype: dtype as SafetensorsDtype, shape: [...(shape as number[])], start: dataStart + begin, end: dataStart + end };
}

function checkNoOverlap(file: string, tensors: Map<string, TensorInfo>): void {
  const sorted = [...tensors.values()].filter((t) => t.end > t.start).sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i].start < sorted[i - 1].end) {
      throw corrupt(file, `data overlaps that of tensor "${sorted[i - 1].name}"`, sorted[i].name);
    }
  }
}

/** A safetensors file whose tensors are read (and converted to fp32) on demand. */
export class SafetensorsFile implements TensorCatalog {
  readonly file: string;
  readonly metadata: Record<string, string>;
  private readonly tensors: Map<string, TensorInfo>;
  private readonly size: number;

  constructor(header: SafetensorsHeader) {
    this.file = header.file;
    this.metadata = header.metadata;
    this.tensors = header.tensors;
    this.size = header.fileSize;
  }

  names(): string[] {
    return [...this.tensors.keys()];
  }

  has(name: string): boolean {
    return this.tensors.has(name);
  }

  info(name: string): TensorInfo {
    const t = this.tensors.get(name);
    if (!t) {
      throw new CheckpointError('missing-tensor', `${this.file}: no tensor named "${name}"`, { path: this.file, name });
    }
    return t;
  }

  get(name: string): WeightTensor {
    const t = this.readable(name);
    return { shape: [...t.shape], data: this.read(t, 0, (t.end - t.start) / DTYPE_BYTES[t.dtype]) };
  }

  /** Rows [start, start + count) of a tensor (along its first axis) as fp32: a big matrix can be
   *  converted piece by piece without ever holding all of it in fp32. */
  rows(name: string, start: number, count: number): Float32Array {
    const t = this.readable(name);
    const rows = t.shape[0] ?? 1;
    if (!(Number.isInteger(start) && Number.isInteger(count) && start >= 0 && count >= 0 && start + count <= rows)) {
      throw new RangeError(`${this.file} (tensor "${name}"): rows [${start}, ${start + count}) are outside its ${rows} rows`);
    }
    const perRow = t.shape.slice(1).reduce((a, b) => a * b, 1);
    return this.read(t, start * perRow, count * perRow);
  }

  private readable(name: string): TensorInfo {
    const t = this.info(name);
    if (!READABLE_DTYPES.includes(t.dtype)) {
      throw new CheckpointError(
        'unsupported-dtype',
        `${this.file} (tensor "${name}"): dtype ${t.dtype} cannot be read as weights; supported: ${READABLE_DTYPES.join(', ')}`,
        { path: this.file, name },
      );
    }
    return t;
  }

  /** `count` elements of `t` from element `first`, converted to fp32. */
  private read(t: TensorInfo, first: number, count: number): Float32Array {
    const name = t.name;
    const width = DTYPE_BYTES[t.dtype];
    const out = new Float32Array(count);
    const begin = t.start + first * width;
    // Open per read: a WeightSource has no close(), and a handful of opens per model is cheap.
    let fd: number;
    try {
      fd = openSync(this.file, 'r');
    } catch (e) {
      throw new CheckpointError('missing-file', `${this.file}: cannot open (${(e as Error).message})`, { path: this.file, name, cause: e });
    }
    try {
      const nowSize = fstatSync(fd).size;
      if (nowSize !== this.size) {
        throw corrupt(this.file, `file changed size from ${this.size} to ${nowSize} bytes since its header was read`, name);
      }
      const readAll = (into: Uint8Array, position: number): void => {
        let done = 0;
        while (done < into.length) {
          const got = readSync(fd, into, done, into.length - done, position + done);
          if (got === 0) throw corrupt(this.file, `unexpected end of file at byte ${position + done}`, name);
          done += got;
        }
      };
      if (t.dtype === 'F32') {
        assertLittleEndianHost();
        readAll(new Uint8Array(out.buffer), begin);
      } else {
        // Convert through a small reused buffer: the fp32 result is the only large allocation,
        // which halves peak memory and the pages touched for a multi-gigabyte embedding.
        const scratch = scratchBuffer();
        const perChunk = Math.floor(scratch.length / width);
        for (let i = 0; i < out.length; i += perChunk) {
          const n = Math.min(perChunk, out.length - i);
          const chunk = scratch.subarray(0, n * width);
          readAll(chunk, begin + i * width);
          convertInto(chunk, t.dtype, out, i);
        }
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }
}

export function readSafetensors(file: string): SafetensorsFile {
  return new SafetensorsFile(readSafetensorsHeader(file));
}

// ---- dtype conversion ---------------------------------------------------------------------

function assertLittleEndianHost(): void {
  // Typed arrays use the host's byte order; safetensors is little-endian.
  if (endianness() !== 'LE') throw new Error('safetensors I/O needs a little-endian host');
}

let scratch: Uint8Array | undefined;
function scratchBuffer(): Uint8Array {
  return (scratch ??= new Uint8Array(1 << 20));
}

let f16Table: Float32Array | undefined;
function halfToFloatTable(): Float32Array {
  if (f16Table) return f16Table;
  const table = new Float32Array(65536);
  for (let h = 0; h < 65536; h++) {
    const sign = h & 0x8000 ? -1 : 1;
    const exp = (h >> 10) & 0x1f;
    const frac = h & 0x3ff;
    if (exp === 0) table[h] = sign * frac * 2 ** -24;
    else if (exp === 31) table[h] = frac ? NaN : sign * Infinity;
    else table[h] = sign * (1 + frac / 1024) * 2 ** (exp - 15);
  }
  return (f16Table = table);
}

/** Converts little-endian bytes of a float dtype to a fresh Float32Array. */
export function toFloat32(bytes: Uint8Array, dtype: SafetensorsDtype): Float32Array {
  const out = new Float32Array(bytes.byteLength / DTYPE_BYTES[dtype]);
  convertInto(bytes, dtype, out, 0);
  return out;
}

/** Writes the values of `bytes` (little-endian `dtype`) into `out` from index `at`. */
function convertInto(bytes: Uint8Array, dtype: SafetensorsDtype, out: Float32Array, at: number): void {
  assertLittleEndianHost();
  const aligned = bytes.byteOffset % 8 === 0 ? bytes : bytes.slice();
  switch (dtype) {
    case 'F32':
      out.set(new Float32Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 4), at);
      return;
    case 'F64':
      out.set(new Float64Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 8), at);
      return;
    case 'F16': {
      const src = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
      const table = halfToFloatTable();
      for (let i = 0; i < src.length; i++) out[at + i] = table[src[i]];
      return;
    }
    case 'BF16': {
      // bf16 is the top half of an fp32 bit pattern.
      const src = new Uint16Array(aligned.buffer, aligned.byteOffset, aligned.byteLength / 2);
      const bits = new Uint32Array(out.buffer, out.byteOffset, out.length);
      for (let i = 0; i < src.length; i++) bits[at + i] = src[i] << 16;
      return;
    }
    default:
      throw new Error(`dtype ${dtype} is not a float type`);
  }
}

const scratchF32 = new Float32Array(1);
const scratchU32 = new Uint32Array(scratchF32.buffer);

/** fp32 → IEEE half bits, rounding to nearest even (as torch's .half() does). */
export function floatToHalfBits(x: number): number {
  scratchF32[0] = x;
  const b = scratchU32[0];
  const sign = (b >>> 16) & 0x8000;
  const exp = (b >>> 23) & 0xff;
  let mant = b & 0x7fffff;
  if (exp === 0xff) return sign | 0x7c00 | (mant ? 0x200 : 0);
  const e = exp - 127 + 15;
  if (e >= 0x1f) return sign | 0x7c00;
  if (e <= 0) {
    if (e < -10) return sign;
    mant |= 0x800000;
    const shift = 14 - e;
    let half = mant >>> shift;
    const rem = mant & ((1 << shift) - 1);
    const halfway = 1 << (shift - 1);
    if (rem > halfway || (rem === halfway && half & 1)) half++;
    return sign | half;
  }
  let half = (e << 10) | (mant >>> 13);
  const rem = mant & 0x1fff;
  // A carry out of the mantissa correctly bumps the exponent (up to infinity).
  if (rem > 0x1000 || (rem === 0x1000 && half & 1)) half++;
  return sign | half;
}

/** fp32 → bfloat16 bits, rounding to nearest even; NaN stays a quiet NaN. */
export function floatToBfloat16Bits(x: number): number {
  scratchF32[0] = x;
  const b = scratchU32[0];
  if ((b & 0x7f800000) === 0x7f800000 && b & 0x7fffff) return ((b >>> 16) & 0x8000) | 0x7fc0;
  return ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
}

/** Little-endian bytes of `data` in a float dtype (F32 shares data's memory). */
export function encodeFloats(data: Float32Array, dtype: WritableDtype): Uint8Array {
  assertLittleEndianHost();
  if (dtype === 'F32') return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  const out = new Uint16Array(data.length);
  if (dtype === 'F16') {
    for (let i = 0; i < data.length; i++) out[i] = floatToHalfBits(data[i]);
  } else {
    // floatToBfloat16Bits inlined over a bit view: generated checkpoints encode billions of values.
    const bits = new Uint32Array(data.buffer, data.byteOffset, data.length);
    for (let i = 0; i < bits.length; i++) {
      const b = bits[i];
      out[i] = (b & 0x7f800000) === 0x7f800000 && b & 0x7fffff ? ((b >>> 16) & 0x8000) | 0x7fc0 : ((b + 0x7fff + ((b >>> 16) & 1)) >>> 16) & 0xffff;
    }
  }
  return new Uint8Array(out.buffer);
}

export const dtypeBytes = (dtype: SafetensorsDtype): number => DTYPE_BYTES[dtype];

export interface HeaderEntry {
  name: string;
  dtype: SafetensorsDtype;
  shape: number[];
}

/**
 * The first bytes of a safetensors file holding `tensors` in this order: the length, then the JSON
 * header space-padded to a multiple of 8 bytes so that tensor data stays aligned, as the reference
 * implementation does. Returns them with each tensor's [begin, end) in the data that follows.
 */
export function safetensorsHeader(tensors: HeaderEntry[], metadata?: Record<string, string>): { bytes: Uint8Array; offsets: Array<[number, number]> } {
  const header: Record<string, unknown> = {};
  if (metadata && Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const offsets: Array<[number, number]> = [];
  let offset = 0;
  for (const t of tensors) {
    if (t.name === '__metadata__') throw new CheckpointError('invalid-config', `tensor name "${t.name}" is reserved`, { name: t.name });
    const bytes = t.shape.reduce((a, b) => a * b, 1) * DTYPE_BYTES[t.dtype];
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [offset, offset + bytes] };
    offsets.push([offset, offset + bytes]);
    offset += bytes;
  }
  let json = JSON.stringify(header);
  const jsonBytes = Buffer.byteLength(json, 'utf8');
  json += ' '.repeat((8 - ((8 + jsonBytes) % 8)) % 8);
  const headerBuf = Buffer.from(json, 'utf8');
  const out = Buffer.alloc(8 + headerBuf.length);
  out.writeBigUInt64LE(BigInt(headerBuf.length), 0);
  headerBuf.copy(out, 8);
  return { bytes: out, offsets };
}

// ---- writer -------------------------------------------------------------------------------

export interface TensorToWrite {
  shape: number[];
  data: Float32Array;
  dtype?: WritableDtype;
}

/**
 * Writes tensors in the given order. The header is space-padded to a multiple of 8 bytes so
 * that tensor data stays aligned, as the reference implementation does. The file appears
 * atomically (written beside it, then renamed).
 */
export function writeSafetensors(file: string, tensors: Record<string, TensorToWrite>, metadata?: Record<string, string>): void {
  const entries: HeaderEntry[] = [];
  const blobs: Uint8Array[] = [];
  for (const [name, t] of Object.entries(tensors)) {
    const elements = t.shape.reduce((a, b) => a * b, 1);
    if (!t.shape.every(isNonNegInt) || elements !== t.data.length) {
      throw new CheckpointError(
        'shape-mismatch',
        `${basename(file)} (tensor "${name}"): shape [${t.shape.join(', ')}] holds ${elements} values but data has ${t.data.length}`,
        { path: file, name },
      );
    }
    const dtype = t.dtype ?? 'F32';
    entries.push({ name, dtype, shape: t.shape });
    blobs.push(encodeFloats(t.data, dtype));
  }
  const { bytes } = safetensorsHeader(entries, metadata);
  const tmp = `${file}.${process.pid}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    writeAll(fd, bytes);
    for (const blob of blobs) writeAll(fd, blob);
  } catch (e) {
    closeSync(fd);
    rmSync(tmp, { force: true });
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, file);
}

export function writeAll(fd: number, bytes: Uint8Array): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done);
}
