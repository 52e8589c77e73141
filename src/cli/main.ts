/**
 * docker-network-capture: the seed tool's command line on this project's engine.
 *
 *   sudo npx docker-network-capture [options] container
 *
 * As root it resolves the container, starts tcpdump in the container's network
 * namespace, drops to nobody, and only then reads packets.
 */
import { readFileSync } from 'node:fs';
import type { CapturedFrame } from '../core/packet';
import { readPcapFile } from '../core/pcap/pcapReader';
import { CaptureError, isCaptureError } from '../protocol/captureErrors';
import { CaptureSession } from '../helper/captureSession';
import type { CaptureRequest } from '../protocol/captureRequest';
import { findCaptureTools } from '../helper/captureTools';
import { createDockerClient } from '../client/dockerClient';
import { preparePipelines } from '../helper/preparePipelines';
import { dropPrivileges, isRoot, nobodyIdentity } from '../helper/privileges';
import { validateFilter } from '../protocol/requestValidation';
import { parseCliArguments, USAGE, UsageError, type CliOptions } from './cliArguments';
import { captureViaContainer } from './containerCapture';
import { PacketPrinter } from './packetPrinter';
import { PcapFileSink } from './pcapFileSink';

const PROGRAM = 'docker-network-capture';

function fail(message: string, code = 1): never {
  process.stderr.write(`${PROGRAM}: error: ${message}\n`);
  process.exit(code);
}

function outputFormat(o: CliOptions): 'text' | 'json' | 'ndjson' {
  return o.json ? 'json' : o.ndjson ? 'ndjson' : 'text';
}

function stdoutWriter(onBrokenPipe: () => void): (text: string) => void {
  let broken = false;
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') {
      broken = true;
      onBrokenPipe();
    }
  });
  return (text) => {
    if (!broken) process.stdout.write(text);
  };
}

/** -r: decode a file, no root, no Docker. */
function readFromFile(o: CliOptions): void {
  const path = o.readFile as string;
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (err) {
    fail(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const file = readPcapFile(bytes);
  if (file.error && file.records.length === 0) fail(`${path}: ${file.error.message}`);
  const printer = new PacketPrinter(outputFormat(o), stdoutWriter(() => process.exit(0)));
  let n = 0;
  for (const r of file.records) {
    if (o.count && n >= o.count) break;
    // A file does not say which way a packet went; shown as sent, remote = destination.
    printer.add({ ...r, interfaceName: 'file', direction: 'out' });
    n++;
  }
  printer.finish();
  if (file.error) process.stderr.write(`${PROGRAM}: warning: ${path}: ${file.error.message}\n`);
}

async function capture(o: CliOptions): Promise<number> {
  const verbose = (message: string): void => {
    if (o.verbose) process.stderr.write(`${PROGRAM}: ${message}\n`);
  };
  findCaptureTools(); // says how to install tcpdump before anything else
  if (!isRoot()) {
    throw new CaptureError('not-root', `capturing needs root: run it as  sudo npx ${PROGRAM} ${o.container ?? '<container>'}  (reading a file with -r does not)`);
  }
  const request: CaptureRequest = {
    container: o.container as string,
    direction: o.direction,
    mode: o.bridge ? { kind: 'bridge', bridge: o.bridge } : { kind: 'namespace' },
    filter: validateFilter(o.filter),
    snapLength: o.snapLength,
    limits: { count: o.count, durationSeconds: o.durationSeconds, maxBytes: o.maxBytes },
  };
  const docker = createDockerClient(o.docker);
  verbose(`docker endpoint: ${docker.endpoint}`);
  const target = await docker.resolveContainer(request.container);
  verbose(`container ${target.name} (${target.id.slice(0, 12)}), PID ${target.pid}, network mode ${target.networkMode}`);
  for (const n of target.networks) verbose(`  network ${n.name}: ${[n.ipv4, n.ipv6, n.mac].filter(Boolean).join(' ')}`);
  const specs = preparePipelines(target, request, verbose);
  for (const s of specs) verbose(`interface ${s.interfaceName}: ${s.argv.join(' ')}`);

  const pcapSink = o.writeFile ? new PcapFileSink(o.writeFile, o.snapLength || 262144, (m) => process.stderr.write(`${PROGRAM}: warning: ${m}\n`)) : undefined;
  const session = await CaptureSession.start(specs, request.limits);
  const nobody = nobodyIdentity();
  dropPrivileges(nobody);
  verbose(`tcpdump running (PIDs ${session.pids.join(', ')}); privileges dropped to ${nobody.label} before reading any packet`);

  const printer = new PacketPrinter(outputFormat(o), stdoutWriter(() => void session.stop('output closed')));
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(sig, () => void session.stop('interrupted'));
  return new Promise<number>((resolve) => {
    session.begin({
      frame(frame: CapturedFrame) {
        pcapSink?.add(frame);
        printer.add(frame);
      },
      stats(drops) {
        if (drops > 0) verbose(`kernel dropped ${drops} packets so far`);
      },
      log(level, message) {
        if (level !== 'debug' || o.verbose) process.stderr.write(`${PROGRAM}: ${level === 'info' ? '' : level + ': '}${message}\n`);
      },
      ended(reason, error) {
        printer.finish();
        pcapSink?.close();
        verbose(`capture ended: ${reason}; ${printer.count} packets`);
        if (error) process.stderr.write(`${PROGRAM}: error: ${error.message}\n`);
        resolve(error ? 1 : 0);
      },
    });
  });
}

async function main(): Promise<void> {
  let o: CliOptions;
  try {
    o = parseCliArguments(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError || isCaptureError(err)) {
      process.stderr.write(USAGE.split('\n\n')[0] + '\n');
      fail((err as Error).message, 2);
    }
    throw err;
  }
  if (o.help) {
    process.stdout.write(USAGE);
    return;
  }
  if (o.readFile) {
    readFromFile(o);
    return;
  }
  const viaContainer = o.via === 'container' || (o.via === 'auto' && !isRoot());
  const code = viaContainer ? await captureViaContainer(o, PROGRAM, outputFormat(o), stdoutWriter) : await capture(o);
  // Let stdout drain before exiting: a JSON array can be large.
  process.stdout.write('', () => process.exit(code));
}

main().catch((err: unknown) => {
  if (isCaptureError(err)) fail(err.message);
  fail(err instanceof Error ? err.message : String(err));
});
