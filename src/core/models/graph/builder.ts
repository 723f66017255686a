// A small typed front end over the ONNX protobuf messages. onnx-proto gives us the message types;
// what no library offers for JavaScript is a builder that names intermediate values, records
// initializers and serialises a model, so that part is written here (kept to the few calls the
// transformer graphs need).
import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;
const DataType = onnx.TensorProto.DataType;
const AttrType = onnx.AttributeProto.AttributeType;

/** Opset of the default domain the graphs are written against (onnxruntime 1.30 implements it). */
export const OPSET = 23;

export type ElemType = 'float32' | 'int64';
/** A dimension: a fixed size or a symbolic name (batch, sequence, ...). */
export type Dim = number | string;

/** An attribute value; `float()` marks a number that must be stored as a float attribute. */
export type AttrValue = number | number[] | string | FloatAttr;
export interface FloatAttr {
  readonly float: number;
}
export const float = (x: number): FloatAttr => ({ float: x });

const elemCode = (t: ElemType) => (t === 'float32' ? DataType.FLOAT : DataType.INT64);

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
  /** Total initializer bytes above which a graph spills (default 1 GiB). */
  limit?: number;
  /** Smallest float initializer that is spilled (default 1 MiB). */
  minSize?: number;
}

/** A serialised graph: protobuf bytes, or a model file whose large initializers sit beside it. */
export type SerializedGraph = { bytes: Uint8Array } | { file: string; externalFile: string };

/** External data offsets are page-aligned so onnxruntime may memory-map them. */
const ALIGN = 4096;

/** Bytes of a typed array, without copying. */
function bytesOf(a: Float32Array | BigInt64Array): Uint8Array {
  return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
}

export class GraphBuilder {
  private readonly inputs: ReturnType<typeof valueInfo>[] = [];
  private readonly outputs: ReturnType<typeof valueInfo>[] = [];
  private readonly inits: { name: string; dims: number[]; dataType: number; rawData: Uint8Array }[] = [];
  private initBytes = 0;
  private readonly nodes: { opType: string; domain: string; name: string; input: string[]; output: string[]; attribute: object[] }[] = [];
  private readonly used = new Set<string>();
  private counter = 0;

  constructor(readonly name: string) {}

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

  /** A constant tensor stored in the model (weights, shapes, scalars). */
  constant(hint: string, data: Float32Array | BigInt64Array, dims: number[]): string {
    const size = dims.reduce((a, b) => a * b, 1);
    if (size !== data.length) throw new Error(`graph ${this.name}: constant ${hint} has ${data.length} values for dims [${dims}]`);
    const name = this.fresh(hint);
    const dataType = data instanceof Float32Array ? DataType.FLOAT : DataType.INT64;
    this.inits.push({ name, dims, dataType, rawData: bytesOf(data) });
    this.initBytes += data.byteLength;
    return name;
  }

  scalar(x: number): string {
    return this.constant('c', new Float32Array([x]), []);
  }

  ints(values: number[]): string {
    return this.constant('shape', BigInt64Array.from(values, (v) => BigInt(v)), [values.length]);
  }

  /** Adds one node; returns its output names (one per `outputs`, default one). */
  node(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}, outputs = 1, domain = ''): string[] {
    const outs = Array.from({ length: outputs }, () => this.fresh(op.toLowerCase()));
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
  op(op: string, inputs: string[], attrs: Record<string, AttrValue> = {}): string {
    return this.node(op, inputs, attrs)[0];
  }

  /** Serialised ModelProto with every initializer inside it. */
  toBytes(): Uint8Array {
    return this.encode(this.inits);
  }

  /** Serialised in memory when small enough, else as a model file plus external weights. */
  serialize(external?: ExternalDataOptions): SerializedGraph {
    if (!external || this.initBytes <= (external.limit ?? 1 << 30)) return { bytes: this.toBytes() };
    const minSize = external.minSize ?? 1 << 20;
    const base = this.name.replace(/[^A-Za-z0-9_.-]/g, '_');
    const externalFile = `${base}.weights`;
    const fd = openSync(join(external.dir, externalFile), 'w');
    let offset = 0;
    const inits = [];
    try {
      for (const t of this.inits) {
        // Shape constants stay inline: shape inference must read them at load time.
        if (t.dataType !== DataType.FLOAT || t.rawData.byteLength < minSize) {
          inits.push(t);
          continue;
        }
        offset = Math.ceil(offset / ALIGN) * ALIGN;
        writeSync(fd, t.rawData, 0, t.rawData.byteLength, offset);
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
    const file = join(external.dir, `${base}.onnx`);
    const modelFd = openSync(file, 'w');
    try {
      const bytes = this.encode(inits);
      writeSync(modelFd, bytes, 0, bytes.byteLength);
    } finally {
      closeSync(modelFd);
    }
    return { file, externalFile: join(external.dir, externalFile) };
  }

  private encode(initializer: object[]): Uint8Array {
    const model = onnx.ModelProto.create({
      irVersion: 10,
      producerName: 'knobe-lab',
      opsetImport: [{ domain: '', version: OPSET }],
      graph: { name: this.name, input: this.inputs, output: this.outputs, initializer, node: this.nodes },
    });
    return onnx.ModelProto.encode(model).finish();
  }
}
