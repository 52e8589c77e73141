/**
 * A full capture through a remote endpoint, checked as a user would check it: the CLI
 * (dist/cli.js) prints the seed's text (`OUT: ip:port` / `IN:  ip:port` + the payload's
 * hexdump) and writes `-w FILE` in the same run; tshark reads that file, and every
 * printed block must be the packet tshark sees at the same position: same remote
 * address and port for its direction, same TCP payload. Also the scene the traffic
 * comes from: an HTTP server and a client, two containers on one engine's bridge.
 */
import { spawn, execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CLI } from './cliRunner';
import { IMAGE, uniqueName } from './dockerFixture';
import { childrenOf } from './processTree';

/** The docker CLI on one engine (its own socket, or the main daemon's). */
export type EngineDocker = (...args: string[]) => string;

export interface HttpPair {
  server: string;
  client: string;
  serverIp: string;
  clientIp: string;
  /** A wget of the server's page and two pings, from the client: bounded, by IP literal. */
  traffic(): void;
  dispose(): void;
}

/** Two containers on the engine's default bridge: busybox httpd, and a client that only sleeps. */
export function startHttpPair(docker: EngineDocker, tag: string): HttpPair {
  const server = uniqueName(`dnc-${tag}-srv`);
  const client = uniqueName(`dnc-${tag}-cli`);
  const dispose = (): void => {
    for (const name of [client, server]) {
      try {
        docker('rm', '-f', name);
      } catch {
        // not created
      }
    }
  };
  try {
    docker('run', '-d', '--name', server, IMAGE, 'httpd', '-f', '-p', '80', '-h', '/www');
    docker('run', '-d', '--name', client, IMAGE, 'sleep', '600');
    const ip = (name: string): string => docker('inspect', '-f', '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}', name);
    const serverIp = ip(server);
    const clientIp = ip(client);
    if (!serverIp || !clientIp) throw new Error(`no bridge address: server ${serverIp}, client ${clientIp}`);
    const exec = (...cmd: string[]): void => {
      try {
        docker('exec', client, ...cmd);
      } catch {
        // the frames are what the test looks at
      }
    };
    return {
      server,
      client,
      serverIp,
      clientIp,
      traffic: () => {
        exec('wget', '-q', '-O', '-', `http://${serverIp}/`);
        exec('ping', '-c', '2', '-i', '0.2', serverIp);
      },
      dispose,
    };
  } catch (e) {
    dispose();
    throw e;
  }
}

export interface CliRun {
  code: number | null;
  stdout: string;
  stderr: string;
  pcap: string;
}

export interface CliCaptureOptions {
  /** Arguments after `--verbose -w FILE` (the container last). */
  args: string[];
  env: NodeJS.ProcessEnv;
  /** Where -w writes (its folder must be writable by `user`). */
  pcap: string;
  /** Run as this user (runuser), else as this process's user. */
  user?: string;
  /** Runs once the CLI says it captures. */
  traffic(): void;
  /** Waits this long between "capturing" and the traffic: an idle capture (default 0). */
  quietMs?: number;
  /** What ends the capture once the traffic ran: Ctrl-C (default), or a fault the test makes. */
  end?: (cli: { pid: number }) => void | Promise<void>;
  timeoutMs?: number;
}

/** Runs the CLI until it captures, makes the traffic, ends it, and returns what it printed. */
export async function captureWithCli(o: CliCaptureOptions): Promise<CliRun> {
  const node = [process.execPath, CLI, '--verbose', '-w', o.pcap, ...o.args];
  const argv = o.user ? ['runuser', '-u', o.user, '--', ...node] : node;
  const child = spawn(argv[0] as string, argv.slice(1), { stdio: ['ignore', 'pipe', 'pipe'], env: o.env });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (t: string) => (stdout += t));
  child.stderr.setEncoding('utf8').on('data', (t: string) => (stderr += t));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const deadline = Date.now() + (o.timeoutMs ?? 60_000);
  const kill = setTimeout(() => child.kill('SIGKILL'), o.timeoutMs ?? 60_000);
  try {
    // The container path's verbose line, printed once tcpdump listens on every interface.
    while (!/: capturing on /.test(stderr) && child.exitCode === null && Date.now() < deadline) await new Promise((r) => setTimeout(r, 100));
    if (child.exitCode === null && /: capturing on /.test(stderr)) {
      if (o.quietMs) await new Promise((r) => setTimeout(r, o.quietMs));
      o.traffic();
      // The last frames are a few ms behind the traffic's end.
      await new Promise((r) => setTimeout(r, 700));
      // runuser does not pass Ctrl-C on (and gives SIGTERM 2 s before a SIGKILL): the CLI itself is signalled.
      const cli = o.user ? (childrenOf(child.pid as number)[0] ?? (child.pid as number)) : (child.pid as number);
      if (o.end) await o.end({ pid: cli });
      else process.kill(cli, 'SIGINT');
    }
    const code = await exited;
    return { code, stdout, stderr, pcap: o.pcap };
  } finally {
    clearTimeout(kill);
  }
}

export interface PrintedPacket {
  direction: 'OUT' | 'IN';
  /** `ip:port`, or `ip` for ICMP. */
  remote: string;
  /** The payload from the hexdump, lower-case hex. */
  payload: string;
}

