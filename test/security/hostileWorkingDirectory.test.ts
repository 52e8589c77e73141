/**
 * Issue 11, finding 2: sudo-prompt builds `cd "<process.cwd()>"; pkexec …` for
 * a shell and escapes only double quotes, so VS Code running in a folder named
 * `p$(touch${IFS}canary)` ran `touch canary`. The elevated launch must start
 * pkexec with no shell when the working directory is not shell-safe; through
 * the real pkexec (as root polkit lets it through), the real helper then runs
 * and refuses the bogus request with its own exit code.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isShellSafeDirectory, launchElevated } from '../../src/client/helperLaunch';
import { HelperExitCode } from '../../src/protocol/helperMessages';

const HELPER = resolve(__dirname, '../../dist/helper.js');

describe('a hostile working directory never reaches a shell', { timeout: 120_000 }, () => {
  let base = '';
  let hostile = '';
  const home = process.cwd();

  before(() => {
    // dbus + polkitd (pkexec asks polkit even for root).
    execFileSync('bash', [resolve(__dirname, '../support/elevation-setup.sh')], { stdio: 'ignore' });
    base = mkdtempSync(join(tmpdir(), 'dnc-hostile-'));
    hostile = join(base, 'p$(touch${IFS}canary)`touch${IFS}canary2`');
    mkdirSync(hostile);
  });

  after(() => {
    process.chdir(home);
    rmSync(base, { recursive: true, force: true });
  });

  it('recognises which directories are shell-safe', () => {
    assert.equal(isShellSafeDirectory('/home/me/projects/web app-1'), true);
    for (const bad of ['/tmp/p$(id)', '/tmp/`id`', '/tmp/a"b', '/tmp/a\\b', 'relative', '/tmp/a\nb']) assert.equal(isShellSafeDirectory(bad), false, bad);
  });

  it('starts the helper through pkexec from an argv array: nothing in the folder name runs', async () => {
    process.chdir(hostile);
    let result: { code: number | null; stderr: string };
    try {
      result = await launchElevated(process.execPath, HELPER, '/nonexistent/dir/request.json').exited;
    } finally {
      process.chdir(home);
    }
    const planted = [...readdirSync(hostile), ...readdirSync(base)].filter((n) => n.startsWith('canary'));
    assert.deepEqual(planted, [], 'a command from the directory name ran');
    assert.equal(existsSync(join(hostile, 'canary')), false);
    // The real helper ran as root through pkexec and refused the request.
    assert.equal(result.code, HelperExitCode.requestRefused, `helper exit: ${JSON.stringify(result)}`);
    assert.match(result.stderr, /refusing the capture request|request/i);
  });
});
