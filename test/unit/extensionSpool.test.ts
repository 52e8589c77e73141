/**
 * The capture spool: every frame of a live capture on disk as a pcap file that
 * tcpdump reads, with directions and interfaces restored from its sidecar,
 * written in batches, kept complete when the in-memory limit drops packets,
 * cleaned up by age and count, and only ever read back from our own folder.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FrameBatchWriter, readFrameBatch } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { readPcapFile } from '../../src/core/pcap/pcapReader';
import type { CaptureEndInfo, CaptureEvents } from '../../src/client/captureClient';
import { CaptureSession } from '../../src/extension/capture/captureSession';
import { SPOOL_KEEPS_DROPPED } from '../../src/extension/capture/inspectorModel';
import { CaptureSpool } from '../../src/extension/spool/captureSpool';
import { copySpoolTo } from '../../src/extension/spool/copySpool';
import { sidecarPathOf } from '../../src/extension/spool/spoolFile';
import { cleanSpoolFolder, ensureSpoolFolder, validateSpoolPath } from '../../src/extension/spool/spoolFolder';
import { SpoolEncoder, SpoolSidecar } from '../../src/extension/spool/spoolFormat';
import { readSpool } from '../../src/extension/spool/spoolReader';

/** A UDP-ish Ethernet frame whose payload carries `n`, on eth0 (odd n, sent) or lo (even n, received). */
function frame(n: number): CapturedFrame {
  const data = new Uint8Array(60);
  data[12] = 0x08; // IPv4 ethertype
  data[56] = n >>> 24;
  data[57] = (n >>> 16) & 255;
  data[58] = (n >>> 8) & 255;
  data[59] = n & 255;
  return { tsSec: 1_700_000_000 + n, tsUsec: n % 1_000_000, interfaceName: n % 2 ? 'eth0' : 'lo', direction: n % 2 ? 'out' : 'in', linkType: 1, originalLength: 60, data };
}

function batchOf(from: number, to: number): Uint8Array {
  const w = new FrameBatchWriter();
  for (let n = from; n <= to; n++) w.add(frame(n));
  return w.take();
}

const numberOf = (data: Uint8Array): number => ((data[56] ?? 0) * 2 ** 24) + ((data[57] ?? 0) << 16) + ((data[58] ?? 0) << 8) + (data[59] ?? 0);
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));
const noLog = (): void => undefined;

function tempFolder(): string {
  return mkdtempSync(join(tmpdir(), 'dnc-spool-test-'));
}

async function readBack(path: string): Promise<{ frames: CapturedFrame[]; problem?: string }> {
  const frames: CapturedFrame[] = [];
  const result = await readSpool(path, (batch) => frames.push(...readFrameBatch(batch).map((f) => ({ ...f, data: f.data.slice() }))));
  assert.equal(result.packets, frames.length);
  return result.problem ? { frames, problem: result.problem } : { frames };
}

test('the encoder writes one pcap header, then records; the sidecar gives back direction and interface', () => {
  const encoder = new SpoolEncoder();
  const a = encoder.encode(batchOf(1, 3));
  const b = encoder.encode(batchOf(4, 5));
  assert.equal(a.packets, 3);
  assert.equal(b.packets, 2);
  const pcap = new Uint8Array([...a.pcap, ...b.pcap]);
  const file = readPcapFile(pcap);
  assert.equal(file.error, undefined);
  assert.deepEqual(file.records.map((r) => numberOf(r.data)), [1, 2, 3, 4, 5]);
  assert.deepEqual(file.records.map((r) => r.tsSec), [1, 2, 3, 4, 5].map((n) => 1_700_000_000 + n));
  const sidecar = SpoolSidecar.parse(new Uint8Array([...a.sidecar, ...b.sidecar]));
  assert.equal(sidecar.packets, 5);
  assert.deepEqual([0, 1, 2, 3, 4].map((i) => sidecar.at(i)), [1, 2, 3, 4, 5].map((n) => ({ interfaceName: frame(n).interfaceName, direction: frame(n).direction })));
  // Interface names are written once each, not per packet: 5 codes + 2 definitions.
  assert.equal(a.sidecar.length + b.sidecar.length, 5 + (2 + 'eth0'.length) + (2 + 'lo'.length));
});

