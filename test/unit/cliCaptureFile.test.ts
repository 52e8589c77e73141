/**
 * `-w FILE` opened as root for the user behind sudo (src/cli/captureFile.ts):
 * what ends up on disk for each kind of path. Needs root (chown); skipped
 * otherwise. The same refusals through the real CLI are in
 * test/integration/cliSafety.test.ts.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync, chownSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CaptureFileError, invokingUser, openCaptureFile } from '../../src/cli/captureFile';

const USER = { uid: 4242, gid: 4243 };
const asRoot = process.getuid?.() === 0;

describe('-w: opening the capture file as root', { skip: !asRoot && 'needs root' }, () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'dnc-unit-w-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  function refused(path: string, pattern: RegExp): void {
    assert.throws(() => openCaptureFile(path, USER), (err: unknown) => {
      assert.ok(err instanceof CaptureFileError, String(err));
      assert.match(err.message, pattern);
      assert.ok(!err.message.includes('\n'));
      return true;
    });
  }

  it('creates a new file 0600, owned by the invoking user and group', () => {
    const path = join(dir, 'new.pcap');
    const fd = openCaptureFile(path, USER);
    writeSync(fd, 'x');
    closeSync(fd);
    const st = statSync(path);
    assert.equal(st.mode & 0o777, 0o600);
    assert.deepEqual([st.uid, st.gid], [USER.uid, USER.gid]);
  });

  it("overwrites the user's own regular file, and makes it 0600", () => {
    const path = join(dir, 'mine.pcap');
    writeFileSync(path, 'old contents that are longer', { mode: 0o644 });
    chownSync(path, USER.uid, USER.gid);
    const fd = openCaptureFile(path, USER);
    writeSync(fd, 'new');
    closeSync(fd);
    assert.equal(readFileSync(path, 'utf8'), 'new');
    const st = statSync(path);
    assert.equal(st.mode & 0o777, 0o600);
    assert.deepEqual([st.uid, st.gid], [USER.uid, USER.gid]);
  });

  it("refuses someone else's file and leaves it as it was", () => {
    const path = join(dir, 'roots.pcap');
    writeFileSync(path, 'precious', { mode: 0o644 });
    refused(path, /belongs to uid 0, not to you \(uid 4242\); nothing was written/);
    assert.equal(readFileSync(path, 'utf8'), 'precious');
    assert.equal(statSync(path).mode & 0o777, 0o644);
  });

  it('refuses a symlink, even to a file of the user or to nothing, and creates nothing', () => {
    const victim = join(dir, 'victim');
    writeFileSync(victim, 'precious');
    chownSync(victim, USER.uid, USER.gid);
    const link = join(dir, 'link.pcap');
    symlinkSync(victim, link);
    refused(link, /a symbolic link is there/);
    assert.equal(readFileSync(victim, 'utf8'), 'precious');
    const dangling = join(dir, 'dangling.pcap');
    symlinkSync(join(dir, 'would-be-created'), dangling);
    refused(dangling, /a symbolic link is there/);
    assert.equal(lstatSync(join(dir, 'would-be-created'), { throwIfNoEntry: false }), undefined);
  });

  it('refuses a FIFO without blocking on it', () => {
    const fifo = join(dir, 'fifo.pcap');
    execFileSync('mkfifo', [fifo]);
    chownSync(fifo, USER.uid, USER.gid);
    refused(fifo, /a FIFO is there, not a regular file/);
  });

  it('refuses a device and a directory', () => {
    refused('/dev/null', /a device is there, not a regular file/);
    const sub = join(dir, 'sub');
    mkdirSync(sub);
    chownSync(sub, USER.uid, USER.gid);
    refused(sub, /a directory is there, not a regular file/);
  });

  it('says why it cannot create a file in a missing directory', () => {
    refused(join(dir, 'missing', 'x.pcap'), /cannot open it \(ENOENT\)/);
  });
});

describe('-w: who the file is for', () => {
  it('the user behind sudo, else behind pkexec, else this process', () => {
    assert.deepEqual(invokingUser({ SUDO_UID: '1000', SUDO_GID: '1001' }), { uid: 1000, gid: 1001 });
    assert.deepEqual(invokingUser({ PKEXEC_UID: '1002' }), { uid: 1002, gid: -1 });
    assert.deepEqual(invokingUser({}), { uid: process.getuid?.() ?? 0, gid: -1 });
    assert.deepEqual(invokingUser({ SUDO_UID: '-1' }), { uid: process.getuid?.() ?? 0, gid: -1 });
  });
});
