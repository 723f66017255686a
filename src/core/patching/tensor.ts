// The few tensor moves the scheduler makes on [B, S, H] activations and [B, heads, T, d] caches:
// column windows, row selection and repetition, addition. Plain loops over typed arrays: the
// shapes are fixed and small, and a tensor library would add a dependency for five functions.
import type { Act, KV } from './model.js';

/** Columns [from, to) of a [B, S, H] activation. */
export function sliceColumns(a: Act, from: number, to: number): Act {
  const [B, S, H] = a.dims;
  if (from === 0 && to === S) return a;
  const n = to - from;
  const out = new Float32Array(B * n * H);
  for (let b = 0; b < B; b++) out.set(a.data.subarray((b * S + from) * H, (b * S + to) * H), b * n * H);
  return { data: out, dims: [B, n, H] };
}

/** a + b, elementwise, into a new activation. */
export function add(a: Act, b: Act): Act {
  const out = new Float32Array(a.data.length);
  for (let i = 0; i < out.length; i++) out[i] = a.data[i] + b.data[i];
  return { data: out, dims: [...a.dims] };
}

/** Rows `rows` (in that order, repeats allowed) of a tensor whose first dim is the batch. */
export function selectRows(a: Act, rows: number[]): Act {
  const per = a.data.length / a.dims[0];
  const out = new Float32Array(rows.length * per);
  rows.forEach((r, i) => out.set(a.data.subarray(r * per, (r + 1) * per), i * per));
  return { data: out, dims: [rows.length, ...a.dims.slice(1)] };
}

/** Columns [0, to) along dim 2 of a [B, heads, T, d] cache tensor. */
function prefixColumns(a: Act, to: number): Act {
  const [B, Hh, T, d] = a.dims;
  if (to === T) return a;
  const out = new Float32Array(B * Hh * to * d);
  for (let i = 0; i < B * Hh; i++) out.set(a.data.subarray(i * T * d, i * T * d + to * d), i * to * d);
  return { data: out, dims: [B, Hh, to, d] };
}

export const kvPrefix = (kv: KV, to: number): KV => ({ key: prefixColumns(kv.key, to), value: prefixColumns(kv.value, to) });
export const kvRows = (kv: KV, rows: number[]): KV => ({ key: selectRows(kv.key, rows), value: selectRows(kv.value, rows) });
export const kvBytes = (kv: KV) => kv.key.data.byteLength + kv.value.data.byteLength;

/** `times` copies of every row, block after block: rows 0..B−1, then 0..B−1 again, … */
export function kvRowsRepeated(kv: KV, times: number): KV {
  if (times === 1) return kv;
  const B = kv.key.dims[0];
  const rows = Array.from({ length: B * times }, (_, i) => i % B);
  return kvRows(kv, rows);
}
