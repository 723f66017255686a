// Names of the inputs and outputs of the sliced graphs: the contract between the graph builders
// and the run API (model.ts). Shapes use B = batch, S = new positions, P = cached positions,
// T = P + S, H = hidden size, V = vocabulary.
export const IO = {
  /** embed: input_ids [B,S] int64 (+ position_ids [B,S] int64 for learned positions) → hook_embed [B,S,H] */
  inputIds: 'input_ids',
  positionIds: 'position_ids',
  embed: 'hook_embed',
  /** attention: resid_pre [B,S,H], attn_mask [B,S,T] (additive), past_key/past_value [B,kvHeads,P,headDim],
   *  cos/sin [B,S,headDim/2] (rotary models) → attn_out [B,S,H], present_key/present_value [B,kvHeads,T,headDim] */
  residPre: 'resid_pre',
  attnMask: 'attn_mask',
  pastKey: 'past_key',
  pastValue: 'past_value',
  cos: 'cos',
  sin: 'sin',
  attnOut: 'attn_out',
  presentKey: 'present_key',
  presentValue: 'present_value',
  /** mlp: resid_mid [B,S,H] → mlp_out [B,S,H] */
  residMid: 'resid_mid',
  mlpOut: 'mlp_out',
  /** norm: resid_post [B,S,H] → normalized [B,S,H]; head: normalized [B,S,H] → logits [B,S,V] */
  residPost: 'resid_post',
  normalized: 'normalized',
  logits: 'logits',
} as const;
