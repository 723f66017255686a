// The block quantizer: error bounds per element, the grids it chooses, and that the pieces a
// matrix is fed in (rows, rows of its transpose) do not change the result. That the layout is the
// one onnxruntime's MatMulNBits and GatherBlockQuantized read is pinned by the golden tests, which
// run the quantized graphs against fp32 graphs of the dequantized weights.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkQuantization, dequantize, MatrixQuantizer, quantizedBytes, type BlockQuantization } from '../../../src/core/models/quantize.js';
import { seededNormal } from '../../support/checkpoints.js';

function gaussian(rows: number, cols: number, seed = 1): Float32Array {
  const n = seededNormal(seed);
  return Float32Array.from({ length: rows * cols }, () => 0.05 * n());
}

function quantize(w: Float32Array, rows: number, cols: number, spec: BlockQuantization) {
  const q = new MatrixQuantizer(rows, cols, spec);
  q.addRows(0, w);
  return q.finish();
}

/** Largest |w − dequantized| / (scale of its block) over the matrix. */
function worstInSteps(w: Float32Array, rows: number, cols: number, spec: BlockQuantization): number {
  const q = quantize(w, rows, cols, spec);
  const d = dequantize(q);
  let worst = 0;
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const scale = Math.abs(q.scales[r * q.blocksPerRow + Math.floor(c / spec.blockSize)]);
      worst = Math.max(worst, Math.abs(w[r * cols + c] - d[r * cols + c]) / scale);
    }
  }
  return worst;
}

const SPECS: BlockQuantization[] = [
  { bits: 8, blockSize: 32, symmetric: true },
  { bits: 8, blockSize: 16, symmetric: false },
  { bits: 4, blockSize: 32, symmetric: false },
  { bits: 4, blockSize: 64, symmetric: true },
];

for (const spec of SPECS) {
  const name = `int${spec.bits}, block ${spec.blockSize}, ${spec.symmetric ? 'symmetric' : 'asymmetric'}`;

  test(`${name}: every element is within half a step of its weight (columns not a whole number of blocks)`, () => {
    assert.ok(worstInSteps(gaussian(7, 100), 7, 100, spec) <= 0.5 + 1e-4);
  });

  test(`${name}: pieces of rows and rows of the transpose give the same codes as one piece`, () => {
    const rows = 12;
    const cols = 2 * spec.blockSize + 5;
    const w = gaussian(rows, cols, 3);
    const whole = quantize(w, rows, cols, spec);
    const pieces = new MatrixQuantizer(rows, cols, spec);
    pieces.addRows(0, w.subarray(0, 5 * cols));
    pieces.addRows(5, w.subarray(5 * cols));
    assert.deepEqual(pieces.finish(), whole);
    const t = new Float32Array(cols * rows);
    for (let r = 0; r < rows; r++) for (let c = 0; c < cols; c++) t[c * rows + r] = w[r * cols + c];
    const transposed = new MatrixQuantizer(rows, cols, spec);
    transposed.addTransposedRows(0, t.subarray(0, spec.blockSize * rows));
    transposed.addTransposedRows(spec.blockSize, t.subarray(spec.blockSize * rows));
    assert.deepEqual(transposed.finish(), whole);
  });

  test(`${name}: zeros stay zero and the arrays have the sizes quantizedBytes counts`, () => {
    const w = gaussian(3, 40);
    w.fill(0, 40, 80);
    const q = quantize(w, 3, 40, spec);
    const d = dequantize(q);
    assert.ok(d.subarray(40, 80).every((v) => v === 0));
    assert.equal(q.data.length + 4 * q.scales.length + (q.zeroPoints?.length ?? 0), quantizedBytes(3, 40, spec));
    assert.equal(q.zeroPoints === undefined, spec.symmetric);
  });
}

test('the symmetric grid keeps weights of equal and opposite size exact', () => {
  for (const bits of [4, 8] as const) {
    const w = new Float32Array(32).fill(0.01);
    w[3] = 4;
    w[9] = -4;
    const d = dequantize(quantize(w, 1, 32, { bits, blockSize: 32, symmetric: true }));
    assert.ok(Math.abs(d[3] - 4) < 1e-6 && Math.abs(d[9] + 4) < 1e-6, `int${bits}: ${d[3]}, ${d[9]}`);
  }
});

test('an asymmetric block that is lopsided takes the min–max grid, with finer steps', () => {
  // Values in [−1, 12]: the symmetric grid steps by 12/127, the min–max one by 13/255.
  const w = Float32Array.from({ length: 32 }, (_, i) => (i === 0 ? 12 : -1 + (i % 11) / 5));
  const sym = quantize(w, 1, 32, { bits: 8, blockSize: 32, symmetric: true });
  const asym = quantize(w, 1, 32, { bits: 8, blockSize: 32, symmetric: false });
  assert.ok(Math.abs(asym.scales[0]) < Math.abs(sym.scales[0]) * 0.6, `steps ${asym.scales[0]} vs ${sym.scales[0]}`);
  const err = (q: typeof sym) => dequantize(q).reduce((s, v, i) => s + (v - w[i]) ** 2, 0);
  assert.ok(err(asym) < err(sym));
});

test('block sizes that are not powers of two ≥ 16 and other bit widths are refused', () => {
  assert.throws(() => checkQuantization({ bits: 8, blockSize: 24, symmetric: true }), /block size 24 is not a power of two ≥ 16/);
  assert.throws(() => checkQuantization({ bits: 8, blockSize: 8, symmetric: true }), /block size 8/);
  assert.throws(() => checkQuantization({ bits: 3 as 4, blockSize: 32, symmetric: true }), /3 bits; 4 or 8 are supported/);
});

test('feeding too few values, or pieces that do not fit, is an error', () => {
  const q = new MatrixQuantizer(4, 32, { bits: 8, blockSize: 32, symmetric: true });
  q.addRows(0, new Float32Array(64));
  assert.throws(() => q.finish(), /64 of 128 values were given/);
  assert.throws(() => q.addRows(3, new Float32Array(64)), /do not fit \[4, 32\]/);
  assert.throws(() => q.addTransposedRows(16, new Float32Array(64)), /not whole blocks of 32/);
});
