// The sliced graphs of one model: each function builds one graph on demand, so a caller can
// serialise it, open a session and drop it before building the next (weights are large).
import type { GraphBuilder } from './builder.js';

export interface SliceGraphs {
  embed(): GraphBuilder;
  attention(layer: number): GraphBuilder;
  mlp(layer: number): GraphBuilder;
  norm(): GraphBuilder;
  head(): GraphBuilder;
}