test('frames of another link type are left out of the pcap and counted', () => {
  const w = new FrameBatchWriter();
  w.add(frame(1));
  w.add({ ...frame(2), linkType: 276 });
  w.add(frame(3));
  const out = new SpoolEncoder().encode(w.take());
  assert.equal(out.packets, 2);
  assert.equal(out.skipped, 1);
  assert.deepEqual(readPcapFile(out.pcap).records.map((r) => numberOf(r.data)), [1, 3]);
});

test('a live spool writes in batches, is 0600, tcpdump reads it, and it reads back with directions and interfaces', async () => {
  const folder = await ensureSpoolFolder(tempFolder());
  assert.equal(statSync(folder).mode & 0o777, 0o700);
  const spool = await CaptureSpool.create(folder, 'web', noLog);
  for (let i = 0; i < 100; i++) spool.append(batchOf(i * 10 + 1, i * 10 + 10));
  // Nothing has been written per packet or per batch yet: it is all pending for one write.
  assert.equal(statSync(spool.path).size, 0);
  assert.equal(spool.packets, 1000);
  await sleep(400);
  const written = statSync(spool.path).size;
  assert.equal(written, 24 + 1000 * (16 + 60), 'one flush wrote all 1,000 records after the interval');
  assert.equal(statSync(spool.path).mode & 0o777, 0o600);
  assert.equal(statSync(sidecarPathOf(spool.path)).mode & 0o777, 0o600);
  await spool.close();

  const lines = execFileSync('tcpdump', ['-nn', '-r', spool.path], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).split('\n').filter(Boolean);
  assert.equal(lines.length, 1000, 'tcpdump reads every packet');

  const { frames, problem } = await readBack(spool.path);
  assert.equal(problem, undefined);
  assert.equal(frames.length, 1000);
  for (const [i, f] of frames.entries()) {
    const n = i + 1;
    assert.equal(numberOf(f.data), n);
    assert.equal(f.direction, frame(n).direction);
    assert.equal(f.interfaceName, frame(n).interfaceName);
    assert.equal(f.tsSec, frame(n).tsSec);
  }
  rmSync(folder, { recursive: true, force: true });
});

test('a capture past its in-memory limit keeps all packets in the spool, says so, and the saved copy has them all', async () => {
  const folder = await ensureSpoolFolder(tempFolder());
  const spool = await CaptureSpool.create(folder, 'web', noLog);
  const session = new CaptureSession({ id: 'abc', name: 'web' }, 1000, noLog, spool);
  let events!: CaptureEvents;
  await session.start(async (e) => {
    events = e;
    return { stop: async () => e.ended({ reason: 'stopped' }), finished: new Promise<CaptureEndInfo>(() => undefined), channelDirectory: '/nonexistent', pause: () => undefined, resume: () => undefined };
  });
  events.started({ interfaces: ['eth0', 'lo'], commands: [], helperPid: 1, tcpdumpPids: [], uid: 65534, gid: 65534 });
  for (let i = 0; i < 50; i++) events.frames(batchOf(i * 100 + 1, i * 100 + 100), 100);
  assert.equal(session.store.size, 1000);
  assert.equal(session.store.droppedFromMemory, 4000);
  assert.match(session.status.message ?? '', new RegExp(SPOOL_KEEPS_DROPPED));
  await session.stop();
  assert.match(session.status.message ?? '', /Capture ended: stopped/);
  assert.match(session.status.message ?? '', new RegExp(SPOOL_KEEPS_DROPPED), 'the note stays after the end');

  const snapshot = await spool.snapshot();
  assert.ok(snapshot);
  assert.equal(snapshot.packets, 5000);
  const saved = join(folder, '..', 'saved.pcap');
  await copySpoolTo(snapshot, saved);
  const file = readPcapFile(readFileSync(saved));
  assert.equal(file.error, undefined);
  assert.deepEqual(file.records.map((r) => numberOf(r.data)), Array.from({ length: 5000 }, (_, i) => i + 1));
  session.dispose();
  rmSync(join(folder, '..'), { recursive: true, force: true });
});

