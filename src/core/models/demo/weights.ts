// Weights of the demo pair: a small Llama whose residual stream keeps a few reserved dimensions
// out of reach of the random weights, so a planted circuit can be read and written there exactly.
//
//   dim 0  NEG    set in the embeddings of negative-valence words
//   dim 1  POS    set in the embeddings of positive-valence words
//   dim 2  U      the rating direction: the unembedding raises high answers along it
//   dim 3  MNEG   the average of NEG over the prompt, written by the mover head (layer 0, head 0)
//   dim 4  MPOS   the average of POS, likewise
//   dim 5  ONE    1 in every embedding; the answers' unembedding rows read it, so the scale's
//                 answers dominate the next-token distribution after the answer cue
//
// Random weights read and write only dims ≥ RESERVED. The mover exists in both models, so the
// pretrained model carries the valence of the prompt to its last position but never reads it
// into the rating. The fine-tuned model differs only in the edited layers:
//   attention edit at layer L: head 1 attends uniformly and writes s·(NEG − POS) into U;
//   MLP edit at layer L: two hidden units read ±(MNEG − MPOS) and write ±s into U.
// Below the first edited layer both models compute the same activations, so patching there
// changes nothing; patching the edited outputs removes the effect.
import { createRng, type Rng } from '../../stats/rng.js';

export const RESERVED = 6;
// Gains of the two edits at strength 1, chosen so that the default pair's fine-tuned Δ_Knobe on
// vignettes told in plain words (the examples among them) lands near the range the study reports
// for real fine-tuned models (≈ 1.5–4).
const ATTN_GAIN = 4;
const MLP_GAIN = 0.02;
export const DIM = { NEG: 0, POS: 1, U: 2, MNEG: 3, MPOS: 4, ONE: 5 } as const;

export interface DemoShape {
  layers: number;
  hidden: number;
  heads: number;
  intermediate: number;
}

export type EditSite = 'attn' | 'mlp';
export interface DemoEdit {
  layer: number;
  site: EditSite;
}

export interface WeightPlan {
  seed: number;
  shape: DemoShape;
  vocabSize: number;
  negativeIds: number[];
  positiveIds: number[];
  /** Token ids of the answers "0".."10", in order. */
  answerIds: number[];
  edits: DemoEdit[];
  /** Scale of what the edits write into U. */
  strength: number;
}

export interface Tensor {
  shape: number[];
  data: Float32Array;
}

/** Standard normal draws (Box–Muller) from the seeded generator. */
function gaussian(rng: Rng): number {
  const u = 1 - rng.next();
  const v = rng.next();
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
}

/** [rows, cols] random matrix that reads only columns ≥ RESERVED (a projection out of the stream). */
function reader(rng: Rng, rows: number, cols: number, std: number): Tensor {
  const data = new Float32Array(rows * cols);
  for (let r = 0; r < rows; r++) for (let c = RESERVED; c < cols; c++) data[r * cols + c] = gaussian(rng) * std;
  return { shape: [rows, cols], data };
}

/** [rows, cols] random matrix that writes only rows ≥ RESERVED (a projection into the stream). */
function writer(rng: Rng, rows: number, cols: number, std: number): Tensor {
  const data = new Float32Array(rows * cols);
  for (let r = RESERVED; r < rows; r++) for (let c = 0; c < cols; c++) data[r * cols + c] = gaussian(rng) * std;
  return { shape: [rows, cols], data };
}

const ones = (n: number): Tensor => ({ shape: [n], data: new Float32Array(n).fill(1) });
const clone = (t: Tensor): Tensor => ({ shape: [...t.shape], data: new Float32Array(t.data) });

/** The pretrained weights, by Hugging Face name. Deterministic in the plan. */
export function pretrainedWeights(plan: WeightPlan): Record<string, Tensor> {
  const { hidden: H, heads, intermediate: I, layers } = plan.shape;
  const hd = H / heads;
  const rng = createRng(plan.seed);
  const w: Record<string, Tensor> = {};

  const embed = reader(rng, plan.vocabSize, H, 1);
  for (let t = 0; t < plan.vocabSize; t++) embed.data[t * H + DIM.ONE] = 1;
  for (const t of plan.negativeIds) embed.data[t * H + DIM.NEG] = 3;
  for (const t of plan.positiveIds) embed.data[t * H + DIM.POS] = 3;
  w['model.embed_tokens.weight'] = embed;

  const attnStd = 0.3 / Math.sqrt(H);
  const mlpStd = 0.3 / Math.sqrt(H);
  for (let l = 0; l < layers; l++) {
    const p = `model.layers.${l}.`;
    w[`${p}input_layernorm.weight`] = ones(H);
    w[`${p}self_attn.q_proj.weight`] = reader(rng, H, H, attnStd);
    w[`${p}self_attn.k_proj.weight`] = reader(rng, H, H, attnStd);
    w[`${p}self_attn.v_proj.weight`] = reader(rng, H, H, attnStd);
    w[`${p}self_attn.o_proj.weight`] = writer(rng, H, H, attnStd);
    w[`${p}post_attention_layernorm.weight`] = ones(H);
    w[`${p}mlp.gate_proj.weight`] = reader(rng, I, H, mlpStd);
    w[`${p}mlp.up_proj.weight`] = reader(rng, I, H, mlpStd);
    w[`${p}mlp.down_proj.weight`] = writer(rng, H, I, mlpStd);
  }
  installMover(w, H, hd);
  w['model.norm.weight'] = ones(H);

  const head = reader(rng, plan.vocabSize, H, 0.5 / Math.sqrt(H));
  plan.answerIds.forEach((t, k) => {
    // Answers get a small random part only, so that wording alone moves ratings little.
    for (let c = RESERVED; c < H; c++) head.data[t * H + c] *= 0.1;
    head.data[t * H + DIM.ONE] = 12;
    head.data[t * H + DIM.U] = (k - (plan.answerIds.length - 1) / 2) / ((plan.answerIds.length - 1) / 2);
  });
  w['lm_head.weight'] = head;
  return w;
}