/** The seed's text, read back: one entry per endpoint line, with the hexdump rows under it. */
export function parsePrintedPackets(stdout: string): PrintedPacket[] {
  const packets: PrintedPacket[] = [];
  for (const line of stdout.split('\n')) {
    const head = /^(OUT|IN): {1,2}(\S+)$/.exec(line);
    if (head) {
      packets.push({ direction: head[1] as 'OUT' | 'IN', remote: head[2] as string, payload: '' });
      continue;
    }
    const row = /^\| ((?:[0-9A-F]{2}| {2})(?: (?:[0-9A-F]{2}| {2})){15}) \|/.exec(line);
    const last = packets[packets.length - 1];
    if (row && last) last.payload += (row[1] as string).replace(/ /g, '').toLowerCase();
  }
  return packets;
}

export interface PcapPacket {
  src: string;
  dst: string;
  srcPort: string;
  dstPort: string;
  protocol: 'tcp' | 'icmp' | 'other';
  payload: string;
}

/** tshark's reading of the file: one entry per frame, in file order. */
export function tsharkPackets(pcap: string): PcapPacket[] {
  const fields = ['ip.src', 'ip.dst', 'tcp.srcport', 'tcp.dstport', 'tcp.payload', 'icmp.type'];
  const out = execFileSync('tshark', ['-n', '-r', pcap, '-T', 'fields', '-E', 'separator=/t', ...fields.flatMap((f) => ['-e', f])], { encoding: 'utf8', maxBuffer: 64 << 20 });
  return out
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => {
      const [src = '', dst = '', srcPort = '', dstPort = '', payload = '', icmp = ''] = l.split('\t');
      return { src, dst, srcPort, dstPort, protocol: srcPort ? 'tcp' : icmp ? 'icmp' : 'other', payload: payload.replace(/:/g, '').toLowerCase() };
    });
}

/**
 * What the CLI printed must be what tshark reads from the -w file of the same run,
 * packet for packet: a frame from `targetIp` is OUT with its destination, any other
 * (loopback traffic is shown once, as sent) as seen by the target. Returns the packets.
 */
export function assertAgreesWithTshark(run: CliRun, targetIp: string, assert: { equal(a: unknown, b: unknown, m?: string): void; deepEqual(a: unknown, b: unknown, m?: string): void }): PrintedPacket[] {
  const printed = parsePrintedPackets(run.stdout);
  const read = tsharkPackets(run.pcap);
  assert.equal(printed.length, read.length, `the CLI printed ${printed.length} packets, tshark reads ${read.length} in ${path.basename(run.pcap)}`);
  const expected = read.map((p): PrintedPacket => {
    const out = p.src === targetIp || (p.src === '127.0.0.1' && p.dst === '127.0.0.1');
    const address = out ? p.dst : p.src;
    const port = out ? p.dstPort : p.srcPort;
    return { direction: out ? 'OUT' : 'IN', remote: port ? `${address}:${port}` : address, payload: p.protocol === 'tcp' ? p.payload : '' };
  });
  // ICMP payloads are printed too; tshark's field for them differs by type: compared for TCP only.
  const comparable = printed.map((p, i) => (read[i]?.protocol === 'tcp' ? p : { ...p, payload: '' }));
  assert.deepEqual(comparable, expected, 'every printed packet is the one tshark reads at the same position');
  return printed;
}

/** The traffic of HttpPair.traffic(), as the client's capture must show it. */
export function assertHttpAndPing(printed: PrintedPacket[], serverIp: string, assert: { ok(v: unknown, m?: string): void }): void {
  const hex = (s: string): string => Buffer.from(s).toString('hex');
  assert.ok(printed.some((p) => p.direction === 'OUT' && p.remote === `${serverIp}:80` && p.payload.startsWith(hex('GET / HTTP/1.1'))), 'the request, OUT to the server');
  assert.ok(printed.some((p) => p.direction === 'IN' && p.remote === `${serverIp}:80` && p.payload.includes(hex('hello from dnc'))), 'the page, IN from the server');
  assert.ok(printed.filter((p) => p.direction === 'OUT' && p.remote === serverIp).length >= 2, 'two echo requests, OUT to the server');
  assert.ok(printed.filter((p) => p.direction === 'IN' && p.remote === serverIp).length >= 2, 'two echo replies, IN from the server');
}

/** A folder for -w files that `uid` may write to (the CLI refuses a file it does not own). */
export function captureFolder(base: string, uid = 0, gid = 0): string {
  const dir = fs.mkdtempSync(path.join(base, 'dnc-remote-capture-'));
  fs.chownSync(dir, uid, gid);
  return dir;
}

/** A page served by the target to a peer: the request IN from the peer, the page OUT to the same peer address and port. */
export function assertHttpServed(printed: PrintedPacket[], assert: { ok(v: unknown, m?: string): void }): void {
  const hex = (s: string): string => Buffer.from(s).toString('hex');
  const request = printed.find((p) => p.direction === 'IN' && p.payload.startsWith(hex('GET / HTTP/1.1')));
  assert.ok(request, 'the request, IN from the peer');
  assert.ok(printed.some((p) => p.direction === 'OUT' && p.remote === request?.remote && p.payload.includes(hex('hello from dnc'))), `the page, OUT to ${request?.remote}`);
}
