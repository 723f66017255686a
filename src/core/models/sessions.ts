// Opening a model's slice sessions on one device. The slices are opened one at a time, in forward
// order, each from a graph produced on demand (built in memory, or a file of the graph cache), so
// that only one slice's serialised graph is alive beside the sessions already open. A provider
// that cannot create one of the sessions gives way to the CPU for all of them: a model never
// spreads over two devices.
import { fellBack, type DeviceChoice } from './device.js';
import { checkPrecision, type Precision } from './precision.js';
import type { SliceGraphs } from './graph/slices.js';
import type { GraphBuilder } from './graph/builder.js';
import { GraphSession, RuntimeError, type RuntimeOptions } from './runtime.js';

/** One session per slice, in the layout the run API steps through. */
export interface SliceSessions {
  embed: GraphSession;
  attention: GraphSession[];
  mlp: GraphSession[];
  norm: GraphSession;
  head: GraphSession;
}

/** Slice names in forward order; they are also the graphs' names and the cache's file names. */
export function sliceNames(numLayers: number): string[] {
  const names = ['embed'];
  for (let l = 0; l < numLayers; l++) names.push(`attention_${l}`, `mlp_${l}`);
  names.push('norm', 'head');
  return names;
}

/** The graph of the slice called `name`. */
export function buildSlice(graphs: SliceGraphs, name: string): GraphBuilder {
  if (name === 'embed') return graphs.embed();
  if (name === 'norm') return graphs.norm();
  if (name === 'head') return graphs.head();
  const m = /^(attention|mlp)_(\d+)$/.exec(name);
  if (!m) throw new Error(`no slice called ${name}`);
  return m[1] === 'attention' ? graphs.attention(Number(m[2])) : graphs.mlp(Number(m[2]));
}

export interface OpenProgress {
  done: number;
  total: number;
  message: string;
}

export interface OpenOptions extends RuntimeOptions {
  /** Checked again when the CPU takes over from a failing provider. */
  precision?: Precision;
  onSession?: (p: OpenProgress) => void;
  signal?: AbortSignal;
}

export class AbortedError extends Error {
  override readonly name = 'AbortError';
}

export function checkAborted(signal: AbortSignal | undefined, what: string): void {
  if (signal?.aborted) throw new AbortedError(`${what} was cancelled`, { cause: signal.reason });
}

/**
 * Opens every slice on `choice.used`, falling back to the CPU (and starting over there) when the
 * provider fails. `graph(name)` gives serialised bytes or the path of a model file.
 */
export async function openSlices(
  numLayers: number,
  graph: (name: string) => Uint8Array | string,
  choice: DeviceChoice,
  opts: OpenOptions = {},
): Promise<{ sessions: SliceSessions; device: DeviceChoice }> {
  const names = sliceNames(numLayers);
  let device = choice;
  for (;;) {
    const opened: GraphSession[] = [];
    try {
      for (const name of names) {
        checkAborted(opts.signal, 'loading the model');
        opened.push(await GraphSession.create(label(name), graph(name), opts, device.used));
        opts.onSession?.({ done: opened.length, total: names.length, message: `${label(name)} on ${device.used}` });
      }
      return { sessions: arrange(opened, numLayers), device };
    } catch (e) {
      await Promise.all(opened.map((s) => s.dispose()));
      if (device.used === 'cpu' || !(e instanceof RuntimeError)) throw e;
      device = fellBack(device, e);
      if (opts.precision) checkPrecision(opts.precision, device.used, device.fallback);
    }
  }
}

/** "attention_3" → "attention 3", as sessions have been called in errors. */
const label = (name: string) => name.replace('_', ' ').replace(/^norm$/, 'final norm').replace(/^head$/, 'unembedding');

function arrange(opened: GraphSession[], numLayers: number): SliceSessions {
  const attention: GraphSession[] = [];
  const mlp: GraphSession[] = [];
  for (let l = 0; l < numLayers; l++) {
    attention.push(opened[1 + 2 * l]);
    mlp.push(opened[2 + 2 * l]);
  }
  return { embed: opened[0], attention, mlp, norm: opened[1 + 2 * numLayers], head: opened[2 + 2 * numLayers] };
}
