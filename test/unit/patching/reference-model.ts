// A small pre-norm transformer written out in plain TypeScript (RMSNorm, grouped-query causal
// attention with learned positions, SwiGLU MLP), seeded random weights. It implements the step
// interface (segments with cached keys/values) and, separately, a monolithic forward with hooks,
// so the scheduler can be checked against the plain path without the ONNX runtime.
import type { Act, HookedModel, HookedRunOptions, KV, StepBatch, StepModel } from '../../../src/core/patching/model.js';
import { seededRandom } from '../../support/checkpoints.js';

export interface RefShape {
  layers: number;
  hidden: number;
  heads: number;
  kvHeads: number;
  intermediate: number;
  vocab: number;
  maxPositions: number;
}

/** Centred uniform draws in [-0.5, 0.5) from the tests' shared seeded generator. */
function rng(seed: number) {
  const next = seededRandom(seed);
  return () => next() - 0.5;
}

interface Layer {
  ln1: Float32Array; wq: Float32Array; wk: Float32Array; wv: Float32Array; wo: Float32Array;
  ln2: Float32Array; w1: Float32Array; w3: Float32Array; w2: Float32Array;
}

/** y[n, out] = x[n, in] · w[in, out] */
function matmul(x: Float32Array, w: Float32Array, n: number, inDim: number, outDim: number): Float32Array {
  const y = new Float32Array(n * outDim);
  for (let i = 0; i < n; i++) {
    for (let k = 0; k < inDim; k++) {
      const a = x[i * inDim + k];
      if (a === 0) continue;
      for (let j = 0; j < outDim; j++) y[i * outDim + j] += a * w[k * outDim + j];
    }
  }
  return y;
}

function rmsNorm(x: Float32Array, w: Float32Array, n: number, h: number): Float32Array {
  const y = new Float32Array(n * h);
  for (let i = 0; i < n; i++) {
    let ss = 0;
    for (let j = 0; j < h; j++) ss += x[i * h + j] ** 2;
    const r = 1 / Math.sqrt(ss / h + 1e-5);
    for (let j = 0; j < h; j++) y[i * h + j] = x[i * h + j] * r * w[j];
  }
  return y;
}

export class ReferenceModel implements StepModel, HookedModel {
  readonly numLayers: number;
  readonly hiddenSize: number;
  readonly vocabSize: number;
  readonly kvWidth: number;
  private readonly headDim: number;
  private readonly emb: Float32Array;
  private readonly pos: Float32Array;
  private readonly blocks: Layer[];
  private readonly lnf: Float32Array;
  private readonly head: Float32Array;
  calls = 0;

  constructor(readonly shape: RefShape, seed: number, scale = 1) {
    const r = rng(seed);
    const { hidden: H, heads, kvHeads, intermediate: I, vocab: V } = shape;
    this.numLayers = shape.layers;
    this.hiddenSize = H;
    this.vocabSize = V;
    this.headDim = H / heads;
    this.kvWidth = kvHeads * this.headDim;
    const mat = (n: number, s: number) => Float32Array.from({ length: n }, () => r() * s * scale);
    const ones = (n: number) => Float32Array.from({ length: n }, () => 1 + r() * 0.2);
    this.emb = mat(V * H, 2);
    this.pos = mat(shape.maxPositions * H, 1);
    this.blocks = Array.from({ length: shape.layers }, () => ({
      ln1: ones(H), wq: mat(H * H, 1), wk: mat(H * this.kvWidth, 1), wv: mat(H * this.kvWidth, 1), wo: mat(H * H, 0.8),
      ln2: ones(H), w1: mat(H * I, 1), w3: mat(H * I, 1), w2: mat(I * H, 0.8),
    }));
    this.lnf = ones(H);
    this.head = mat(H * V, 3);
  }

  /** Copies another model's weights at every layer except `edited`, which keep this model's. */
  static withEdits(base: ReferenceModel, seed: number, edited: { layer: number; part: 'attn' | 'mlp' }[]): ReferenceModel {
    const other = new ReferenceModel(base.shape, seed);
    const m = Object.create(ReferenceModel.prototype) as ReferenceModel;
    Object.assign(m, base);
    (m as unknown as { blocks: Layer[] }).blocks = base.blocks.map((b, l) => {
      const o = other.blocks[l];
      const e = edited.filter((x) => x.layer === l).map((x) => x.part);
      return {
        ...b,
        ...(e.includes('attn') ? { wo: o.wo } : {}),
        ...(e.includes('mlp') ? { w2: o.w2 } : {}),
      };
    });
    m.calls = 0;
    return m;
  }

  async embed(batch: StepBatch): Promise<Act> {
    this.calls++;
    const { size: B, length: S } = batch;
    const H = this.hiddenSize;
    const out = new Float32Array(B * S * H);
    for (let i = 0; i < B * S; i++) {
      const t = Number(batch.inputIds[i]);
      const p = Number(batch.positionIds[i]);
      for (let j = 0; j < H; j++) out[i * H + j] = this.emb[t * H + j] + this.pos[p * H + j];
    }
    return { data: out, dims: [B, S, H] };
  }

