// A small typed front end over the ONNX protobuf messages. onnx-proto gives us the message types;
// what no library offers for JavaScript is a builder that names intermediate values, records
// initializers and serialises a model, so that part is written here (kept to the few calls the
// transformer graphs need).
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';
import { floatToBfloat16Bits, floatToHalfBits } from '../safetensors.js';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

/** Opset of the default domain the graphs are written against (onnxruntime 1.30 implements it). */
export const OPSET = 23;

export type ElemType = 'float32' | 'float16' | 'bfloat16' | 'int64' | 'uint8';
/** The element types activations and float weights can be computed in. */
export type FloatType = 'float32' | 'float16' | 'bfloat16';

/** Domain of onnxruntime's contrib operators (MatMulNBits, GatherBlockQuantized). */
export const MS_DOMAIN = 'com.microsoft';
/** A dimension: a fixed size or a symbolic name (batch, sequence, ...). */
export type Dim = number | string;

/** An attribute value; `float()` marks a number that must be stored as a float attribute. */
export type AttrValue = number | number[] | string | FloatAttr;
export interface FloatAttr {
  readonly float: number;
}
export const float = (x: number): FloatAttr => ({ float: x });

const ELEM_CODES: Record<ElemType, number> = {
  float32: DataType.FLOAT,
  float16: DataType.FLOAT16,
  bfloat16: DataType.BFLOAT16,
  int64: DataType.INT64,
  uint8: DataType.UINT8,
};
const elemCode = (t: ElemType) => ELEM_CODES[t];

function valueInfo(name: string, type: ElemType, dims: Dim[]) {
  return {
    name,
    type: {
      tensorType: {
        elemType: elemCode(type),
        shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) },
      },
    },
  };
}

function attribute(name: string, v: AttrValue) {
  if (typeof v === 'string') return { name, type: AttrType.STRING, s: new TextEncoder().encode(v) };
  if (Array.isArray(v)) return { name, type: AttrType.INTS, ints: v };
  if (typeof v === 'number') {
    if (!Number.isInteger(v)) throw new Error(`attribute ${name}=${v}: wrap non-integer values in float()`);
    return { name, type: AttrType.INT, i: v };
  }
  return { name, type: AttrType.FLOAT, f: v.float };
}

/**
 * Where large initializers go. A protobuf message cannot exceed 2 GB, and one embedding matrix of
 * a 9B model is larger than that, so a graph whose initializers pass `limit` bytes stores every
 * initializer of at least `minSize` bytes in `<dir>/<graph>.weights` (ONNX external data) and the
 * session is created from the model file beside it.
 */
export interface ExternalDataOptions {
  dir: string;
  /** Total initializer bytes above which a graph spills (default 1 GiB; 0: always). */
  limit?: number;
  /** Smallest initializer that is spilled (default 1 MiB). */
  minSize?: number;
}

/** A serialised graph: protobuf bytes, or a model file whose large initializers sit beside it. */
export type SerializedGraph = { bytes: Uint8Array } | GraphFiles;

/** A graph written as files: the model and (possibly empty) external weights beside it. */
export interface GraphFiles {
  file: string;
  externalFile: string;
}

/** External data offsets are page-aligned so onnxruntime may memory-map them. */
const ALIGN = 4096;

/** Bytes of a typed array, without copying. */
function bytesOf(a: ArrayBufferView): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

interface Initializer {
  name: string;
  dims: number[];
  dataType: number;
  rawData: Uint8Array;
}

export class GraphBuilder {
  private readonly inputs: ReturnType<typeof valueInfo>[] = [];
  private readonly outputs: ReturnType<typeof valueInfo>[] = [];
  private readonly inits: Initializer[] = [];
  private initBytes = 0;
  private weightTotal = 0;
  private readonly nodes: { opType: string; domain: string; name: string; input: string[]; output: string[]; attribute: object[] }[] = [];
  private readonly domains = new Set<string>();
  private readonly used = new Set<string>();
  private counter = 0;

