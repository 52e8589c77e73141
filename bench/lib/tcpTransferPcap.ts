/**
 * A pcap of one large TCP transfer for the Follow Stream bench: handshake, a request,
 * `megabytes` of response in 1448-byte segments with an ACK every second segment, one
 * segment in 1000 sent after its successor (out of order) and one in 5000 sent twice
 * (retransmitted), then FIN both ways. Written once into bench/out and reused.
 */
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { pcapGlobalHeader, pcapRecordBytes } from '../../src/core/pcap/pcapWriter';

const MSS = 1448;
const CLIENT = [10, 9, 0, 2];
const SERVER = [10, 9, 0, 3];

function frame(fromClient: boolean, seq: number, ack: number, flags: number, payload: Uint8Array): Uint8Array {
  const d = new Uint8Array(14 + 20 + 20 + payload.length);
  const v = new DataView(d.buffer);
  d.set([2, 0, 0, 0, 0, fromClient ? 3 : 2, 2, 0, 0, 0, 0, fromClient ? 2 : 3], 0);
  v.setUint16(12, 0x0800);
  d[14] = 0x45;
  v.setUint16(16, 40 + payload.length);
  d[22] = 64;
  d[23] = 6;
  d.set(fromClient ? CLIENT : SERVER, 26);
  d.set(fromClient ? SERVER : CLIENT, 30);
  v.setUint16(34, fromClient ? 40000 : 80);
  v.setUint16(36, fromClient ? 80 : 40000);
  v.setUint32(38, seq >>> 0);
  v.setUint32(42, ack >>> 0);
  d[46] = 0x50;
  d[47] = flags;
  v.setUint16(48, 65535);
  d.set(payload, 54);
  return d;
}

export function tcpTransferPcap(path: string, megabytes: number): { path: string; bytes: number; packets: number; payloadBytes: number } {
  const stamp = `${path}.done`;
  const expected = `${megabytes} MB v1`;
  const total = megabytes * 1024 * 1024;
  if (existsSync(path) && existsSync(stamp) && readFileSync(stamp, 'utf8').startsWith(expected)) {
    return { path, bytes: statSync(path).size, packets: Number(readFileSync(stamp, 'utf8').split(' ').pop()), payloadBytes: total };
  }
  mkdirSync(dirname(path), { recursive: true });
  const fd = openSync(path, 'w');
  writeSync(fd, pcapGlobalHeader(1));
  let packets = 0;
  let usec = 0;
  const write = (fromClient: boolean, seq: number, ack: number, flags: number, payload: Uint8Array): void => {
    usec += 20;
    const data = frame(fromClient, seq, ack, flags, payload);
    writeSync(fd, pcapRecordBytes({ tsSec: 1_700_000_000 + Math.floor(usec / 1e6), tsUsec: usec % 1e6, originalLength: data.length, data, linkType: 1 }));
    packets++;
  };
  const request = new TextEncoder().encode('GET /big HTTP/1.1\r\nHost: 10.9.0.3\r\n\r\n');
  const c0 = 1000;
  const s0 = 5000;
  write(true, c0, 0, 0x02, new Uint8Array(0));
  write(false, s0, c0 + 1, 0x12, new Uint8Array(0));
  write(true, c0 + 1, s0 + 1, 0x10, new Uint8Array(0));
  write(true, c0 + 1, s0 + 1, 0x18, request);
  const body = new Uint8Array(MSS);
  const clientNext = c0 + 1 + request.length;
  const segments = Math.ceil(total / MSS);
  const segment = (i: number): void => {
    const length = Math.min(MSS, total - i * MSS);
    for (let k = 0; k < length; k++) body[k] = 32 + ((i + k) % 90);
    write(false, s0 + 1 + i * MSS, clientNext, 0x10, body.subarray(0, length));
  };
  for (let i = 0; i < segments; i++) {
    if (i % 1000 === 500 && i + 1 < segments) {
      segment(i + 1);
      segment(i);
      i++;
    } else {
      segment(i);
      if (i % 5000 === 2500) segment(i);
    }
    if (i % 2 === 1) write(true, clientNext, s0 + 1 + Math.min(total, (i + 1) * MSS), 0x10, new Uint8Array(0));
  }
  write(false, s0 + 1 + total, clientNext, 0x11, new Uint8Array(0));
  write(true, clientNext, s0 + 2 + total, 0x11, new Uint8Array(0));
  write(false, s0 + 2 + total, clientNext + 1, 0x10, new Uint8Array(0));
  closeSync(fd);
  writeFileSync(stamp, `${expected} ${packets}`);
  return { path, bytes: statSync(path).size, packets, payloadBytes: total };
}
