// Every statistic in this folder refuses input it cannot honestly summarise. Rather than return a
// number that looks valid (a t of Infinity, an F of NaN), it throws a StatsError whose `code` says
// what was wrong and whose message names the culprit (group, index, subject, cell). Callers branch
// on the code; people read the message.

export type StatsErrorCode =
  /** A group, condition or data set has no values at all. */
  | 'empty'
  /** Fewer values than the statistic needs (e.g. n < 2 for a standard deviation). */
  | 'too-few'
  /** A value is NaN or ±Infinity. */
  | 'non-finite'
  /** Every value is identical where a spread is needed (t, d, F would divide by zero). */
  | 'zero-variance'
  /** Paired data whose two sides do not match item for item. */
  | 'unpaired'
  /** A design that cannot be analysed: missing cells, collinear columns, unsupported factors. */
  | 'design'
  /** An option out of range (confidence level, replicate count, p-value outside [0, 1]). */
  | 'invalid-argument';

export class StatsError extends Error {
  override readonly name = 'StatsError';
  constructor(readonly code: StatsErrorCode, message: string) {
    super(message);
  }
}

/** Throws unless every value is finite; `what` names the data in the message. */
export function requireFinite(values: ArrayLike<number>, what: string): void {
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    if (!Number.isFinite(v)) throw new StatsError('non-finite', `${what}: value ${v} at index ${i} is not a finite number`);
  }
}

/** Throws unless there are at least `min` values (and at least one). */
export function requireCount(values: ArrayLike<number>, min: number, what: string): void {
  if (values.length === 0) throw new StatsError('empty', `${what}: no values`);
  if (values.length < min) throw new StatsError('too-few', `${what}: ${values.length} value(s), at least ${min} needed`);
}

export function requireLevel(level: number): void {
  if (!(level > 0 && level < 1)) throw new StatsError('invalid-argument', `confidence level ${level} is not between 0 and 1`);
}
