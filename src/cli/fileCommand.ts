/** -r FILE: decode a pcap file; no root, no Docker (unless --tls-keylog names a container). */
import { readFileSync } from 'node:fs';
import { readPcapFile } from '../core/pcap/pcapReader';
import type { CliOptions } from './cliArguments';
import { fail, outputFormat, PROGRAM, stdoutWriter } from './cliOutput';
import { PacketPrinter } from './packetPrinter';
import { openInProcessKeyLog } from './tlsKeyLogInProcess';

export async function readFromFile(o: CliOptions): Promise<void> {
  const path = o.readFile as string;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    fail(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const file = readPcapFile(bytes);
  if (file.error && file.records.length === 0) fail(`${path}: ${file.error.message}`);
  const keyLog = await openInProcessKeyLog(o, false, (m) => process.stderr.write(`${PROGRAM}: warning: ${m}\n`));
  const printer = new PacketPrinter(outputFormat(o), stdoutWriter(() => process.exit(0)), keyLog?.printing);
  let n = 0;
  for (const r of file.records) {
    if (o.count && n >= o.count) break;
    // A file does not say which way a packet went; shown as sent, remote = destination.
    // pcapng says both: its interface name (`web-1/eth0`) and the packet's direction flag.
    printer.add({ ...r, interfaceName: r.interfaceName ?? 'file', direction: r.direction ?? 'out' });
    n++;
  }
  printer.finish();
  keyLog?.stop();
  if (file.error) process.stderr.write(`${PROGRAM}: warning: ${path}: ${file.error.message}\n`);
}
