/**
 * Bench 7: the conversation views. Follow Stream on one 100 MB TCP transfer (with
 * out-of-order and retransmitted segments) and the Conversations table (stream numbers
 * and per-conversation counts, then the first 2,000 rows the view shows, in stream order)
 * of the 1 M-packet mixed capture, from a packet store
 * loaded as the inspector loads it (loading is not timed: it is bench 3's subject).
 * Side by side, in the same run, tshark doing the same on the same files.
 *
 *   node --import tsx bench/streamViews.ts MIXED.pcap [RUNS]     (alone: DNC_BENCH_ONLY=streams npm run bench)
 * DNC_BENCH_FOLLOW_MB sets the transfer's size (default 100); DNC_BENCH_TSHARK=0 skips tshark.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { summarize, summarizeColumns } from '../src/core/decode/index';
import { readPcapFile } from '../src/core/pcap/pcapReader';
import { PacketStore } from '../src/core/packetStore';
import { followStream } from '../src/core/stream/followStream';
import { orderedConversations } from '../src/core/stream/conversationOrder';
import { StreamTable } from '../src/core/stream/streamTable';
import { runPart } from './lib/childResult';
import { median, nowMs } from './lib/figures';
import { tcpTransferPcap } from './lib/tcpTransferPcap';

export interface StreamLine {
  name: string;
  packets: number;
  ms: number;
  runs: number[];
}

export interface StreamFigures {
  follow: { path: string; bytes: number; packets: number; payloadBytes: number };
  lines: StreamLine[];
  /** The Conversations line's table: its conversations and the memory its typed arrays hold (StreamTable.heldBytes). */
  conversationTable?: { conversations: number; heldBytes: number };
}

function load(path: string): PacketStore {
  const store = new PacketStore({ maxPackets: 2_000_000, summarize, summarizeColumns });
  for (const r of readPcapFile(readFileSync(path)).records) {
    store.append({ tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: 'eth0', direction: 'in', linkType: r.linkType, originalLength: r.originalLength, data: r.data });
  }
  return store;
}

function timed(name: string, packets: number, runs: number, body: () => void): StreamLine {
  const times: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t = nowMs();
    body();
    times.push(nowMs() - t);
  }
  return { name, packets, ms: median(times), runs: times };
}

function tshark(args: string[]): void {
  const r = spawnSync('tshark', ['-n', '-q', ...args], { stdio: 'ignore', timeout: 10 * 60_000 });
  if (r.status !== 0) throw new Error(`tshark ${args.join(' ')} failed`);
}

async function main(): Promise<StreamFigures> {
  const [mixed, runsText = '3'] = process.argv.slice(2);
  if (!mixed) throw new Error('usage: streamViews.ts MIXED.pcap [RUNS]');
  const runs = Number(runsText);
  const withTshark = process.env.DNC_BENCH_TSHARK !== '0';
  const follow = tcpTransferPcap(join(__dirname, 'out', 'tcp-transfer.pcap'), Number(process.env.DNC_BENCH_FOLLOW_MB ?? 100));
  const lines: StreamLine[] = [];

  let store = load(follow.path);
  lines.push(timed(`Follow TCP Stream, ${Math.round(follow.payloadBytes / 2 ** 20)} MB transfer (stream table + reassembly)`, follow.packets, runs, () => {
    const table = new StreamTable(store);
    table.update();
    const followed = followStream(store, table, 'tcp', 0);
    if (followed?.sides[1].length !== follow.payloadBytes) throw new Error(`followed ${String(followed?.sides[1].length)} bytes, not ${follow.payloadBytes}`);
  }));
  if (withTshark) lines.push(timed('tshark -q -z follow,tcp,raw,0 (same file)', follow.packets, 1, () => tshark(['-r', follow.path, '-z', 'follow,tcp,raw,0'])));

  store = load(mixed);
  const packets = store.size;
  // What opening the Conversations view computes: the table, then its first rows in stream order (the view's default).
  let conversationTable: StreamFigures['conversationTable'];
  lines.push(timed('Conversations (tcp/udp.stream of every packet + the view\'s first 2,000 rows in order)', packets, runs, () => {
    const table = new StreamTable(store);
    table.update();
    conversationTable = { conversations: table.conversationCount, heldBytes: table.heldBytes };
    const page = orderedConversations(table, 'stream', false, 2000, (a) => a);
    if (page.total === 0 || page.rows.length !== Math.min(2000, page.total)) throw new Error(`${page.rows.length} rows of ${page.total} conversations`);
  }));
  if (withTshark) lines.push(timed('tshark -q -z conv,tcp -z conv,udp (same file)', packets, 1, () => tshark(['-r', mixed, '-z', 'conv,tcp', '-z', 'conv,udp'])));
  return { follow, lines, ...(conversationTable ? { conversationTable } : {}) };
}

runPart(main);