/** Layer 0, head 0 of both models: uniform attention that averages NEG and POS into MNEG and MPOS. */
function installMover(w: Record<string, Tensor>, H: number, hd: number): void {
  const p = 'model.layers.0.self_attn.';
  const head = 0;
  zeroHead(w, p, H, hd, head);
  const v = w[`${p}v_proj.weight`].data;
  const o = w[`${p}o_proj.weight`].data;
  const gain = 12;
  v[(head * hd + 0) * H + DIM.NEG] = gain;
  v[(head * hd + 1) * H + DIM.POS] = gain;
  o[DIM.MNEG * H + head * hd + 0] = 1;
  o[DIM.MPOS * H + head * hd + 1] = 1;
}

/** Clears one head's q, k, v rows and o columns: zero q·k means uniform attention over the prefix. */
function zeroHead(w: Record<string, Tensor>, p: string, H: number, hd: number, head: number): void {
  for (const name of ['q_proj', 'k_proj', 'v_proj']) {
    const m = w[`${p}${name}.weight`].data;
    m.fill(0, head * hd * H, (head + 1) * hd * H);
  }
  const o = w[`${p}o_proj.weight`].data;
  for (let r = 0; r < H; r++) for (let c = head * hd; c < (head + 1) * hd; c++) o[r * H + c] = 0;
}

/** The fine-tuned weights: the pretrained ones with the planted edits. */
export function finetunedWeights(plan: WeightPlan, pretrained: Record<string, Tensor>): Record<string, Tensor> {
  const { hidden: H, heads, intermediate: I } = plan.shape;
  const hd = H / heads;
  const w: Record<string, Tensor> = {};
  for (const [k, t] of Object.entries(pretrained)) w[k] = t;
  for (const e of plan.edits) {
    const p = `model.layers.${e.layer}.`;
    if (e.site === 'attn') {
      for (const n of ['q_proj', 'k_proj', 'v_proj', 'o_proj']) w[`${p}self_attn.${n}.weight`] = clone(pretrained[`${p}self_attn.${n}.weight`]);
      const head = 1;
      zeroHead(w, `${p}self_attn.`, H, hd, head);
      const v = w[`${p}self_attn.v_proj.weight`].data;
      const o = w[`${p}self_attn.o_proj.weight`].data;
      v[(head * hd) * H + DIM.NEG] = 1;
      v[(head * hd) * H + DIM.POS] = -1;
      o[DIM.U * H + head * hd] = plan.strength * ATTN_GAIN;
    } else {
      for (const n of ['gate_proj', 'up_proj', 'down_proj']) w[`${p}mlp.${n}.weight`] = clone(pretrained[`${p}mlp.${n}.weight`]);
      const gate = w[`${p}mlp.gate_proj.weight`].data;
      const up = w[`${p}mlp.up_proj.weight`].data;
      const down = w[`${p}mlp.down_proj.weight`].data;
      // Units 0 and 1: silu(z)·z is ≈ z² for z > 0 and ≈ 0 for z < 0, so one unit answers a
      // negative-heavy prompt and the other a positive-heavy one; down writes them into U with opposite signs.
      for (const [unit, sign] of [[0, 1], [1, -1]] as const) {
        gate.fill(0, unit * H, (unit + 1) * H);
        up.fill(0, unit * H, (unit + 1) * H);
        for (const [dim, s] of [[DIM.MNEG, sign], [DIM.MPOS, -sign]] as const) {
          gate[unit * H + dim] = 4 * s;
          up[unit * H + dim] = 4 * s;
        }
        for (let r = 0; r < H; r++) down[r * I + unit] = 0;
        down[DIM.U * I + unit] = sign * plan.strength * MLP_GAIN;
      }
    }
  }
  return w;
}
