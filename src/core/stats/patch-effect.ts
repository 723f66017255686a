// "How much of the Knobe effect does this patch remove?" For each item, the recipient's rating
// without the patch, with it, and the donor's rating; the fraction is
//   (Δ_unpatched − Δ_patched) / (Δ_unpatched − Δ_donor),
// 0 when the patch changes nothing, 1 when it brings the recipient to the donor's Δ. The bootstrap
// resamples what is independent in the design: for paired templates the item, its two versions
// together (an item's versions share everything but the side effect, so resampling them apart
// would add the between-item spread to the interval); for independent items, items within their
// condition, so every resample keeps the design's group sizes.
import type { Condition } from '../../common/results.js';
import { StatsError, requireFinite } from './errors.js';
import { bootstrap, type BootstrapResult } from './bootstrap.js';

export interface PatchItem {
  item?: string;
  condition: Condition;
  unpatched: number;
  patched: number;
  donor: number;
}

export interface FractionRemoved {
  deltaUnpatched: number;
  deltaPatched: number;
  deltaDonor: number;
  fraction: number;
  /** BCa interval when defined, otherwise the percentile one; `ciMethod` says which. */
  ci: [number, number];
  ciMethod: 'bca' | 'percentile';
  bootstrap: BootstrapResult;
  /** What was resampled: whole items (paired templates) or items within their condition. */
  resampled: 'items' | 'within condition';
}

type Column = 'unpatched' | 'patched' | 'donor';

function delta(items: readonly PatchItem[], col: Column): number {
  let sn = 0, nn = 0, sp = 0, np = 0;
  for (const it of items) {
    if (it.condition === 'negative') { sn += it[col]; nn++; }
    else { sp += it[col]; np++; }
  }
  return sn / nn - sp / np;
}

function fractionOf(items: readonly PatchItem[]): number {
  const u = delta(items, 'unpatched');
  return (u - delta(items, 'patched')) / (u - delta(items, 'donor'));
}

/**
 * Fraction of Δ_Knobe removed by a patch, with a seeded bootstrap CI over items.
 * Throws `too-few` (< 2 items in a condition), `non-finite`, or `zero-variance` when the recipient
 * and donor have the same Δ (the fraction is then 0/0 or unbounded).
 */
export function fractionRemoved(items: readonly PatchItem[], opts: { seed: number; replicates?: number; level?: number }): FractionRemoved {
  for (const cond of ['negative', 'positive'] as const) {
    const n = items.filter((it) => it.condition === cond).length;
    if (n < 2) throw new StatsError(n === 0 ? 'empty' : 'too-few', `fraction removed: ${n} ${cond} item(s), at least 2 needed`);
  }
  items.forEach((it, i) => requireFinite([it.unpatched, it.patched, it.donor], `item ${it.item ?? i}`));
  const deltaUnpatched = delta(items, 'unpatched');
  const deltaDonor = delta(items, 'donor');
  if (deltaUnpatched === deltaDonor) {
    throw new StatsError('zero-variance', `fraction removed: recipient and donor have the same Δ_Knobe (${deltaDonor}), nothing to remove`);
  }
  const pairs = pairsOf(items);
  const boot = pairs
    ? bootstrap(pairs, (s) => fractionOf(s.flat()), opts)
    : bootstrap(items, fractionOf, { ...opts, strata: (it) => it.condition });
  return {
    deltaUnpatched,
    deltaPatched: delta(items, 'patched'),
    deltaDonor,
    fraction: boot.estimate,
    ci: boot.bca ?? boot.percentile,
    ciMethod: boot.bca ? 'bca' : 'percentile',
    bootstrap: boot,
    resampled: pairs ? 'items' : 'within condition',
  };
}

/** Each item's two versions, when every item is named and has exactly one of each condition. */
function pairsOf(items: readonly PatchItem[]): PatchItem[][] | undefined {
  const byItem = new Map<string, PatchItem[]>();
  for (const it of items) {
    if (it.item === undefined) return undefined;
    const g = byItem.get(it.item);
    if (g) g.push(it);
    else byItem.set(it.item, [it]);
  }
  const groups = [...byItem.values()];
  return groups.every((g) => g.length === 2 && g[0].condition !== g[1].condition) ? groups : undefined;
}
