// Hook points in TransformerLens naming, and the "state machine" view of a forward pass the
// scheduler resumes from. State 2l is blocks.l.hook_resid_pre, 2l+1 is blocks.l.hook_resid_mid,
// 2L is the residual stream after the last block. Half-step 2l is attention (its output is
// hook_attn_out), half-step 2l+1 the MLP (hook_mlp_out).
import { PatchError } from './errors.js';

export const LAYER_SITES = ['resid_pre', 'attn_out', 'resid_mid', 'mlp_out', 'resid_post'] as const;
export type LayerSite = (typeof LAYER_SITES)[number];

export function isLayerSite(s: string): s is LayerSite {
  return (LAYER_SITES as readonly string[]).includes(s);
}

/** `blocks.{layer}.hook_{site}`. */
export function hookName(site: LayerSite, layer: number): string {
  return `blocks.${layer}.hook_${site}`;
}

/** Ordered hook names of a model with `numLayers` blocks. */
export function allHookNames(numLayers: number): string[] {
  const names = ['hook_embed'];
  for (let l = 0; l < numLayers; l++) for (const s of LAYER_SITES) names.push(hookName(s, l));
  names.push('ln_final.hook_normalized', 'logits');
  return names;
}

/** A site as written in a notebook (`mlp_out`, `hook_mlp_out`) → its layer site. */
export function parseSite(text: string): LayerSite {
  const s = text.trim().replace(/^hook_/, '');
  if (isLayerSite(s)) return s;
  throw new PatchError('bad-site', `unknown patch site "${text}"; expected one of ${LAYER_SITES.join(', ')}`);
}

/** `blocks.7.hook_mlp_out` → { site: 'mlp_out', layer: 7 }; `hook_embed` → resid_pre of layer 0. */
export function parseHookName(name: string, numLayers: number): { site: LayerSite; layer: number } {
  if (name === 'hook_embed') return { site: 'resid_pre', layer: 0 };
  const m = /^blocks\.(\d+)\.hook_([a-z_]+)$/.exec(name);
  if (!m || !isLayerSite(m[2])) {
    throw new PatchError('bad-site', `"${name}" is not a patchable hook; use hook_embed or blocks.{L}.hook_{${LAYER_SITES.join('|')}}`);
  }
  const layer = Number(m[1]);
  if (layer >= numLayers) throw new PatchError('bad-layers', `hook "${name}": layer ${layer} does not exist (the model has ${numLayers} layers)`);
  return { site: m[2], layer };
}

/** The state a patch of `site` at `layer` first changes: the scheduler resumes there. */
export function entryState(site: LayerSite, layer: number): number {
  switch (site) {
    case 'resid_pre':
    case 'attn_out':
      return 2 * layer;
    case 'resid_mid':
    case 'mlp_out':
      return 2 * layer + 1;
    case 'resid_post':
      return 2 * layer + 2;
  }
}

/** The state whose value is the site's activation (output sites have none: they are half-step outputs). */
export function stateOfSite(site: LayerSite, layer: number): number | undefined {
  if (site === 'resid_pre') return 2 * layer;
  if (site === 'resid_mid') return 2 * layer + 1;
  if (site === 'resid_post') return 2 * layer + 2;
  return undefined;
}
