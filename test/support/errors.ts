// Assertions on CheckpointError: the error kind, and that the message names the culprit.
import assert from 'node:assert/strict';
import { CheckpointError, type CheckpointErrorCode } from '../../src/core/models/errors.js';

/** A validator for assert.throws / assert.rejects: a CheckpointError of `code` whose message mentions each of `mentions`. */
export function checkpointError(code: CheckpointErrorCode, ...mentions: string[]): (e: unknown) => true {
  return (e: unknown) => {
    assert.ok(e instanceof CheckpointError, `expected CheckpointError, got ${String(e)}`);
    assert.equal(e.code, code, e.message);
    for (const m of mentions) assert.ok(e.message.includes(m), `"${e.message}" should mention "${m}"`);
    return true;
  };
}

export function expectError(fn: () => unknown, code: CheckpointErrorCode, ...mentions: string[]): void {
  assert.throws(fn, checkpointError(code, ...mentions));
}
