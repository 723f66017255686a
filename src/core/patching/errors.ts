// Errors of patch specs and sweeps. `code` tells the cases apart; the message names the culprit
// (the prompt, the phrase, the hook) so a researcher can fix the notebook.

export type PatchErrorCode =
  | 'bad-site'
  | 'bad-layers'
  | 'bad-positions'
  | 'phrase-not-found'
  | 'position-out-of-range'
  | 'tokenization-mismatch'
  | 'bad-mix'
  | 'bad-sweep'
  | 'model-mismatch';

export class PatchError extends Error {
  constructor(
    readonly code: PatchErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'PatchError';
  }
}

/** Thrown when a run is cancelled through its AbortSignal; no partial result is returned. */
export class CancelledError extends Error {
  readonly code = 'cancelled';
  constructor(message = 'the run was cancelled') {
    super(message);
    this.name = 'CancelledError';
  }
}

export function isCancelled(err: unknown): err is CancelledError {
  return err instanceof CancelledError;
}

/** Throws a CancelledError when the signal has fired. Called between batches. */
export function throwIfCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}
