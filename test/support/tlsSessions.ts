/**
 * Real TLS sessions for the tests: OpenSSL's s_server and s_client on 127.0.0.1, the
 * client writing a key log, tcpdump on `lo` writing the pcap (run as root, under the
 * heavy-test lock). tshark decrypting the same pcap with the same key log is the oracle.
 * Every process is started with an argument vector (no shell) and ended by its own PID.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { freePort } from './freePort';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface TlsCase {
  /** Label for test names and file names. */
  name: string;
  version: '1.2' | '1.3';
  /** TLS 1.3: -ciphersuites value; TLS 1.2: -cipher value. */
  cipher: string;
  /** The IANA number the handshake must settle on. */
  suite: number;
  /** TLS 1.2 CBC: turn encrypt-then-MAC off (on by default in OpenSSL). */
  noEtm?: boolean;
}

/** Every version and cipher the decryptor supports, with the key exchanges named by the issue. */
export const TLS_CASES: readonly TlsCase[] = [
  { name: 'tls13-aes128gcm', version: '1.3', cipher: 'TLS_AES_128_GCM_SHA256', suite: 0x1301 },
  { name: 'tls13-aes256gcm', version: '1.3', cipher: 'TLS_AES_256_GCM_SHA384', suite: 0x1302 },
  { name: 'tls13-chacha20', version: '1.3', cipher: 'TLS_CHACHA20_POLY1305_SHA256', suite: 0x1303 },
  { name: 'tls12-ecdhe-aes128gcm', version: '1.2', cipher: 'ECDHE-RSA-AES128-GCM-SHA256', suite: 0xc02f },
  { name: 'tls12-ecdhe-aes256gcm', version: '1.2', cipher: 'ECDHE-RSA-AES256-GCM-SHA384', suite: 0xc030 },
  { name: 'tls12-ecdhe-chacha20', version: '1.2', cipher: 'ECDHE-RSA-CHACHA20-POLY1305', suite: 0xcca8 },
  { name: 'tls12-rsa-aes128gcm', version: '1.2', cipher: 'AES128-GCM-SHA256', suite: 0x009c },
  { name: 'tls12-rsa-aes256gcm', version: '1.2', cipher: 'AES256-GCM-SHA384', suite: 0x009d },
  { name: 'tls12-ecdhe-aes128cbc-sha1-etm', version: '1.2', cipher: 'ECDHE-RSA-AES128-SHA', suite: 0xc013 },
  { name: 'tls12-ecdhe-aes128cbc-sha1', version: '1.2', cipher: 'ECDHE-RSA-AES128-SHA', suite: 0xc013, noEtm: true },
  { name: 'tls12-ecdhe-aes128cbc-sha256', version: '1.2', cipher: 'ECDHE-RSA-AES128-SHA256', suite: 0xc027, noEtm: true },
  { name: 'tls12-ecdhe-aes256cbc-sha384-etm', version: '1.2', cipher: 'ECDHE-RSA-AES256-SHA384', suite: 0xc028 },
  { name: 'tls12-ecdhe-aes256cbc-sha384', version: '1.2', cipher: 'ECDHE-RSA-AES256-SHA384', suite: 0xc028, noEtm: true },
  { name: 'tls12-rsa-aes256cbc-sha1', version: '1.2', cipher: 'AES256-SHA', suite: 0x0035, noEtm: true },
  { name: 'tls12-rsa-aes128cbc-sha256-etm', version: '1.2', cipher: 'AES128-SHA256', suite: 0x003c },
];

export interface RecordedSession {
  pcap: string;
  keyLog: string;
  /** The server's port: tshark is told it carries TLS (see tlsDecodeAs). */
  port: number;
  /** The file the client fetched, as served. */
  body: Buffer;
}

/** A folder with a self-signed certificate and a served file of `bodyBytes` printable bytes. */
export function tlsWorkdir(bodyBytes = 60_000): { dir: string; body: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'dnc-tls-'));
  const made = spawnSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'k.pem'), '-out', join(dir, 'c.pem'), '-days', '2', '-subj', '/CN=localhost'], { encoding: 'utf8' });
  if (made.status !== 0) throw new Error(`openssl req failed: ${made.stderr}`);
  // Deterministic printable text, so a wrong plaintext would show as a readable mismatch.
  const line = 'The quick brown fox jumps over the lazy dog 0123456789.\n';
  const body = Buffer.from(line.repeat(Math.ceil(bodyBytes / line.length)).slice(0, bodyBytes));
  writeFileSync(join(dir, 'page.txt'), body);
  return { dir, body };
}

/** Resolves when `pattern` appears on the child's stdout or stderr; rejects after `ms`. */
function waitFor(child: ChildProcess, pattern: RegExp, ms: number, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    let seen = '';
    const timer = setTimeout(() => reject(new Error(`${what}: no ${String(pattern)} in ${ms} ms: ${seen.slice(-500)}`)), ms);
    const check = (chunk: Buffer): void => {
      seen += chunk.toString('utf8');
      if (pattern.test(seen)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', check);
    child.stderr?.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      if (!pattern.test(seen)) reject(new Error(`${what} exited (${String(code)}) before ${String(pattern)}: ${seen.slice(-500)}`));
    });
  });
}

