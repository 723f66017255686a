// Errors raised while scoring ratings. A `code` lets callers (and tests) tell the cases apart
// without matching message text; the message always names the culprit.

export type ScoringErrorCode =
  | 'bad-scale'
  | 'ambiguous-answers'
  | 'empty-answer'
  | 'bad-sampling-option'
  | 'bad-prompt';

export class ScoringError extends Error {
  constructor(
    readonly code: ScoringErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ScoringError';
  }
}
