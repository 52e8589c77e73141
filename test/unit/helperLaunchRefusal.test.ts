/** What pkexec's answer means to the user: a dismissed dialog, polkit's refusal, or no agent to ask. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { pkexecRefusal } from '../../src/client/helperLaunch';

test('polkit refusing is "Authorization refused" with the next step, not "Capture cancelled"', () => {
  const e = pkexecRefusal(127, 'Error executing command as another user: Not authorized\n\nThis incident has been reported.\n', false);
  assert.equal(e?.code, 'authorization-refused');
  assert.match(e?.message ?? '', /^Authorization refused: polkit does not allow/);
  assert.match(e?.message ?? '', /captureBackend to helperContainer/);
  // Whatever language pkexec speaks: an unelevated 127 (sudo-prompt's marker) is a refusal.
  assert.equal(pkexecRefusal(127, 'Fehler: Nicht berechtigt', true)?.code, 'authorization-refused');
});

test('a dismissed password dialog is a quiet cancel', () => {
  assert.equal(pkexecRefusal(126, 'Error executing command as another user: Request dismissed\n', false)?.code, 'cancelled');
  assert.equal(pkexecRefusal(126, '', true)?.code, 'cancelled');
});

test('no agent, and the helper\'s own exit codes, are not refusals', () => {
  assert.equal(pkexecRefusal(127, 'Error executing command as another user: No authentication agent found.', true), undefined);
  assert.equal(pkexecRefusal(127, 'helper: something failed', false), undefined, 'after elevation a 127 may be the helper\'s');
  assert.equal(pkexecRefusal(1, 'helper: no such container', false), undefined);
  assert.equal(pkexecRefusal(0, '', false), undefined);
});
