/**
 * The helper-container backend under a rate that rises and falls, on the private
 * Docker engine with real tcpdump: the capture starts with a tcpdump that writes each
 * packet, is handed over to one that writes in blocks while a flood runs, and back when
 * it ends (src/client/helperContainer/captureHandover.ts). A user must see every packet
 * tcpdump captured exactly once, in time order, and packets sent after the flood within
 * the usual fraction of a second. The flood goes between two of the test's own
 * containers only.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { CaptureEvents } from '../../src/client/captureClient';
import { createDockerClient } from '../../src/client/dockerClient';
import { startContainerCapture } from '../../src/client/helperContainer/startContainerCapture';
import { forEachFrame } from '../../src/core/frameBatch';
import type { ResolvedContainer } from '../../src/protocol/resolvedContainer';
import { docker, DOCKER_HOST, ensureDaemon, removeContainers, removeNetwork, REPO, runContainer, uniqueName, type TestContainer } from '../support/dockerFixture';
import { ensureHelperImages, HELPER_IMAGE, helpersGone } from '../support/helperContainerFixture';

const FLOOD = join(REPO, 'bench', 'lib', 'udpFlood.mjs');
const PORT = 9999;

interface Seen {
  /** The flood's source port and sequence number: one flood run is one source port. */
  key: string;
  tsUs: number;
  latencyMs: number;
  at: number;
}

/** Reads udpFlood.mjs's datagram: "DNCB", sequence, send time (µs). */
function floodPacket(data: Uint8Array): { srcPort: number; seq: number; sentUs: number } | undefined {
  if (data.length < 14 + 20 + 8 + 16 || data[23] !== 17) return undefined;
  const udp = 14 + ((data[14] ?? 0) & 0x0f) * 4;
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  if (view.getUint16(udp + 2) !== PORT || view.getUint32(udp + 8) !== 0x444e4342) return undefined;
  return { srcPort: view.getUint16(udp), seq: view.getUint32(udp + 12), sentUs: view.getFloat64(udp + 16) };
}

