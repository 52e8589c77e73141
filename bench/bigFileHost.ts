/**
 * Bench 11, host side alone: the extension host's part of opening a big file
 * (StreamedFileCapture through the real InspectorConnection), with a webview
 * that acknowledges every batch at once, so this process holds only what the
 * host holds. Reports the time to stream and index the whole file and the
 * process's peak RSS (VmHWM): what opening the file costs the extension host.
 *
 *   node --import tsx bench/bigFileHost.ts FILE.pcap
 */
import { readFileSync } from 'node:fs';
import { IndexedFileReader } from '../src/extension/file/indexedFileReader';
import { StreamedFileCapture } from '../src/extension/file/streamedFileCapture';
import { InspectorConnection } from '../src/extension/inspector/inspectorConnection';
import { runPart } from './lib/childResult';

export interface BigFileHostFigures {
  packets: number;
  streamMs: number;
  /** RSS before the file was opened (Node + tsx), MB. */
  baseRssMb: number;
  peakRssMb: number;
  heapMb: number;
  arrayBuffersMb: number;
  /** Bytes of packet bytes read back by number (one far packet) in ms. */
  readBackMs: number;
}

function statusMb(field: 'VmHWM' | 'VmRSS'): number {
  const line = readFileSync('/proc/self/status', 'utf8').split('\n').find((l) => l.startsWith(`${field}:`)) ?? '';
  return Number(line.replace(/\D+/g, '')) / 1024;
}

async function main(): Promise<BigFileHostFigures> {
  const path = process.argv[2];
  if (!path) throw new Error('usage: bigFileHost.ts FILE.pcap');
  const baseRssMb = statusMb('VmRSS');
  const model = new StreamedFileCapture(path, await IndexedFileReader.open(path));
  const done = new Promise<void>((resolve) => model.onDidChangeStatus((s) => {
    if (/packets from/.test(s.message ?? '') || s.state === 'error') resolve();
  }));
  const holder: { c?: InspectorConnection } = {};
  const connection = new InspectorConnection(model, {
    post: (m) => {
      // The quickest webview there is: every batch stored the moment it arrives.
      if (m.type === 'frames' && m.seq !== undefined) {
        const seq = m.seq;
        setImmediate(() => void holder.c?.handle({ type: 'ack', seq }));
      }
    },
    hostnames: () => ({}),
    save: async () => undefined,
    log: () => undefined,
  });
  holder.c = connection;
  const started = performance.now();
  await connection.handle({ type: 'ready' });
  await done;
  const streamMs = performance.now() - started;
  const packets = model.packetCount;
  const readStarted = performance.now();
  await model.readPackets([Math.ceil(packets / 2)]);
  const readBackMs = performance.now() - readStarted;
  const memory = process.memoryUsage();
  const figures = { packets, streamMs, baseRssMb, peakRssMb: statusMb('VmHWM'), heapMb: memory.heapUsed / 1e6, arrayBuffersMb: memory.arrayBuffers / 1e6, readBackMs };
  connection.dispose();
  model.dispose();
  return figures;
}

if (require.main === module) runPart(main);