  /** `floatType`: the type the graph computes in; `floats` and `scalar` constants take it. */
  constructor(
    readonly name: string,
    readonly floatType: FloatType = 'float32',
  ) {}

  /** Bytes of every initializer recorded so far. */
  get initializerBytes(): number {
    return this.initBytes;
  }

  /** Bytes of the checkpoint's weights among them (`weight` and `floats`; not shapes or scalars). */
  get weightBytes(): number {
    return this.weightTotal;
  }

  private fresh(hint: string): string {
    let n = `${hint}_${this.counter++}`;
    while (this.used.has(n)) n = `${hint}_${this.counter++}`;
    this.used.add(n);
    return n;
  }

  private claim(name: string): string {
    if (this.used.has(name)) throw new Error(`graph ${this.name}: value name ${name} used twice`);
    this.used.add(name);
    return name;
  }

  input(name: string, type: ElemType, dims: Dim[]): string {
    this.inputs.push(valueInfo(this.claim(name), type, dims));
    return name;
  }

  /**
   * Declares `value` as a graph output called `name`. A value computed by a node is renamed in
   * place (an Identity node would copy the tensor on every run); a graph input needs the Identity.
   */
  output(value: string, name: string, type: ElemType, dims: Dim[]): void {
    if (value !== name) {
      this.claim(name);
      const producer = this.nodes.find((n) => n.output.includes(value));
      if (producer) {
        for (const n of this.nodes) {
          n.input = n.input.map((v) => (v === value ? name : v));
          n.output = n.output.map((v) => (v === value ? name : v));
        }
      } else {
        this.nodes.push({ opType: 'Identity', input: [value], output: [name], name: `out_${name}`, domain: '', attribute: [] });
      }
    }
    this.outputs.push(valueInfo(name, type, dims));
  }

  /**
   * A float32 input as the graph computes it: hook points and caches stay fp32 at every slice
   * boundary whatever the graph's own float type, so a Cast follows when they differ.
   */
  floatInput(name: string, dims: Dim[]): string {
    return this.cast(this.input(name, 'float32', dims), 'float32', this.floatType);
  }

  /** `floatInput`'s counterpart: a value of the graph's float type leaves as float32. */
  floatOutput(value: string, name: string, dims: Dim[]): void {
    this.output(this.cast(value, this.floatType, 'float32'), name, 'float32', dims);
  }

  /** `x` (of type `from`) as type `to`; no node when they agree. */
  cast(x: string, from: ElemType, to: ElemType): string {
    return from === to ? x : this.op('Cast', [x], { to: elemCode(to) });
  }

  /** A constant tensor stored in the model as given (shapes, indices, fp32 scalars). */
  constant(hint: string, data: Float32Array | BigInt64Array, dims: number[]): string {
    return this.tensor(hint, data instanceof Float32Array ? 'float32' : 'int64', data, dims);
  }

