/**
 * Shared pieces of the attack and fault tests.
 *
 * - A private build of the CLI and the helper (esbuild, same options as
 *   scripts/build.mjs), so a teammate rebuilding dist/ cannot change what is
 *   under test halfway through.
 * - An exec recorder: inside a private mount namespace (`unshare -m`), the
 *   real /usr/bin/tcpdump and /usr/bin/nsenter are covered by a small script
 *   that appends its exact argv to a log and then runs the real binary. So a
 *   test sees every tcpdump/nsenter command line that was ever executed, even
 *   one that failed in a millisecond, and the rest of the machine is untouched.
 *   /etc/resolv.conf is covered too, so nothing under test can query a real
 *   resolver.
 * - Canaries: payloads that would create a file if any shell ever ran them.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { REPO } from '../support/dockerFixture';

export const NOBODY = 65534;
export const TEST_USER = 'dnc-e2e';
export const OTHER_USER = 'dnc-denied';

export function uidOf(user: string): number {
  return Number(execFileSync('id', ['-u', user], { encoding: 'utf8' }).trim());
}

export function ensureTestUsers(): void {
  execFileSync('bash', [join(REPO, 'test', 'support', 'elevation-setup.sh')], { stdio: 'inherit' });
}

export interface PrivateBuild {
  dir: string;
  cli: string;
  helper: string;
  dispose(): void;
}

export async function privateBuild(): Promise<PrivateBuild> {
  const esbuild = await import('esbuild');
  const dir = mkdtempSync(join(tmpdir(), 'dnc-sec-build-'));
  chmodSync(dir, 0o755);
  const nodeExternals = ['cpu-features', './crypto/build/Release/sshcrypto.node'];
  const common = { bundle: true, platform: 'node' as const, format: 'cjs' as const, target: 'node20', outdir: dir, external: nodeExternals, logLevel: 'warning' as const, absWorkingDir: REPO };
  await esbuild.build({ ...common, entryPoints: { helper: join(REPO, 'src/helper/main.ts'), cli: join(REPO, 'src/cli/main.ts') } });
  return { dir, cli: join(dir, 'cli.js'), helper: join(dir, 'helper.js'), dispose: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface ExecRecorder {
  /** The command, wrapped so it runs with the recorders in place. */
  wrap(command: string[]): string[];
  /** Every tcpdump/nsenter argv executed since the last reset, argv[0] = the tool's path. */
  execs(): string[][];
  reset(): void;
  dispose(): void;
}

const RECORDED_TOOLS = ['/usr/bin/tcpdump', '/usr/bin/nsenter'];

export function execRecorder(): ExecRecorder {
  const dir = mkdtempSync(join(tmpdir(), 'dnc-sec-rec-'));
  chmodSync(dir, 0o755);
  const real = join(dir, 'real');
  mkdirSync(real);
  const log = join(dir, 'exec.log');
  writeFileSync(log, '');
  // Name lookups inside the recorded run go to loopback only: a hostile
  // filter word is a host name to tcpdump, and no test may ask real resolvers.
  const resolv = join(dir, 'resolv.conf');
  writeFileSync(resolv, 'nameserver 127.0.0.1\noptions timeout:1 attempts:1\n', { mode: 0o644 });
  const mounts: string[] = [`mount --bind ${resolv} /etc/resolv.conf`];
  for (const tool of RECORDED_TOOLS) {
    const name = tool.split('/').pop() as string;
    // Same file name, so /proc/PID/comm still says "tcpdump".
    copyFileSync(tool, join(real, name));
    chmodSync(join(real, name), 0o755);
    const recorder = join(dir, `${name}-recorder`);
    // printf '%s\0' keeps each argument exactly, whatever it contains. One
    // file per process: tcpdumps of one capture start at the same time, and
    // records appended to a shared file would interleave.
    writeFileSync(recorder, `#!/bin/sh\n{ printf '%s\\0' "$0" "$@"; printf '\\n\\0'; } > ${log}.$$\nexec ${join(real, name)} "$@"\n`, { mode: 0o755 });
    mounts.push(`mount --bind ${recorder} ${tool}`);
  }
  return {
    wrap: (command) => ['unshare', '-m', '--propagation', 'private', 'sh', '-c', `${mounts.join(' && ')} && exec "$@"`, 'sh', ...command],
    execs: () =>
      readdirSync(dirname(log))
        .filter((f) => f.startsWith(`${basename(log)}.`))
        .map((f) => readFileSync(join(dirname(log), f), 'latin1'))
        .join('')
        .split('\n\0')
        .filter((entry) => entry.length > 0)
        .map((entry) => entry.split('\0').filter((_, i, all) => i < all.length - 1 || all[i] !== '')),
    reset: () => {
      for (const f of readdirSync(dirname(log))) if (f.startsWith(`${basename(log)}.`)) rmSync(join(dirname(log), f));
    },
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

export interface Canary {
  path: string;
  /** Shell-meaningful payloads that would create `path` if any shell evaluated them. */
  payloads: string[];
  fired(): boolean;
}

export function canary(): Canary {
  const path = `/tmp/dnc-pwned-${randomBytes(4).toString('hex')}`;
  return {
    path,
    payloads: [
      `$(touch ${path})`,
      `\`touch ${path}\``,
      `x; touch ${path}`,
      `x && touch ${path}`,
      `x | touch ${path}`,
      `x\ntouch ${path}`,
      `' ; touch ${path} ; '`,
      `" ; touch ${path} ; "`,
      `"$(touch ${path})"`,
      `\\"; touch ${path}; #`,
    ],
    fired: () => existsSync(path),
  };
}

/** Tool-option look-alikes that must never become options. */
export const OPTION_WORDS = ['-w', '-w /tmp/dnc-sec-owned', '--version', '-z /bin/sh', '-Z root', '-r /etc/shadow', '-V /etc/passwd', '--help', '-'];

export { run, type RunResult } from '../support/runCommand';

/** Processes whose executable name is `name` (e.g. every tcpdump on the machine). */
export function pidsNamed(name: string): number[] {
  const out: number[] = [];
  for (const entry of readdirNumeric()) {
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) out.push(entry);
    } catch {
      // exited meanwhile
    }
  }
  return out;
}

