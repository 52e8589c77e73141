/**
 * -r FILE: decode a pcap file; no root, no Docker. The file is read as a
 * stream and stdout's backpressure paces the reading, so memory stays flat
 * whatever the file's size (bench/cliMemory.ts measures it). With -w, the
 * packets read are also written to a new pcap file (--count applies).
 */
import type { CapturedFrame } from '../core/packet';
import { openCaptureFile } from './captureFile';
import type { CliOptions } from './cliArguments';
import { fail, outputFormat, PROGRAM } from './cliOutput';
import { PacketPrinter } from './packetPrinter';
import { openPcapFile, PcapFileOpenError, type PcapFileStream } from './pcapFileReader';
import { PcapFileSink } from './pcapFileSink';
import { stdoutOutput } from './printerOutput';

export async function readFromFile(o: CliOptions): Promise<void> {
  const path = o.readFile as string;
  let file: PcapFileStream;
  try {
    file = await openPcapFile(path);
  } catch (err) {
    fail(err instanceof PcapFileOpenError ? err.message : String(err));
  }
  const output = stdoutOutput(() => process.exit(0));
  const printer = new PacketPrinter(outputFormat(o), output);
  let pcapSink: PcapFileSink | undefined;
  const warn = (message: string): void => void process.stderr.write(`${PROGRAM}: warning: ${message}\n`);
  const limit = o.count ?? Infinity;
  try {
    for (let records = await file.next(); records !== undefined && printer.count < limit; records = await file.next()) {
      // -w is opened once the input is known to be pcap: a bad input leaves no empty file behind.
      if (o.writeFile && !pcapSink && file.header) pcapSink = new PcapFileSink(openCaptureFile(o.writeFile), o.snapLength || 262144, warn);
      for (const r of records) {
        if (printer.count >= limit) break;
        // A file does not say which way a packet went; shown as sent, remote = destination.
        const frame: CapturedFrame = { tsSec: r.tsSec, tsUsec: r.tsUsec, interfaceName: 'file', direction: 'out', linkType: r.linkType, originalLength: r.originalLength, data: r.data };
        pcapSink?.add(frame);
        printer.add(frame);
      }
      if (output.full) await output.drained();
    }
  } catch (err) {
    // A read (or -w) failing midway: what was read is printed, then one line says why.
    printer.finish();
    pcapSink?.close();
    process.stderr.write(`${PROGRAM}: error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = 1;
    return;
  }
  await file.close();
  const error = file.error;
  if (error && printer.count === 0) fail(`${path}: ${error.message}`);
  printer.finish();
  pcapSink?.close();
  if (error) warn(`${path}: ${error.message}`);
}