test('Clear empties the spool too; later packets start a fresh file', async () => {
  const folder = await ensureSpoolFolder(tempFolder());
  const spool = await CaptureSpool.create(folder, 'web', noLog);
  spool.append(batchOf(1, 10));
  await spool.flush();
  await spool.clear();
  spool.append(batchOf(11, 12));
  const snapshot = await spool.snapshot();
  assert.equal(snapshot?.packets, 2);
  const { frames } = await readBack(spool.path);
  assert.deepEqual(frames.map((f) => [numberOf(f.data), f.interfaceName, f.direction]), [[11, 'eth0', 'out'], [12, 'lo', 'in']]);
  await spool.delete();
  assert.ok(!existsSync(spool.path) && !existsSync(sidecarPathOf(spool.path)), 'delete removes both files');
  rmSync(folder, { recursive: true, force: true });
});

test('a spool cut short mid-record reads back up to the last whole packet and says so', async () => {
  const folder = await ensureSpoolFolder(tempFolder());
  const spool = await CaptureSpool.create(folder, 'web', noLog);
  spool.append(batchOf(1, 5));
  await spool.close();
  const bytes = readFileSync(spool.path);
  writeFileSync(spool.path, bytes.subarray(0, bytes.length - 10));
  const { frames, problem } = await readBack(spool.path);
  assert.deepEqual(frames.map((f) => numberOf(f.data)), [1, 2, 3, 4]);
  assert.match(problem ?? '', /truncated/);
  rmSync(folder, { recursive: true, force: true });
});

test('cleanup removes spools older than 7 days and all but the newest 20, with their sidecars', async () => {
  const folder = await ensureSpoolFolder(tempFolder());
  const now = Date.now();
  const make = (name: string, ageHours: number): string => {
    const path = join(folder, name);
    writeFileSync(path, 'x');
    writeFileSync(sidecarPathOf(path), 'y');
    const t = new Date(now - ageHours * 3600_000);
    utimesSync(path, t, t);
    return path;
  };
  const old = make('old-1.pcap', 8 * 24);
  const recent = Array.from({ length: 22 }, (_, i) => make(`web-${String(i).padStart(2, '0')}.pcap`, i + 1));
  const notOurs = join(folder, 'notes.txt');
  writeFileSync(notOurs, 'keep');
  const removed = await cleanSpoolFolder(folder, now);
  assert.deepEqual(removed.sort(), [old, recent[20], recent[21]].sort());
  for (const p of removed) assert.ok(!existsSync(p) && !existsSync(sidecarPathOf(p)));
  for (const p of recent.slice(0, 20)) assert.ok(existsSync(p), `${p} kept`);
  assert.ok(existsSync(notOurs), 'files that are not spools are left alone');
  rmSync(folder, { recursive: true, force: true });
});

test('a spool path from webview state is used only inside the spool folder, as a regular file with our kind of name', async () => {
  const root = tempFolder();
  const folder = await ensureSpoolFolder(root);
  const good = join(folder, 'web-20240101-120000-abcd.pcap');
  writeFileSync(good, '');
  assert.equal(await validateSpoolPath(folder, good), good);
  const outside = join(root, 'elsewhere.pcap');
  writeFileSync(outside, '');
  mkdirSync(join(folder, 'sub'));
  writeFileSync(join(folder, 'sub', 'x.pcap'), '');
  symlinkSync(outside, join(folder, 'link.pcap'));
  for (const bad of [outside, join(folder, '..', 'elsewhere.pcap'), join(folder, 'sub', 'x.pcap'), join(folder, 'link.pcap'), join(folder, 'missing.pcap'), join(folder, '.hidden.pcap'), '/etc/passwd', 'relative.pcap', 42, undefined, { path: good }]) {
    assert.equal(await validateSpoolPath(folder, bad), undefined, `refused: ${String(bad)}`);
  }
  rmSync(root, { recursive: true, force: true });
});
