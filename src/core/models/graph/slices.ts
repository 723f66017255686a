// The sliced graphs of one model: each function serialises one ONNX model on demand, so a caller
// can create a session and drop the bytes before building the next (weights are large).
export interface SliceGraphs {
  embed(): Uint8Array;
  attention(layer: number): Uint8Array;
  mlp(layer: number): Uint8Array;
  norm(): Uint8Array;
  head(): Uint8Array;
}