describe('helper-container capture handed over by rate', { timeout: 180_000 }, () => {
  let network: string;
  let source: TestContainer;
  let sink: TestContainer;
  let target: ResolvedContainer;
  let sinkIp: string;

  before(async () => {
    ensureDaemon();
    ensureHelperImages();
    network = uniqueName('dnc-ho-net');
    docker('network', 'create', '--subnet', `172.31.${16 + Math.floor(Math.random() * 200)}.0/24`, network);
    sink = runContainer(uniqueName('dnc-ho-sink'), ['--network', network], ['sleep', '3600']);
    source = runContainer(uniqueName('dnc-ho-src'), ['--network', network], ['sleep', '3600']);
    sinkIp = sink.ipv4(network);
    target = await createDockerClient(DOCKER_HOST).resolveContainer(sink.name);
  });
  after(() => {
    removeContainers(source?.name ?? '', sink?.name ?? '');
    if (network) removeNetwork(network);
  });

  function flood(rate: number, seconds: number): Promise<{ sent: number }> {
    return new Promise((resolve, reject) => {
      const child = spawn('nsenter', ['-t', String(source.pid()), '-n', process.execPath, FLOOD, sinkIp, String(PORT), String(rate), String(seconds), '64'], { stdio: ['ignore', 'pipe', 'inherit'] });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as { sent: number }) : reject(new Error(`flood exited ${String(code)}`))));
    });
  }

  /** The capture a user starts on the sink, its log verbose (the handovers are logged at debug). */
  function captureFloodPort(events: CaptureEvents): ReturnType<typeof startContainerCapture> {
    const request = { container: target.name, direction: 'both', mode: { kind: 'namespace' }, filter: `udp port ${PORT}` } as const;
    return startContainerCapture(createDockerClient(DOCKER_HOST), target, request, { helperImage: HELPER_IMAGE, verbose: true }, events);
  }

  it('a flood is met by a block-writing tcpdump and the quiet after it by a per-packet one: every captured packet once, in order, and on time after the flood', async () => {
    const seen: Seen[] = [];
    const logs: string[] = [];
    let ended: string | undefined;
    const events: CaptureEvents = {
      started: () => undefined,
      frames: (batch) =>
        forEachFrame(batch, (f) => {
          const p = floodPacket(f.data);
          if (!p) return;
          const now = Date.now();
          seen.push({ key: `${p.srcPort}/${p.seq}`, tsUs: f.tsSec * 1e6 + f.tsUsec, latencyMs: now - p.sentUs / 1000, at: now });
        }),
      stats: () => undefined,
      log: (_level, message) => logs.push(message),
      ended: (info) => (ended = info.reason),
    };
    const handle = await captureFloodPort(events);
    try {
      const quietBefore = await flood(100, 1);
      const flooded = await flood(15_000, 4);
      const blocksAt = logs.findIndex((l) => /now writes in blocks/.test(l));
      assert.ok(blocksAt >= 0, `the flood was handed to a block writer:\n${logs.join('\n')}`);
      // The quiet after: long enough for the rate window and the dwell, then packets to time.
      const quietAfter = await flood(50, 6);
      const backAt = logs.findIndex((l, i) => i > blocksAt && /now writes each packet/.test(l));
      assert.ok(backAt >= 0, `the quiet was handed back to a per-packet writer:\n${logs.join('\n')}`);
      const lastSent = await flood(20, 2);
      await new Promise((r) => setTimeout(r, 1000));
      const sent = quietBefore.sent + flooded.sent + quietAfter.sent + lastSent.sent;

      // Each packet once.
      const keys = new Set(seen.map((s) => s.key));
      assert.equal(keys.size, seen.length, 'no packet is delivered twice across the handovers');
      // In time order.
      for (let i = 1; i < seen.length; i++) assert.ok(seen[i]!.tsUs >= seen[i - 1]!.tsUs, `frame ${i} is in time order`);
      // The last flood ran on a per-packet tcpdump: its packets arrived as they went.
      const last = seen.slice(-Math.min(lastSent.sent, 30));
      const slow = last.filter((s) => s.latencyMs > 1000);
      assert.deepEqual(slow.map((s) => `${s.key} ${Math.round(s.latencyMs)} ms`), [], 'after the flood, packets arrive within a second');
      await handle.stop();
      const counts = logs.map((l) => /tcpdump captured (\d+) packets \(kernel dropped (\d+)\); (\d+) frames delivered/.exec(l)).find((m) => m);
      assert.ok(counts, logs.join('\n'));
      const [captured, dropped, delivered] = [Number(counts[1]), Number(counts[2]), Number(counts[3])];
      assert.equal(delivered, seen.length);
      assert.equal(captured, delivered, `every packet tcpdump captured reached the consumer, once:\n${logs.join('\n')}`);
      assert.ok(delivered + dropped >= sent * 0.98, `sent ${sent}, delivered ${delivered}, kernel dropped ${dropped}`);
      // No hole in any flood run's sequence short of what the kernel dropped: a block writer
      // stopped with packets the kernel had not handed it yet would leave one.
      const bySource = new Map<string, { last: number; count: number }>();
      for (const s of seen) {
        const [port, seq] = s.key.split('/');
        const run = bySource.get(port!) ?? { last: -1, count: 0 };
        run.last = Math.max(run.last, Number(seq));
        run.count++;
        bySource.set(port!, run);
      }
      const holes = [...bySource.values()].reduce((n, r) => n + r.last + 1 - r.count, 0);
      assert.ok(holes <= dropped, `${holes} packets missing inside the flood runs, the kernel dropped ${dropped}`);
      assert.equal(ended, 'stopped');
    } finally {
      await handle.stop();
    }
    assert.deepEqual(await helpersGone(), [], 'no helper container is left');
  });

  it('stopped during a flood on the block writer: every packet up to the stop is in the capture, none twice', async () => {
    const seen: { key: string; seq: number; sentMs: number }[] = [];
    const logs: string[] = [];
    const events: CaptureEvents = {
      started: () => undefined,
      frames: (batch) =>
        forEachFrame(batch, (f) => {
          const p = floodPacket(f.data);
          if (p) seen.push({ key: `${p.srcPort}/${p.seq}`, seq: p.seq, sentMs: p.sentUs / 1000 });
        }),
      stats: () => undefined,
      log: (_level, message) => logs.push(message),
      ended: () => undefined,
    };
    const handle = await captureFloodPort(events);
    let stopAt = 0;
    try {
      const flooding = flood(15_000, 8);
      const deadline = Date.now() + 7000;
      while (!logs.some((l) => /now writes in blocks/.test(l)) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
      assert.ok(logs.some((l) => /now writes in blocks/.test(l)), `the flood was handed to a block writer:\n${logs.join('\n')}`);
      // Into the block writer's own blocks, then stop while the flood goes on.
      await new Promise((r) => setTimeout(r, 700));
      stopAt = Date.now();
      await handle.stop();
      await flooding;
    } finally {
      await handle.stop();
    }
    assert.equal(new Set(seen.map((s) => s.key)).size, seen.length, 'no packet twice');
    const lastSent = seen.reduce((m, s) => Math.max(m, s.sentMs), 0);
    assert.ok(lastSent >= stopAt, `the capture holds packets sent up to the stop (the last was sent ${Math.round(stopAt - lastSent)} ms before it)`);
    const counts = logs.map((l) => /tcpdump captured (\d+) packets \(kernel dropped (\d+)\); (\d+) frames delivered/.exec(l)).find((m) => m);
    assert.ok(counts, logs.join('\n'));
    assert.equal(Number(counts[1]), Number(counts[3]), `every packet tcpdump captured reached the consumer:\n${logs.join('\n')}`);
    // No gap before the last packet, short of what the kernel dropped.
    const seqs = seen.map((s) => s.seq).sort((a, b) => a - b);
    const missing = seqs[seqs.length - 1]! + 1 - seqs.length;
    assert.ok(missing <= Number(counts[2]), `${missing} packets missing before the last one delivered, the kernel dropped ${counts[2]}`);
    assert.deepEqual(await helpersGone(), [], 'no helper container is left');
  });
});
