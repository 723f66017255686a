// Patches run side by side: the patched recipients of several patches are stacked along the batch
// axis and stepped through the layers together, each joining the stack at the state it resumes
// from. A sweep of L single-layer patches then costs L layer calls per stack instead of about
// L²/2, which matters when the patched window is a few columns and the per-call cost dominates.
// Each block of rows keeps its own patch; the rows never mix (attention is per row).
import { applyHooksAtState, type SiteHook } from './forward.js';
import type { Act, KV, StepBatch, StepModel } from './model.js';
import { add, kvRowsRepeated } from './tensor.js';

export interface StackedPatch {
  /** State the patch resumes from. */
  entry: number;
  /** The recipient's unpatched value of that state, [B, n, H]. */
  start: Act;
  /** The patch, applied to this block's rows only. */
  hook: SiteHook;
}

function concatRows(a: Act | undefined, b: Act): Act {
  if (!a) return b;
  const data = new Float32Array(a.data.length + b.data.length);
  data.set(a.data);
  data.set(b.data, a.data.length);
  return { data, dims: [a.dims[0] + b.dims[0], ...a.dims.slice(1)] };
}

/** Rows [from, to) of a [rows, n, H] activation, without copying. */
function rowView(a: Act, from: number, to: number): Act {
  const per = a.data.length / a.dims[0];
  return { data: a.data.subarray(from * per, to * per), dims: [to - from, ...a.dims.slice(1)] };
}

/** Applies each block's hooks to its rows; copies only when some block's patch changes it. */
function blockwise(act: Act, B: number, blocks: StackedPatch[], apply: (hook: SiteHook, view: Act) => Act): Act {
  let out: Float32Array | undefined;
  const per = act.data.length / act.dims[0];
  blocks.forEach((p, j) => {
    const view = rowView(act, j * B, (j + 1) * B);
    const r = apply(p.hook, view);
    if (r !== view) {
      out ??= new Float32Array(act.data);
      out.set(r.data, j * B * per);
    }
  });
  return out ? { data: out, dims: act.dims } : act;
}

/** The batch of `blocks` copies of a segment. */
function repeatedBatch(seg: StepBatch, blocks: number): StepBatch {
  if (blocks === 1) return seg;
  const ids = (a: BigInt64Array) => {
    const out = new BigInt64Array(a.length * blocks);
    for (let j = 0; j < blocks; j++) out.set(a, j * a.length);
    return out;
  };
  const mask = new Uint8Array(seg.keyMask.length * blocks);
  for (let j = 0; j < blocks; j++) mask.set(seg.keyMask, j * seg.keyMask.length);
  return { size: seg.size * blocks, length: seg.length, past: seg.past, inputIds: ids(seg.inputIds), positionIds: ids(seg.positionIds), keyMask: mask };
}

/**
 * Steps every patch from its entry state to the end over the segment's columns, stacked. Returns
 * each patch's final state [B, n, H], in the order given. `onHeld` sees the bytes of the stacked
 * residual after every step.
 */
export async function runStacked(
  model: StepModel,
  segment: StepBatch,
  past: ((layer: number) => KV | undefined) | undefined,
  patches: StackedPatch[],
  onHeld?: (bytes: number) => void,
): Promise<Act[]> {
  const L = model.numLayers;
  const B = segment.size;
  const order = patches.map((_, i) => i).sort((a, b) => patches[a].entry - patches[b].entry);
  const blocks: StackedPatch[] = [];
  const batches = new Map<number, StepBatch>();
  const batchFor = (n: number) => batches.get(n) ?? batches.set(n, repeatedBatch(segment, n)).get(n)!;
  let x: Act | undefined;
  let next = 0;
  for (let s = patches[order[0]].entry; ; s++) {
    // Patches resuming here join the stack with their own state hooks applied.
    while (next < order.length && patches[order[next]].entry === s) {
      const p = patches[order[next++]];
      x = concatRows(x, applyHooksAtState(s, L, p.hook, p.start));
      blocks.push(p);
    }
    if (s === 2 * L) break;
    const l = s >> 1;
    const cur = x!;
    let out: Act;
    if (s % 2 === 0) {
      const pastKv = past?.(l);
      const { attnOut } = await model.attention(l, cur, batchFor(blocks.length), pastKv && kvRowsRepeated(pastKv, blocks.length));
      out = blockwise(attnOut, B, blocks, (h, v) => h('attn_out', l, v) ?? v);
    } else {
      out = blockwise(await model.mlp(l, cur), B, blocks, (h, v) => h('mlp_out', l, v) ?? v);
    }
    x = blockwise(add(cur, out), B, blocks, (h, v) => applyHooksAtState(s + 1, L, h, v));
    onHeld?.(x.data.byteLength);
  }
  const finals: Act[] = [];
  blocks.forEach((p, j) => (finals[patches.indexOf(p)] = rowView(x!, j * B, (j + 1) * B)));
  return finals;
}
