// Hook point names (TransformerLens's, never renamed once published) in forward order.

export const BLOCK_HOOKS = ['hook_resid_pre', 'hook_attn_out', 'hook_resid_mid', 'hook_mlp_out', 'hook_resid_post'] as const;
export type BlockHook = (typeof BLOCK_HOOKS)[number];

export const blockHook = (layer: number, hook: BlockHook) => `blocks.${layer}.${hook}`;

/** Every hook point of a model with `numLayers` blocks, in the order a forward pass reaches them. */
export function hookNames(numLayers: number): string[] {
  const names = ['hook_embed'];
  for (let l = 0; l < numLayers; l++) for (const h of BLOCK_HOOKS) names.push(blockHook(l, h));
  names.push('ln_final.hook_normalized', 'logits');
  return names;
}
