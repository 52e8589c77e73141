/**
 * Run as an ordinary user with access to the Docker socket only: captures a
 * container through the helper-container backend (startContainerCapture, the
 * same call the CLI and the extension make) and reports events as JSON lines
 * on stdout. A line "stop" on stdin stops the capture.
 *
 *   probe '<json: endpoint, container, image, direction?, filter?, snapLength?, count?, durationSeconds?, maxBytes?, pcap?>'
 */
import { createInterface } from 'node:readline';
import { summarize } from '../../src/core/decode/index';
import { readFrameBatch } from '../../src/core/frameBatch';
import { isCaptureError } from '../../src/protocol/captureErrors';
import type { CaptureDirection } from '../../src/protocol/captureRequest';
import { createDockerClient } from '../../src/client/dockerClient';
import { startContainerCapture } from '../../src/client/helperContainer/startContainerCapture';
import { openCaptureFile } from '../../src/cli/captureFile';
import { PcapFileSink } from '../../src/cli/pcapFileSink';

interface ProbeArgs {
  endpoint: string;
  container: string;
  image: string;
  direction?: CaptureDirection;
  filter?: string;
  snapLength?: number;
  count?: number;
  durationSeconds?: number;
  maxBytes?: number;
  pcap?: string;
}

const emit = (value: unknown): void => void process.stdout.write(JSON.stringify(value) + '\n');

async function main(): Promise<void> {
  const args = JSON.parse(process.argv[2] ?? '{}') as ProbeArgs;
  emit({ event: 'identity', uid: process.getuid?.(), groups: process.getgroups?.() });
  const docker = createDockerClient(args.endpoint);
  const target = await docker.resolveContainer(args.container);
  const pcap = args.pcap ? new PcapFileSink(openCaptureFile(args.pcap), args.snapLength ?? 262144, (m) => emit({ event: 'log', level: 'warn', message: m })) : undefined;
  const handle = await startContainerCapture(
    docker,
    target,
    {
      container: args.container,
      direction: args.direction ?? 'both',
      mode: { kind: 'namespace' },
      ...(args.filter ? { filter: args.filter } : {}),
      ...(args.snapLength ? { snapLength: args.snapLength } : {}),
      limits: { count: args.count, durationSeconds: args.durationSeconds, maxBytes: args.maxBytes },
    },
    { helperImage: args.image, verbose: true, onPullProgress: (line) => emit({ event: 'pull', line }) },
    {
      started: (info) => emit({ event: 'started', ...info }),
      frames: (batch, count) => {
        const frames = readFrameBatch(batch);
        if (frames.length !== count) emit({ event: 'error', message: `batch said ${count} frames, held ${frames.length}` });
        for (const f of frames) {
          pcap?.add(f);
          const s = summarize(f.data, f.linkType, f.originalLength);
          const payload = Buffer.from(f.data.subarray(s.payloadOffset, s.payloadOffset + s.payloadLength)).toString('latin1');
          emit({ event: 'frame', direction: f.direction, iface: f.interfaceName, protocol: s.protocol, src: s.src, dst: s.dst, srcPort: s.srcPort, dstPort: s.dstPort, length: f.data.length, originalLength: f.originalLength, payload });
        }
      },
      stats: (stats) => emit({ event: 'stats', ...stats }),
      log: (level, message) => emit({ event: 'log', level, message }),
      ended: (info) => {
        pcap?.flush();
        emit({ event: 'ended', reason: info.reason, code: info.error?.code, error: info.error?.message });
      },
    },
  );
  emit({ event: 'ready' });
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stop') void handle.stop().then(() => emit({ event: 'stopped' }));
  });
  await handle.finished;
  pcap?.close();
  process.exit(0);
}

main().catch((err: unknown) => {
  emit({ event: 'error', code: isCaptureError(err) ? err.code : 'unexpected', message: err instanceof Error ? err.message : String(err) });
  process.exit(0);
});
