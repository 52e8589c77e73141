/**
 * An ssh that exits before reading the request (connection refused, host key unknown):
 * the write fails with EPIPE, and the socket must still report what ssh said, not
 * "write EPIPE". A real child process stands in for ssh: it prints ssh's refusal and
 * exits 255 without reading stdin, as ssh does.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { SshChildSocket } from '../../src/client/dockerSshTransport';

const REFUSED = 'echo "ssh: connect to host 127.0.0.1 port 9: Connection refused" >&2; exit 255';

for (const delayMs of [0, 50, 200]) {
  test(`a refused ssh reports the refusal when the request is written ${delayMs} ms after the start`, async () => {
    const child = spawn('/bin/sh', ['-c', REFUSED], { stdio: ['pipe', 'pipe', 'pipe'] });
    const socket = new SshChildSocket(child, { host: '127.0.0.1', port: 9, username: 'someone' });
    const failed = new Promise<Error>((resolve) => socket.once('error', resolve));
    await new Promise((r) => setTimeout(r, delayMs));
    // More than a pipe holds: the write is still pending when the reader is gone.
    socket.write(Buffer.alloc(1 << 20, 0x41));
    const error = await failed;
    assert.equal(error.message, 'connection to someone@127.0.0.1 port 9 refused: is sshd running there?');
  });
}

test('the timeout listeners Node adds per request on a kept-alive connection are taken back (no leak warning)', () => {
  const child = spawn('/bin/sh', ['-c', 'exec cat'], { stdio: ['pipe', 'pipe', 'pipe'] });
  const socket = new SshChildSocket(child, { host: '127.0.0.1' });
  try {
    for (let request = 0; request < 20; request++) {
      const onTimeout = (): void => undefined;
      socket.setTimeout(30_000, onTimeout);
      socket.setTimeout(0, onTimeout);
    }
    assert.equal(socket.listenerCount('timeout'), 0);
  } finally {
    socket.destroy();
  }
});
