// `knobe demo-pair <folder>`: writes the synthetic demo pair, e.g. to plant an effect elsewhere.
import { resolve } from 'node:path';
import { DEFAULT_DEMO, generateDemoPair, type DemoEdit, type DemoOptions } from '../core/models/demo/index.js';
import { UsageError, type DemoPairArgs } from './args.js';

export function demoPairOptions(args: DemoPairArgs): { dir: string; options: DemoOptions } {
  const { values } = args;
  const int = (name: string, v: string | undefined, dflt: number) => {
    if (v === undefined) return dflt;
    const n = Number(v);
    if (!Number.isInteger(n)) throw new UsageError(`--${name} takes a whole number, not "${v}"`, 'demo-pair');
    return n;
  };
  const layers = (values.edit ?? DEFAULT_DEMO.edits.map((e) => e.layer).join(',')).split(',').map((s) => int('edit', s.trim(), 0));
  const sites = (values.sites ?? DEFAULT_DEMO.edits.map((e) => e.site).join(',')).split(',').map((s) => s.trim());
  if (sites.length !== layers.length && sites.length !== 1) throw new UsageError('--sites names one site, or one per --edit layer', 'demo-pair');
  const edits: DemoEdit[] = layers.map((layer, i) => ({ layer, site: (sites.length === 1 ? sites[0] : sites[i]) as DemoEdit['site'] }));
  const strength = values.strength === undefined ? DEFAULT_DEMO.strength : Number(values.strength);
  if (!(strength > 0)) throw new UsageError(`--strength takes a positive number, not "${values.strength}"`, 'demo-pair');
  return {
    dir: resolve(args.folder),
    options: {
      seed: int('seed', values.seed, DEFAULT_DEMO.seed),
      shape: {
        layers: int('layers', values.layers, DEFAULT_DEMO.shape.layers),
        hidden: int('hidden', values.hidden, DEFAULT_DEMO.shape.hidden),
        heads: int('heads', values.heads, DEFAULT_DEMO.shape.heads),
        intermediate: DEFAULT_DEMO.shape.intermediate,
      },
      edits,
      strength,
    },
  };
}

export function writeDemoPairCommand(args: DemoPairArgs): string {
  const { dir, options } = demoPairOptions(args);
  const pair = generateDemoPair(dir, options);
  return `wrote the synthetic demo pair to ${dir} (edited: ${pair.manifest.edits.map((e) => `${e.site} ${e.layer}`).join(', ')})`;
}
