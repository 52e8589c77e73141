/**
 * -r FILE: decode a pcap or pcapng file; no root, no Docker (unless --tls-keylog
 * names a container). The file is read as a stream and stdout's backpressure
 * paces the reading, so memory stays flat whatever the file's size
 * (bench/cliMemory.ts measures it). With -w, the packets read are also written
 * to a new capture file (--count applies; pcapng when its name ends so).
 */
import type { CapturedFrame } from '../core/packet';
import { openCaptureFile } from './captureFile';
import { captureFileFormat, captureFileSink, type CaptureFileSink } from './captureFileSinks';
import type { CliOptions } from './cliArguments';
import { fail, outputFormat, PROGRAM } from './cliOutput';
import { PacketPrinter } from './packetPrinter';
import { openPcapFile, PcapFileOpenError, type PcapFileStream } from './pcapFileReader';
import { stdoutOutput } from './printerOutput';
import { openInProcessKeyLog } from './tlsKeyLogInProcess';

export async function readFromFile(o: CliOptions): Promise<void> {
  const path = o.readFile as string;
  let file: PcapFileStream;
  try {
    file = await openPcapFile(path);
  } catch (err) {
    fail(err instanceof PcapFileOpenError ? err.message : String(err));
  }
  const warn = (message: string): void => void process.stderr.write(`${PROGRAM}: warning: ${message}\n`);
  const keyLog = await openInProcessKeyLog(o, false, warn);
  const output = stdoutOutput(() => process.exit(0));
  const printer = new PacketPrinter(outputFormat(o), output, keyLog?.printing);
  let sink: CaptureFileSink | undefined;
  const limit = o.count ?? Infinity;
  try {
    for (let records = await file.next(); records !== undefined && printer.count < limit; records = await file.next()) {
      // -w is opened once the input is known to be a capture file: a bad input leaves no empty file behind.
      if (o.writeFile && !sink && file.started) sink = captureFileSink(captureFileFormat(o.writeFile), openCaptureFile(o.writeFile), o.snapLength || 262144, warn);
      for (const r of records) {
        if (printer.count >= limit) break;
        // A pcap file does not say which way a packet went: shown as sent, remote = destination.
        // pcapng says both: its interface name (`web-1/eth0`) and the packet's direction flag.
        const frame: CapturedFrame = { tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: r.interfaceName ?? 'file', direction: r.direction ?? 'out', linkType: r.linkType, originalLength: r.originalLength, data: r.data };
        sink?.add(frame);
        printer.add(frame);
      }
      if (output.full) await output.drained();
    }
  } catch (err) {
    // A read (or -w) failing midway: what was read is printed, then one line says why.
    printer.finish();
    sink?.close();
    keyLog?.stop();
    process.stderr.write(`${PROGRAM}: error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
    return;
  }
  await file.close();
  const error = file.error;
  if (error && printer.count === 0) {
    keyLog?.stop();
    fail(`${path}: ${error.message}`);
  }
  printer.finish();
  sink?.close();
  keyLog?.stop();
  if (error) warn(`${path}: ${error.message}`);
}