  async attention(layer: number, residPre: Act, batch: StepBatch, past?: KV): Promise<{ attnOut: Act; present: KV }> {
    this.calls++;
    const w = this.blocks[layer];
    const [B, S, H] = residPre.dims;
    const P = batch.past;
    const T = P + S;
    const { heads } = this.shape;
    const kvH = this.shape.kvHeads;
    const d = this.headDim;
    const x = rmsNorm(residPre.data, w.ln1, B * S, H);
    const q = matmul(x, w.wq, B * S, H, H);
    const kNew = matmul(x, w.wk, B * S, H, this.kvWidth);
    const vNew = matmul(x, w.wv, B * S, H, this.kvWidth);
    const key = new Float32Array(B * kvH * T * d);
    const value = new Float32Array(B * kvH * T * d);
    for (let b = 0; b < B; b++) {
      for (let h = 0; h < kvH; h++) {
        for (let t = 0; t < T; t++) {
          const o = ((b * kvH + h) * T + t) * d;
          if (t < P) {
            const po = ((b * kvH + h) * P + t) * d;
            key.set(past!.key.data.subarray(po, po + d), o);
            value.set(past!.value.data.subarray(po, po + d), o);
          } else {
            const src = (b * S + t - P) * this.kvWidth + h * d;
            key.set(kNew.subarray(src, src + d), o);
            value.set(vNew.subarray(src, src + d), o);
          }
        }
      }
    }
    const ctx = new Float32Array(B * S * H);
    const scores = new Float64Array(T);
    for (let b = 0; b < B; b++) {
      for (let s = 0; s < S; s++) {
        const i = P + s;
        const self = !batch.keyMask[b * T + i];
        for (let h = 0; h < heads; h++) {
          const kh = Math.floor(h / (heads / kvH));
          let max = -Infinity;
          for (let t = 0; t <= i; t++) {
            const visible = self ? t === i : batch.keyMask[b * T + t] === 1;
            if (!visible) { scores[t] = -Infinity; continue; }
            let dot = 0;
            for (let j = 0; j < d; j++) dot += q[(b * S + s) * H + h * d + j] * key[((b * kvH + kh) * T + t) * d + j];
            scores[t] = dot / Math.sqrt(d);
            if (scores[t] > max) max = scores[t];
          }
          let sum = 0;
          for (let t = 0; t <= i; t++) sum += scores[t] = Math.exp(scores[t] - max);
          for (let t = 0; t <= i; t++) {
            const p = scores[t] / sum;
            if (p === 0) continue;
            for (let j = 0; j < d; j++) ctx[(b * S + s) * H + h * d + j] += p * value[((b * kvH + kh) * T + t) * d + j];
          }
        }
      }
    }
    const attnOut = matmul(ctx, w.wo, B * S, H, H);
    return { attnOut: { data: attnOut, dims: [B, S, H] }, present: { key: { data: key, dims: [B, kvH, T, d] }, value: { data: value, dims: [B, kvH, T, d] } } };
  }

  async mlp(layer: number, residMid: Act): Promise<Act> {
    this.calls++;
    const w = this.blocks[layer];
    const [B, S, H] = residMid.dims;
    const I = this.shape.intermediate;
    const x = rmsNorm(residMid.data, w.ln2, B * S, H);
    const g = matmul(x, w.w1, B * S, H, I);
    const u = matmul(x, w.w3, B * S, H, I);
    for (let i = 0; i < g.length; i++) g[i] = (g[i] / (1 + Math.exp(-g[i]))) * u[i];
    return { data: matmul(g, w.w2, B * S, I, H), dims: [B, S, H] };
  }

  async logits(residPost: Act, at: 'last' | 'all'): Promise<Act> {
    this.calls++;
    const [B, S, H] = residPost.dims;
    const x = at === 'last' ? Float32Array.from({ length: B * H }, (_, i) => residPost.data[(Math.floor(i / H) * S + S - 1) * H + (i % H)]) : residPost.data;
    const n = at === 'last' ? B : B * S;
    const y = matmul(rmsNorm(x, this.lnf, n, H), this.head, n, H, this.vocabSize);
    return { data: y, dims: [B, at === 'last' ? 1 : S, this.vocabSize] };
  }

  /** Monolithic forward over a whole batch (no cache), with TransformerLens hooks. */
  async run(batch: StepBatch, opts: HookedRunOptions): Promise<{ logits: Act; collected: Map<string, Act> }> {
    const collected = new Map<string, Act>();
    const hook = (name: string, a: Act): Act => {
      const r = opts.replace?.(name, a) ?? a;
      if (opts.collect?.includes(name)) collected.set(name, r);
      return r;
    };
    let x = hook('hook_embed', await this.embed(batch));
    for (let l = 0; l < this.numLayers; l++) {
      x = hook(`blocks.${l}.hook_resid_pre`, x);
      const a = hook(`blocks.${l}.hook_attn_out`, (await this.attention(l, x, batch)).attnOut);
      const mid = hook(`blocks.${l}.hook_resid_mid`, { data: x.data.map((v, i) => v + a.data[i]), dims: x.dims });
      const m = hook(`blocks.${l}.hook_mlp_out`, await this.mlp(l, mid));
      x = hook(`blocks.${l}.hook_resid_post`, { data: mid.data.map((v, i) => v + m.data[i]), dims: x.dims });
    }
    if (Array.isArray(opts.logitsAt)) {
      const [B, S, H] = x.dims;
      const cols = opts.logitsAt.map((c) => (c < 0 ? S + c : c));
      const data = new Float32Array(B * cols.length * H);
      for (let b = 0; b < B; b++) cols.forEach((c, k) => data.set(x.data.subarray((b * S + c) * H, (b * S + c + 1) * H), (b * cols.length + k) * H));
      x = { data, dims: [B, cols.length, H] };
    }
    return { logits: await this.logits(x, opts.logitsAt === 'last' ? 'last' : 'all'), collected };
  }
}
