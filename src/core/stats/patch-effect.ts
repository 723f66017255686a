// "How much of the Knobe effect does this patch remove?" For each item, the recipient's rating
// without the patch, with it, and the donor's rating; the fraction is
//   (Δ_unpatched − Δ_patched) / (Δ_unpatched − Δ_donor),
// 0 when the patch changes nothing, 1 when it brings the recipient to the donor's Δ. Items are
// resampled within their condition so every resample keeps the design's group sizes.
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
  const boot = bootstrap(items, fractionOf, { ...opts, strata: (it) => it.condition });
  return {
    deltaUnpatched,
    deltaPatched: delta(items, 'patched'),
    deltaDonor,
    fraction: boot.estimate,
    ci: boot.bca ?? boot.percentile,
    ciMethod: boot.bca ? 'bca' : 'percentile',
    bootstrap: boot,
  };
}