  /** A constant of any element type from its little-endian values (16-bit floats as their bits). */
  tensor(hint: string, type: ElemType, data: Float32Array | BigInt64Array | Uint16Array | Uint8Array, dims: number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`graph ${this.name}: constant ${hint} has ${data.length} values for dims [${dims}]`);
    const name = this.fresh(hint);
    this.inits.push({ name, dims, dataType: elemCode(type), rawData: bytesOf(data) });
    this.initBytes += data.byteLength;
    return name;
  }

  /** A tensor of the checkpoint's weights (counted in `weightBytes`). */
  weight(hint: string, type: ElemType, data: Float32Array | Uint16Array | Uint8Array, dims: number[]): string {
    const name = this.tensor(hint, type, data, dims);
    this.weightTotal += data.byteLength;
    return name;
  }

  /** Float weights (norms, biases) stored in the graph's float type. */
  floats(hint: string, data: Float32Array, dims: number[]): string {
    return this.weight(hint, this.floatType, this.floatType === 'float32' ? data : toHalfBits(data, this.floatType), dims);
  }

  scalar(x: number, type: FloatType = this.floatType): string {
    const v = new Float32Array([x]);
    return type === 'float32' ? this.constant('c', v, []) : this.tensor('c', type, toHalfBits(v, type), []);
  }

  ints(values: number[]): string {
    return this.constant('shape', BigInt64Array.from(values, (v) => BigInt(v)), [values.length]);
  }

  /** Adds one node; returns its output names (one per `outputs`, default one). */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs = 1, domain = ''): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()));
    if (domain) this.domains.add(domain);
    this.nodes.push({
      opType: op,
      domain,
      name: `${op}_${this.counter++}`,
      input: inputs,
      output: outs,
      attribute: Object.entries(attrs).map(([k, v]) => attribute(k, v)),
    });
    return outs;
  }

  /** `node` for the common single-output case. */
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, domain = ''): string {
    return this.node(op, inputs, attrs, 1, domain)[0];
  }

  /** Serialised ModelProto with every initializer inside it. */
  toBytes(): Uint8Array {
    return this.encode(this.inits);
  }

  /** Serialised in memory when small enough, else as a model file plus external weights. */
  serialize(external?: ExternalDataOptions): SerializedGraph {
    if (!external || this.initBytes <= (external.limit ?? 1 << 30)) return { bytes: this.toBytes() };
    return this.writeFiles(external.dir, external.minSize ?? 1 << 20);
  }

  /**
   * Writes `<dir>/<graph>.onnx` and `<dir>/<graph>.weights`, the latter holding every
   * initializer of at least `minSize` bytes at a page-aligned offset. Shape constants stay inline:
   * shape inference must read them at load time.
   */
  writeFiles(dir: string, minSize: number): GraphFiles {
    const base = this.name.replace(/[^A-Za-z0-9_.-]/g, '_');
    const externalFile = `${base}.weights`;
    const fd = openSync(join(dir, externalFile), 'w');
    let offset = 0;
    const inits = [];
    try {
      for (const t of this.inits) {
        if (t.dataType === DataType.INT64 || t.rawData.byteLength < minSize) {
          inits.push(t);
          continue;
        }
        offset = Math.ceil(offset / ALIGN) * ALIGN;
        writeAll(fd, t.rawData, offset);
        inits.push({
          name: t.name,
          dims: t.dims,
          dataType: t.dataType,
          dataLocation: onnx.TensorProto.DataLocation.EXTERNAL,
          externalData: [
            { key: 'location', value: externalFile },
            { key: 'offset', value: String(offset) },
            { key: 'length', value: String(t.rawData.byteLength) },
          ],
        });
        offset += t.rawData.byteLength;
      }
    } finally {
      closeSync(fd);
    }
    const file = join(dir, `${base}.onnx`);
    const modelFd = openSync(file, 'w');
    try {
      writeAll(modelFd, this.encode(inits), 0);
    } finally {
      closeSync(modelFd);
    }
    return { file, externalFile: join(dir, externalFile) };
  }

  private encode(initializer: object[]): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 10,
      producerName: 'knobe-lab',
      opsetImport: [{ domain: '', version: OPSET }, ...[...this.domains].map((domain) => ({ domain, version: 1 }))],
      graph: { name: this.name, input: this.inputs, output: this.outputs, initializer, node: this.nodes },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}

function writeAll(fd: number, bytes: Uint8Array, position: number): void {
  let done = 0;
  while (done < bytes.byteLength) done += writeSync(fd, bytes, done, bytes.byteLength - done, position + done);
}

/** fp32 values as the bits of a 16-bit float type, rounded to nearest even. */
export function toHalfBits(data: Float32Array, type: 'float16' | 'bfloat16'): Uint16Array {
  const out = new Uint16Array(data.length);
  const conv = type === 'float16' ? floatToHalfBits : floatToBfloat16Bits;
  for (let i = 0; i < data.length; i++) out[i] = conv(data[i]);
  return out;
}
