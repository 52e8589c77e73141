/**
 * Bench: decrypting a capture of one large TLS 1.3 (AES-128-GCM) transfer with its key log,
 * beside `tshark -o tls.keylog_file:KEYS -r FILE` on the same files in the same run, and
 * Node's own AES-128-GCM throughput on this machine as the limit.
 *
 * The capture is made here, on loopback only: OpenSSL s_server serves a file of random bytes
 * (DNC_BENCH_TLS_MB, default 256 MB) to s_client writing a key log, tcpdump on lo writes the
 * pcap (root needed). It is kept in bench/out/tls and reused by later runs.
 *
 *   node --import tsx bench/tlsDecrypt.ts [RUNS]
 */
import { spawn, spawnSync } from 'node:child_process';
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { nodeTlsCrypto } from '../src/client/tls/nodeTlsCrypto';
import { openPcapFile } from '../src/cli/pcapFileReader';
import { TlsDecryptor } from '../src/core/tls/tlsDecryptor';
import { freePort } from '../test/support/freePort';
import { tlsWorkdir } from '../test/support/tlsSessions';
import { runPart } from './lib/childResult';
import { median, nowMs } from './lib/figures';

const OUT = join(__dirname, 'out', 'tls');
const MB = Number(process.env.DNC_BENCH_TLS_MB ?? 256);
const RECORD = 16 * 1024;

export interface TlsLine {
  name: string;
  /** Plaintext bytes per second (median run). */
  bytesPerSecond: number;
  ms: number;
  runs: number[];
}

export interface TlsFigures {
  file: { path: string; bytes: number; packets: number; plaintextBytes: number; kernelDrops: string };
  lines: TlsLine[];
}

function waitExit(child: ReturnType<typeof spawn>, ms: number): Promise<void> {
  if (child.exitCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      resolve();
    }, ms);
    child.once('exit', () => resolve(clearTimeout(timer)));
  });
}

/** Makes (or reuses) the capture: pcap + key log of one HTTPS download of MB megabytes. */
async function capture(): Promise<{ pcap: string; keys: string; drops: string }> {
  const pcap = join(OUT, `transfer-${MB}mb.pcap`);
  const keys = join(OUT, `transfer-${MB}mb.keys`);
  if (existsSync(pcap) && existsSync(keys)) return { pcap, keys, drops: 'reused' };
  mkdirSync(OUT, { recursive: true });
  const work = tlsWorkdir(16);
  const big = openSync(join(work.dir, 'big.bin'), 'w');
  for (let i = 0; i < MB; i++) writeSync(big, randomBytes(1024 * 1024));
  closeSync(big);
  const port = await freePort();
  const partial = `${pcap}.partial`;
  const tcpdump = spawn('tcpdump', ['-i', 'lo', '-B', '262144', '-s', '0', '-w', partial, 'tcp', 'port', String(port)], { stdio: ['ignore', 'ignore', 'pipe'] });
  let tcpdumpErr = '';
  tcpdump.stderr.on('data', (c: Buffer) => (tcpdumpErr += c.toString()));
  for (let i = 0; i < 100 && !tcpdumpErr.includes('listening on'); i++) await new Promise((r) => setTimeout(r, 100));
  const server = spawn('openssl', ['s_server', '-accept', `127.0.0.1:${port}`, '-cert', 'c.pem', '-key', 'k.pem', '-WWW', '-naccept', '1', '-quiet', '-http_server_binmode'], { cwd: work.dir, stdio: 'ignore' });
  await new Promise((r) => setTimeout(r, 500));
  const client = spawn('openssl', ['s_client', '-connect', `127.0.0.1:${port}`, '-tls1_3', '-ciphersuites', 'TLS_AES_128_GCM_SHA256', '-keylogfile', `${keys}.partial`, '-quiet'], { cwd: work.dir, stdio: ['pipe', 'ignore', 'ignore'] });
  client.stdin.end('GET /big.bin HTTP/1.0\r\n\r\n');
  await waitExit(client, 300_000);
  await waitExit(server, 10_000);
  if (server.exitCode === null) server.kill('SIGTERM');
  // tcpdump drops what is still in its kernel buffer when interrupted: wait until the file stops growing.
  let size = -1;
  for (let i = 0; i < 600 && statSync(partial).size !== size; i++) {
    size = statSync(partial).size;
    await new Promise((r) => setTimeout(r, 1000));
  }
  tcpdump.kill('SIGINT');
  await waitExit(tcpdump, 30_000);
  spawnSync('rm', ['-rf', work.dir]);
  const drops = /(\d+) packets? dropped by kernel/.exec(tcpdumpErr)?.[1] ?? '?';
  renameSync(partial, pcap);
  renameSync(`${keys}.partial`, keys);
  return { pcap, keys, drops };
}

