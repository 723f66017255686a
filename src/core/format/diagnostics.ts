// Diagnostics are data: a stable code (tests and tools match on it), a message for people, and a
// position. Codes are part of the format's public contract; never rename one once published.

export type Severity = 'error' | 'warning' | 'info';

export type Code =
  | 'missing-header'
  | 'unknown-version'
  | 'unterminated-cell'
  | 'unknown-cell-kind'
  | 'invalid-name'
  | 'duplicate-name'
  | 'unknown-key'
  | 'duplicate-key'
  | 'missing-key'
  | 'scale-without-answers'
  | 'bad-range'
  | 'bad-value'
  | 'obsolete-value'
  | 'unknown-reference'
  | 'template-mismatch'
  | 'unknown-slot'
  | 'missing-slot'
  | 'orphan-output'
  | 'malformed-output'
  | 'edited-output'
  | 'stray-text';

export const CODES: readonly Code[] = [
  'missing-header', 'unknown-version', 'unterminated-cell', 'unknown-cell-kind', 'invalid-name',
  'duplicate-name', 'unknown-key', 'duplicate-key', 'missing-key', 'scale-without-answers', 'bad-range',
  'bad-value', 'obsolete-value', 'unknown-reference', 'template-mismatch', 'unknown-slot', 'missing-slot', 'orphan-output', 'malformed-output', 'edited-output', 'stray-text',
];

export interface Diagnostic {
  code: Code;
  message: string;
  severity: Severity;
  /** Offsets into the document text, end exclusive. */
  start: number;
  end: number;
  /** 1-based position of `start`. */
  line: number;
  column: number;
}

/** A diagnostic before its line and column are known (filled in by `locate`). */
export type RawDiagnostic = Omit<Diagnostic, 'line' | 'column'>;

export function diag(code: Code, message: string, start: number, end: number, severity: Severity = 'error'): RawDiagnostic {
  return { code, message, severity, start, end: Math.max(start, end) };
}
