// Errors of a study run, each with what to do about it: the controller shows `message` and `hint`
// in the cell's error output, the CLI prints them.
export type StudyErrorCode =
  | 'bad-cell' // the cell has format errors
  | 'duplicate-name' // two cells share a name: which one a reference means is unknown, nothing runs
  | 'unknown-reference' // names a cell that does not exist or has the wrong kind
  | 'model-load' // a checkpoint could not be found or read
  | 'pair-mismatch' // the two models differ in architecture, size or vocabulary
  | 'untrusted' // the workspace is not trusted: nothing runs, nothing downloads
  | 'memory' // the pair cannot fit the memory budget at the precision asked for
  | 'dependency-failed' // a cell this one needs failed
  | 'prompt-too-long' // a prompt does not fit the model's positions
  | 'cancelled'
  | 'run-failed'; // inference or statistics failed

export class StudyError extends Error {
  constructor(
    readonly code: StudyErrorCode,
    message: string,
    readonly hint?: string,
    readonly cell?: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'StudyError';
  }
}

export function isCancellation(e: unknown): boolean {
  if (e instanceof StudyError) return e.code === 'cancelled';
  const err = e as { name?: string; code?: string } | undefined;
  return err?.name === 'AbortError' || err?.code === 'cancelled';
}
