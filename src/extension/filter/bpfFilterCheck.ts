/**
 * Checks a BPF capture filter BEFORE anything asks for a password: a typo
 * should cost a red line under the input box, not a root prompt and a failed
 * capture. The text is checked here, then compiled by the real tcpdump
 * (`-d` only prints the compiled program) against an empty pcap file, which
 * needs no privileges and no interface. The filter reaches tcpdump as one argv
 * element after `--`, never through a shell.
 */
import { execFile } from 'node:child_process';
import { access, constants, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { LinkType } from '../../core/packet';
import { pcapGlobalHeader } from '../../core/pcap/pcapWriter';

/** tcpdump joins its argv into one expression; nothing sensible is longer. */
export const MAX_FILTER_LENGTH = 1024;

/** A problem with the text itself, or undefined when it may go to tcpdump. */
export function checkFilterText(text: string): string | undefined {
  if (text.trim().length === 0) return 'Enter a BPF expression, e.g. "tcp port 80".';
  if (text.length > MAX_FILTER_LENGTH) return `The filter is too long (${text.length} characters, at most ${MAX_FILTER_LENGTH}).`;
  // Control characters (newlines included) have no place in a BPF expression and
  // would corrupt the helper's request and the logs.
  const control = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/.exec(text);
  if (control) return `The filter contains a control character (U+${control[0].charCodeAt(0).toString(16).padStart(4, '0').toUpperCase()}).`;
  return undefined;
}

/** A pcap global header (microsecond, Ethernet, snaplen 262144) and no packets. */
export function emptyEthernetPcap(): Uint8Array {
  return pcapGlobalHeader(LinkType.ETHERNET, 262144);
}

/**
 * tcpdump's arguments to compile `filter` against `pcapPath`. Ethernet is what
 * every per-interface capture (eth*, lo, a bridge) delivers, so a filter that
 * compiles here compiles for the real capture.
 */
export function tcpdumpCompileArgs(pcapPath: string, filter: string): string[] {
  return ['-d', '-y', 'EN10MB', '-r', pcapPath, '--', filter];
}

/** The useful part of tcpdump's stderr: its own `tcpdump: ...` lines, not "reading from file". */
export function tcpdumpErrorText(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !l.startsWith('reading from file'));
  const own = lines.filter((l) => l.startsWith('tcpdump:')).map((l) => l.slice('tcpdump:'.length).trim());
  return (own.length > 0 ? own : lines).join(' ') || 'tcpdump rejected the filter.';
}

export type FilterCheckResult = { ok: true } | { ok: false; message: string; tcpdumpMissing?: boolean };

export const TCPDUMP_MISSING_MESSAGE =
  'tcpdump is not installed. Install it (Debian/Ubuntu: sudo apt-get install tcpdump; Fedora: sudo dnf install tcpdump) and try again.';

/** Checks the text, then compiles it with tcpdump. Never throws. */
export async function checkBpfFilter(filter: string, tcpdump = 'tcpdump', timeoutMs = 5000): Promise<FilterCheckResult> {
  const textProblem = checkFilterText(filter);
  if (textProblem) return { ok: false, message: textProblem };
  let dir: string | undefined;
  try {
    dir = await mkdtemp(join(tmpdir(), 'dnc-bpf-'));
    const pcapPath = join(dir, 'empty.pcap');
    await writeFile(pcapPath, emptyEthernetPcap());
    return await new Promise<FilterCheckResult>((resolve) => {
      execFile(tcpdump, tcpdumpCompileArgs(pcapPath, filter), { timeout: timeoutMs, maxBuffer: 4 * 1024 * 1024 }, (error, _stdout, stderr) => {
        if (!error) return resolve({ ok: true });
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return resolve({ ok: false, message: TCPDUMP_MISSING_MESSAGE, tcpdumpMissing: true });
        resolve({ ok: false, message: tcpdumpErrorText(String(stderr)) });
      });
    });
  } catch (e) {
    return { ok: false, message: `Could not check the filter: ${e instanceof Error ? e.message : String(e)}` };
  } finally {
    if (dir) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * tcpdump's path: PATH first, then the sbin folders a desktop session's PATH
 * often lacks (several distributions install tcpdump there). `tcpdump` when none
 * is found, so the check reports it missing.
 */
export async function findTcpdump(path = process.env.PATH ?? ''): Promise<string> {
  const dirs = [...path.split(':').filter((d) => d.startsWith('/')), '/usr/sbin', '/usr/bin', '/sbin', '/usr/local/sbin'];
  for (const d of dirs) {
    const candidate = join(d, 'tcpdump');
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not here; next folder
    }
  }
  return 'tcpdump';
}