function readdirNumeric(): number[] {
  return (execFileSync('ls', ['/proc'], { encoding: 'utf8' }) as string)
    .split('\n')
    .filter((e) => /^\d+$/.test(e))
    .map(Number);
}

export function cmdlineOf(pid: number): string[] {
  return readFileSync(`/proc/${pid}/cmdline`, 'latin1').split('\0').slice(0, -1);
}

/** Files in /tmp whose names start with `prefix` (what a capture may leave behind). */
export function tmpEntries(prefix: string): string[] {
  return (execFileSync('ls', ['-A', '/tmp'], { encoding: 'utf8' }) as string).split('\n').filter((n) => n.startsWith(prefix));
}

/** setpriv's options for tcpdump: no_new_privs, no groups, a bounding set of just what opening the interface and -Z need. */
export const TCPDUMP_CONFINEMENT = ['/usr/bin/setpriv', '--clear-groups', '--no-new-privs', '--bounding-set=-all,+net_raw,+setuid,+setgid', '--'];
/** The root helper's only other use of nsenter: listing the pinned namespace's interfaces with ip, as nobody. */
export const INTERFACE_LISTING = ['/usr/bin/setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--no-new-privs', '--bounding-set=-all', '--inh-caps=-all', '--', '/usr/sbin/ip', '-j', 'link', 'show'];

/**
 * An argv the root side executed, as capturePlan builds it: nsenter enters the
 * pinned namespace by descriptor (never by PID) and runs either the confined
 * tcpdump or the interface listing; tcpdump gets fixed options, then `--` and
 * at most one expression.
 */
export function assertOurTcpdumpArgv(argv: string[], allowedExpressions: Set<string>): void {
  const text = JSON.stringify(argv);
  let i = 0;
  if (argv[0] === '/usr/bin/nsenter') {
    assert.deepEqual(argv.slice(1, 3), ['--net=/proc/self/fd/3', '--'], text);
    if (argv[4] === '--reuid=65534') {
      assert.deepEqual(argv.slice(3), INTERFACE_LISTING, text);
      return;
    }
    assert.deepEqual(argv.slice(3, 3 + TCPDUMP_CONFINEMENT.length), TCPDUMP_CONFINEMENT, text);
    i = 3 + TCPDUMP_CONFINEMENT.length;
  }
  assert.equal(argv[i], '/usr/bin/tcpdump', text);
  const rest = argv.slice(i + 1);
  assert.equal(rest[0], '-i', text);
  assert.match(rest[1] ?? '', /^[A-Za-z0-9_.:@-]{1,15}$/, text);
  assert.deepEqual(rest.slice(2, 10), ['-U', '--immediate-mode', '-w', '-', '-Z', 'nobody', '-B', '65536'], text);
  assert.equal(rest[10], '-s', text);
  assert.match(rest[11] ?? '', /^\d+$/, text);
  let j = 12;
  if (rest[j] === '-Q') {
    assert.match(rest[j + 1] ?? '', /^(in|out)$/, text);
    j += 2;
  }
  assert.equal(rest[j], '--', text);
  const tail = rest.slice(j + 1);
  assert.ok(tail.length <= 1, `more than one argument after -- : ${text}`);
  if (tail[0] !== undefined) assert.ok(allowedExpressions.has(tail[0]), `unexpected expression ${JSON.stringify(tail[0])}`);
}

/** The capability and privilege lines of /proc/PID/status. */
export interface ProcessPrivileges {
  noNewPrivs: boolean;
  capEff: bigint;
  capPrm: bigint;
  capInh: bigint;
  capBnd: bigint;
  capAmb: bigint;
}

export function privilegesOf(pid: number): ProcessPrivileges {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const field = (name: string): string => status.match(new RegExp(`^${name}:[ \\t]*([^\\n]*)$`, 'm'))?.[1]?.trim() ?? '';
  const caps = (name: string): bigint => BigInt(`0x${field(name) || 'ffffffffffffffff'}`);
  return { noNewPrivs: field('NoNewPrivs') === '1', capEff: caps('CapEff'), capPrm: caps('CapPrm'), capInh: caps('CapInh'), capBnd: caps('CapBnd'), capAmb: caps('CapAmb') };
}

/** CAP_SETGID (6), CAP_SETUID (7), CAP_NET_RAW (13): tcpdump's bounding set. */
export const TCPDUMP_BOUNDING_SET = (1n << 6n) | (1n << 7n) | (1n << 13n);