/** As `-r FILE --tls-keylog KEYS` reads it: the file streamed in 1 MiB chunks (src/cli/pcapFileReader.ts), not read whole. */
async function ours(pcap: string, keys: string): Promise<{ ms: number; plaintext: number; packets: number; encrypted: number }> {
  const started = nowMs();
  let plaintext = 0;
  let encrypted = 0;
  const decryptor = new TlsDecryptor(nodeTlsCrypto, {
    retainRecords: false,
    onRecord: (r) => {
      if (r.status === 'decrypted' && r.innerType === 23) plaintext += r.plaintext?.length ?? 0;
      if (r.status === 'encrypted') encrypted++;
    },
  });
  decryptor.addKeyLog(readFileSync(keys, 'utf8'), true);
  const file = await openPcapFile(pcap);
  let packets = 0;
  for (let records = await file.next(); records; records = await file.next()) {
    for (const r of records) decryptor.addFrame(packets++, r.data, r.linkType);
  }
  if (file.error) throw new Error(`reading ${pcap}: ${file.error.message}`);
  decryptor.finish();
  return { ms: nowMs() - started, plaintext, packets, encrypted };
}

function tshark(pcap: string, keys: string): number {
  const started = nowMs();
  const result = spawnSync('tshark', ['-n', '-r', pcap, '-o', `tls.keylog_file:${keys}`], { stdio: ['ignore', 'ignore', 'pipe'], timeout: 600_000 });
  if (result.status !== 0) throw new Error(`tshark failed: ${result.stderr?.toString().trim() ?? result.status}`);
  return nowMs() - started;
}

/** Node's AES-128-GCM opening `total` bytes as TLS does: one decipher per 16 KiB record, tag checked. */
function nodeGcmPerRecord(total: number): number {
  const key = randomBytes(16);
  const iv = randomBytes(12);
  const plain = randomBytes(RECORD);
  const cipher = createCipheriv('aes-128-gcm', key, iv);
  cipher.setAAD(Buffer.alloc(5));
  const sealed = Buffer.concat([cipher.update(plain), cipher.final()]);
  const tag = cipher.getAuthTag();
  const started = nowMs();
  for (let done = 0; done < total; done += RECORD) {
    const d = createDecipheriv('aes-128-gcm', key, iv);
    d.setAAD(Buffer.alloc(5));
    d.setAuthTag(tag);
    d.update(sealed);
    d.final();
  }
  return nowMs() - started;
}

/** The same bytes through one decipher: the cipher's own speed, no per-record cost. */
function nodeGcmOneStream(total: number): number {
  const key = randomBytes(16);
  const chunk = randomBytes(1024 * 1024);
  const started = nowMs();
  const d = createDecipheriv('aes-128-gcm', key, randomBytes(12));
  for (let done = 0; done < total; done += chunk.length) d.update(chunk);
  return nowMs() - started;
}

function line(name: string, bytes: number, runs: number[]): TlsLine {
  const ms = median(runs);
  return { name, bytesPerSecond: (bytes / ms) * 1000, ms, runs };
}

async function main(): Promise<TlsFigures> {
  const runs = Number(process.argv[2] ?? 3);
  const { pcap, keys, drops } = await capture();
  const first = await ours(pcap, keys);
  // Every record the capture holds must decrypt; a capture that missed the tail still measures the same work for both tools.
  if (first.encrypted > 0 || first.plaintext < MB * 1024 * 1024 * 0.99) throw new Error(`decrypted ${first.plaintext} bytes, ${first.encrypted} records left encrypted (kernel drops ${drops})`);
  const oursRuns = [first.ms];
  for (let i = 1; i < runs; i++) oursRuns.push((await ours(pcap, keys)).ms);
  const tsharkRuns: number[] = [];
  for (let i = 0; i < Math.min(runs, 2); i++) tsharkRuns.push(tshark(pcap, keys));
  const gcmRecords: number[] = [];
  const gcmStream: number[] = [];
  for (let i = 0; i < runs; i++) {
    gcmRecords.push(nodeGcmPerRecord(first.plaintext));
    gcmStream.push(nodeGcmOneStream(first.plaintext));
  }
  return {
    file: { path: pcap, bytes: statSync(pcap).size, packets: first.packets, plaintextBytes: first.plaintext, kernelDrops: drops },
    lines: [
      line('dnc: read pcap, reassemble TCP, decrypt every record', first.plaintext, oursRuns),
      line('tshark -n -r FILE -o tls.keylog_file:KEYS > /dev/null', first.plaintext, tsharkRuns),
      line('limit: Node AES-128-GCM, one decipher per 16 KiB record', first.plaintext, gcmRecords),
      line('limit: Node AES-128-GCM, one stream (no per-record cost)', first.plaintext, gcmStream),
    ],
  };
}

if (require.main === module) runPart(main);