function exited(child: ChildProcess, ms: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Starts tcpdump on lo for one port; resolves once it listens. Stop it with `stopCapture`. */
export async function startLoopbackCapture(pcap: string, port: number): Promise<ChildProcess> {
  const tcpdump = spawn('tcpdump', ['-i', 'lo', '-U', '--immediate-mode', '-s', '0', '-w', pcap, 'tcp', 'port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  await waitFor(tcpdump, /listening on/, 10_000, 'tcpdump');
  return tcpdump;
}

export async function stopCapture(tcpdump: ChildProcess): Promise<void> {
  await new Promise((r) => setTimeout(r, 300)); // the last FIN/ACKs reach the capture
  tcpdump.kill('SIGINT');
  await exited(tcpdump, 10_000);
}

/** One HTTPS fetch of /page.txt over `tlsCase`, captured; the client writes the key log. */
export async function recordTlsSession(dir: string, tlsCase: TlsCase, body: Buffer): Promise<RecordedSession> {
  const port = await freePort();
  const pcap = join(dir, `${tlsCase.name}.pcap`);
  const keyLog = join(dir, `${tlsCase.name}.keys`);
  const tcpdump = await startLoopbackCapture(pcap, port);
  const server = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', 'c.pem', '-key', 'k.pem', '-WWW', '-naccept', '1', ...(tlsCase.version === '1.2' ? ['-cipher', tlsCase.cipher] : [])], { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  try {
    await waitFor(server, /ACCEPT/, 10_000, 's_server');
    const versionArgs = tlsCase.version === '1.3' ? ['-tls1_3', '-ciphersuites', tlsCase.cipher] : ['-tls1_2', '-cipher', tlsCase.cipher];
    const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, ...versionArgs, ...(tlsCase.noEtm ? ['-no_etm'] : []), '-keylogfile', keyLog, '-quiet'], { cwd: dir, stdio: ['pipe', 'pipe', 'pipe'] });
    let received = Buffer.alloc(0);
    client.stdout.on('data', (c: Buffer) => (received = Buffer.concat([received, c])));
    client.stdin.end('GET /page.txt HTTP/1.0\r\n\r\n');
    await exited(client, 15_000);
    if (!received.includes(body.subarray(0, 200))) throw new Error(`${tlsCase.name}: s_client did not receive the page: ${received.subarray(0, 300).toString()}`);
    await exited(server, 5_000);
  } finally {
    if (server.exitCode === null) server.kill('SIGTERM');
    await stopCapture(tcpdump);
  }
  return { pcap, keyLog, port, body };
}

/**
 * tshark's decryption of stream 0: the plaintext each side sent, concatenated. tshark's
 * `follow,tls,raw` indents one side's lines with a tab; the client is the side whose data
 * starts with the request.
 */
export function tsharkPlaintext(pcap: string, keyLog: string, port: number): { client: Buffer; server: Buffer } {
  const out = spawnSync('tshark', ['-r', pcap, ...tlsDecodeAs(port), '-o', `tls.keylog_file:${keyLog}`, '-q', '-z', 'follow,tls,raw,0'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  if (out.status !== 0) throw new Error(`tshark failed: ${out.stderr}`);
  const plain: Buffer[] = [];
  const tabbed: Buffer[] = [];
  const lines = out.stdout.split('\n');
  const start = lines.findIndex((l) => l.startsWith('Node 1:'));
  for (const line of lines.slice(start + 1)) {
    if (line.startsWith('====')) break;
    if (!/^\t?[0-9a-f]+$/.test(line)) continue;
    (line.startsWith('\t') ? tabbed : plain).push(Buffer.from(line.trim(), 'hex'));
  }
  const a = Buffer.concat(plain);
  const b = Buffer.concat(tabbed);
  return a.subarray(0, 4).toString() === 'GET ' ? { client: a, server: b } : { client: b, server: a };
}

/**
 * tshark's "Decode As" for the session's port. The port is a random free one, and tshark
 * finds TLS there only by heuristics, tried after other protocols' (it has ~100 enabled on
 * TCP): once in a while another claimed the session, and the oracle saw no TLS at all.
 */
function tlsDecodeAs(port: number): string[] {
  return ['-d', `tcp.port==${port},tls`];
}

/** What the ServerHello says, read by tshark: cipher suite and extension types. */
export function negotiated(pcap: string, port: number): { suite: number; extensions: number[] } {
  const out = spawnSync('tshark', ['-r', pcap, ...tlsDecodeAs(port), '-Y', 'tls.handshake.type == 2', '-T', 'fields', '-E', 'occurrence=a', '-E', 'aggregator=,', '-e', 'tls.handshake.ciphersuite', '-e', 'tls.handshake.extension.type'], { encoding: 'utf8' });
  if (out.status !== 0) throw new Error(`tshark could not read ${pcap} (status ${String(out.status)}, ${String(out.signal)}): ${out.stderr}`);
  const [suite = '', extensions = ''] = (out.stdout.split('\n')[0] ?? '').split('\t');
  if (suite === '') {
    // Say what the capture holds instead, so that a miss explains itself.
    const frames = spawnSync('tshark', ['-r', pcap, ...tlsDecodeAs(port), '-T', 'fields', '-e', 'frame.number', '-e', 'tcp.srcport', '-e', 'tcp.len', '-e', 'frame.protocols'], { encoding: 'utf8' }).stdout;
    throw new Error(`no ServerHello in ${pcap} (port ${port}); its frames:\n${frames}`);
  }
  return { suite: Number(suite), extensions: extensions.split(',').filter(Boolean).map(Number) };
}
