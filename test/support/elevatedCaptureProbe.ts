/**
 * Run as an ordinary user: starts a capture the way the extension does
 * (startCapture with elevation 'sudo-prompt', so @vscode/sudo-prompt -> pkexec
 * -> the helper as root) and reports events as JSON lines on stdout. A line
 * "stop" on stdin stops the capture.
 *
 *   probe <container> <runtime executable> <helper.js> <docker endpoint>
 */
import { createInterface } from 'node:readline';
import { summarize } from '../../src/core/decode/index';
import { readFrameBatch } from '../../src/core/frameBatch';
import { isCaptureError } from '../../src/protocol/captureErrors';
import { startCapture } from '../../src/client/captureClient';
import { createDockerClient } from '../../src/client/dockerClient';

const [container, runtime, helper, endpoint] = process.argv.slice(2);
const emit = (value: unknown): void => void process.stdout.write(JSON.stringify(value) + '\n');

async function main(): Promise<void> {
  if (!container || !runtime || !helper || !endpoint) throw new Error('usage: probe CONTAINER RUNTIME HELPER ENDPOINT');
  const target = await createDockerClient(endpoint).resolveContainer(container);
  const handle = await startCapture(
    target,
    { container, direction: 'both', mode: { kind: 'namespace' } },
    { helperScript: helper, nodeExecutable: runtime, elevation: 'sudo-prompt', verbose: true },
    {
      started: (info) => emit({ event: 'started', ...info }),
      frames: (batch) => {
        for (const f of readFrameBatch(batch)) {
          const s = summarize(f.data, f.linkType);
          emit({ event: 'frame', direction: f.direction, iface: f.interfaceName, src: s.src, dst: s.dst, info: s.info });
        }
      },
      stats: () => undefined,
      log: (level, message) => emit({ event: 'log', level, message }),
      ended: (info) => emit({ event: 'ended', reason: info.reason, error: info.error?.message }),
    },
  );
  emit({ event: 'ready', channelDirectory: handle.channelDirectory });
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stop') void handle.stop().then(() => emit({ event: 'stopped' }));
  });
  await handle.finished;
  process.exit(0);
}

main().catch((err: unknown) => {
  emit({ event: 'error', code: isCaptureError(err) ? err.code : 'unexpected', message: err instanceof Error ? err.message : String(err) });
  process.exit(0);
});
