/**
 * More containers than one host helper captures are refused before anything
 * starts, in one line that says the limit and the caller's way past it (the
 * CLI's --via container, VS Code's Capture Backend helperContainer).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_CAPTURE_TARGETS } from '../../src/protocol/helperMessages';
import { checkHostHelperTargetCount } from '../../src/protocol/hostHelperTargetLimit';

describe('containers through one host helper', () => {
  it('takes up to the limit', () => {
    assert.doesNotThrow(() => checkHostHelperTargetCount(MAX_CAPTURE_TARGETS, '--via container has no such limit'));
  });

  it('refuses one more with the limit and the hint the caller gives', () => {
    assert.throws(() => checkHostHelperTargetCount(MAX_CAPTURE_TARGETS + 1, '--via container has no such limit'), {
      name: 'CaptureError',
      code: 'invalid-request',
      message: `${MAX_CAPTURE_TARGETS + 1} containers: the host helper captures at most ${MAX_CAPTURE_TARGETS} at once (--via container has no such limit)`,
    });
  });
});
