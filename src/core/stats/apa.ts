// APA-style result lines (APA Publication Manual, 7th ed., §6.36 and §6.46):
// - statistics and effect sizes to two decimals;
// - p to three decimals with no leading zero, floored at "p < .001" (and "p > .999" where three
//   decimals would print 1.000);
// - values that cannot exceed 1 (p, η²p) have no leading zero; d, g, d_z keep theirs;
// - whole-number df print as integers, fractional (Welch, sphericity-corrected) df to one decimal.
import { StatsError } from './errors.js';
import type { Correction } from './multiple.js';

function fixed(x: number, digits: number): string {
  // Rounding can print "-0.00"; a sign on zero would suggest a direction that is not there.
  const s = x.toFixed(digits);
  return /^-0\.?0*$/.test(s) ? s.slice(1) : s;
}

/** A number in [0, 1] without its leading zero: 0.5 → ".50". */
export function noLeadingZero(x: number, digits: number): string {
  return fixed(x, digits).replace(/^(-?)0\./, '$1.');
}

/** "p = .032", "p < .001", "p > .999". */
export function formatP(p: number): string {
  if (!(p >= 0 && p <= 1)) throw new StatsError('invalid-argument', `p-value ${p} is not in [0, 1]`);
  if (p < 0.001) return 'p < .001';
  const s = noLeadingZero(p, 3);
  return s === '1.000' ? 'p > .999' : `p = ${s}`;
}

/**
 * 564 → "564"; 38.2137 → "38.2". A df computed numerically (Satterthwaite) that is a whole number
 * up to rounding (76.9999998) prints as one.
 */
export function formatDf(df: number): string {
  const whole = Math.round(df);
  return Math.abs(df - whole) <= 1e-6 * Math.max(1, whole) ? String(whole) : fixed(df, 1);
}

/** "d = 1.30"; η²-type names print without the leading zero. */
export function formatEffect(name: string, value: number): string {
  const bounded = name === 'η²p' || name === 'η²' || name === 'ω²';
  return `${name} = ${bounded ? noLeadingZero(value, 2) : fixed(value, 2)}`;
}

/** "t(38.2) = 4.10, p < .001, d = 1.30". */
export function formatT(t: number, df: number, p: number, effect?: { name: string; value: number }): string {
  const parts = [`t(${formatDf(df)}) = ${fixed(t, 2)}`, formatP(p)];
  if (effect && Number.isFinite(effect.value)) parts.push(formatEffect(effect.name, effect.value));
  return parts.join(', ');
}

/** "F(2, 564) = 283.60, p < .001, η²p = .50". */
export function formatF(F: number, df1: number, df2: number, p: number, partialEta2?: number): string {
  const parts = [`F(${formatDf(df1)}, ${formatDf(df2)}) = ${fixed(F, 2)}`, formatP(p)];
  if (partialEta2 !== undefined && Number.isFinite(partialEta2)) parts.push(formatEffect('η²p', partialEta2));
  return parts.join(', ');
}

const CORRECTION_LABEL: Record<Exclude<Correction, 'none'>, string> = { holm: 'Holm', bonferroni: 'Bonferroni', bh: 'BH' };

/**
 * The APA line with the adjusted p printed right after the raw one: "…, p = .056, p_Holm = .112, …".
 * Lines without a p-value, and `none`, are returned unchanged.
 */
export function withAdjustedP(apa: string, pAdjusted: number, method: Correction): string {
  if (method === 'none') return apa;
  const adjusted = `p_${CORRECTION_LABEL[method]} ${formatP(pAdjusted).slice(2)}`;
  return apa.replace(/(^|, |: )(p [<=>] \.\d{3})/, (_, before: string, raw: string) => `${before}${raw}, ${adjusted}`);
}
