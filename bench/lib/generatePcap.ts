/**
 * Writes a classic microsecond pcap (what `tcpdump -w` writes) of synthetic
 * traffic, and a frame-batch stream of the same packets for the webview bench.
 * Reuses the file when it already exists with the expected size and seed.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { LinkType } from '../../src/core/packet';
import { pcapGlobalHeader } from '../../src/core/pcap/pcapWriter';
import { RealisticTraffic } from './realisticTraffic';
import { SyntheticTraffic } from './syntheticTraffic';

/**
 * `manyFlows`: syntheticTraffic.ts (every TCP packet a new flow, random peers and ports);
 * `realistic`: realisticTraffic.ts (a few long flows, HTTP, TLS, DNS, UDP bursts).
 */
export type TrafficKind = 'manyFlows' | 'realistic';

const WRITE_CHUNK = 4 * 1024 * 1024;

export interface GeneratedPcap {
  path: string;
  packets: number;
  bytes: number;
  /** Generated now (false: reused from an earlier run). */
  fresh: boolean;
}

export function generatePcap(path: string, packets: number, seed = 5, kind: TrafficKind = 'manyFlows'): GeneratedPcap {
  const stamp = `${path}.done`;
  const expected = `${packets} packets, seed ${seed}, ${kind === 'manyFlows' ? 'v1' : `${kind} v1`}`;
  if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, 'utf8') === expected) {
    return { path, packets, bytes: statSync(path).size, fresh: false };
  }
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  const out = new Uint8Array(WRITE_CHUNK);
  const view = new DataView(out.buffer);
  let fill = 0;
  let total = 0;
  const flush = (): void => {
    writeSync(fd, out, 0, fill);
    total += fill;
    fill = 0;
  };
  out.set(pcapGlobalHeader(LinkType.ETHERNET), 0);
  fill = 24;
  const traffic = kind === 'realistic' ? new RealisticTraffic(seed) : new SyntheticTraffic(seed);
  for (let i = 0; i < packets; i++) {
    const frame = traffic.next();
    if (fill + 16 + frame.data.length > out.length) flush();
    view.setUint32(fill, frame.tsSec, true);
    view.setUint32(fill + 4, frame.tsUsec, true);
    view.setUint32(fill + 8, frame.data.length, true);
    view.setUint32(fill + 12, frame.data.length, true);
    out.set(frame.data, fill + 16);
    fill += 16 + frame.data.length;
  }
  flush();
  closeSync(fd);
  writeFileSync(stamp, expected);
  return { path, packets, bytes: total, fresh: true };
}

/** Deletes a generated file and its stamp. */
export function removeGenerated(file: GeneratedPcap): void {
  rmSync(file.path, { force: true });
  rmSync(`${file.path}.done`, { force: true });
}
