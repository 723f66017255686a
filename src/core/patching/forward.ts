// A forward pass as a walk over residual states, resumable at any of them. State 2l is
// blocks.l.hook_resid_pre, 2l+1 blocks.l.hook_resid_mid, 2L the stream after the last block.
// Resuming at state k from a cached value recomputes nothing below it; run over a window of
// columns with the earlier columns' keys/values as `past`, it recomputes nothing before them.
import type { LayerSite } from './hooks.js';
import type { Act, KV, StepBatch, StepModel } from './model.js';
import { add } from './tensor.js';

/** Called at every hook the walk passes; a returned activation replaces the hook's value. */
export type SiteHook = (site: LayerSite, layer: number, act: Act) => Act | undefined;

export interface WalkOptions {
  hook?: SiteHook;
  /** Keys/values of the columns before the batch's window, per layer. */
  past?: (layer: number) => KV | undefined;
  /** Sees each state's value (after its hooks) as the walk reaches it. */
  onState?: (state: number, act: Act) => void;
  /** Sees the keys/values of every layer whose attention runs. */
  onPresent?: (layer: number, kv: KV) => void;
  /** Last state to reach (default 2L); the walk returns its value. */
  until?: number;
}

function applyHook(hook: SiteHook | undefined, site: LayerSite, layer: number, act: Act): Act {
  return (hook && hook(site, layer, act)) ?? act;
}

/** Hooks at a state, in TransformerLens order: resid_post of the block before, then resid_pre. */
export function applyHooksAtState(state: number, numLayers: number, hook: SiteHook | undefined, act: Act): Act {
  const l = state >> 1;
  if (state % 2 === 1) return applyHook(hook, 'resid_mid', l, act);
  if (l > 0) act = applyHook(hook, 'resid_post', l - 1, act);
  if (l < numLayers) act = applyHook(hook, 'resid_pre', l, act);
  return act;
}

/** Walks from state `from` (whose value is `x`, before its hooks) to `until`, returning that state. */
export async function walk(model: StepModel, batch: StepBatch, from: number, x: Act, opts: WalkOptions = {}): Promise<Act> {
  const L = model.numLayers;
  const until = opts.until ?? 2 * L;
  x = applyHooksAtState(from, L, opts.hook, x);
  opts.onState?.(from, x);
  for (let s = from; s < until; s++) {
    const l = s >> 1;
    if (s % 2 === 0) {
      const { attnOut, present } = await model.attention(l, x, batch, opts.past?.(l));
      opts.onPresent?.(l, present);
      x = add(x, applyHook(opts.hook, 'attn_out', l, attnOut));
    } else {
      x = add(x, applyHook(opts.hook, 'mlp_out', l, await model.mlp(l, x)));
    }
    x = applyHooksAtState(s + 1, L, opts.hook, x);
    opts.onState?.(s + 1, x);
  }
  return x;
}

/** A whole forward from the embeddings (hook_embed is treated as blocks.0.hook_resid_pre). */
export async function forward(model: StepModel, batch: StepBatch, opts: WalkOptions = {}): Promise<Act> {
  return walk(model, batch, 0, await model.embed(batch), opts);
}
