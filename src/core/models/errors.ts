// One error type for everything that can go wrong while obtaining a model: a stable `code` for
// programs (tests, the controller's diagnostics) and a message that names the culprit for people.

export type CheckpointErrorCode =
  | 'missing-file'
  | 'corrupt-safetensors'
  | 'missing-tensor'
  | 'unsupported-dtype'
  | 'shape-mismatch'
  | 'invalid-config'
  | 'unsupported-architecture'
  | 'unsupported-config'
  | 'pair-mismatch'
  | 'tokenizer-error'
  | 'chat-template-error'
  | 'invalid-source'
  | 'download-failed'
  | 'auth-required'
  | 'not-found'
  | 'size-mismatch'
  | 'checksum-mismatch';

export interface CheckpointErrorDetails {
  /** The file or folder at fault, when there is one. */
  path?: string;
  /** The tensor, field or token at fault, when there is one. */
  name?: string;
  cause?: unknown;
}

export class CheckpointError extends Error {
  override readonly name = 'CheckpointError';
  readonly code: CheckpointErrorCode;
  readonly path?: string;
  readonly culprit?: string;

  constructor(code: CheckpointErrorCode, message: string, details: CheckpointErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.code = code;
    this.path = details.path;
    this.culprit = details.name;
  }
}

export function isCheckpointError(e: unknown, code?: CheckpointErrorCode): e is CheckpointError {
  return e instanceof CheckpointError && (code === undefined || e.code === code);
}
