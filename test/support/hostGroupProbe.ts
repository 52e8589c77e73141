/**
 * Run as an ordinary user: captures a Compose project the way the extension's
 * Capture Project Traffic does through the host helper (ContainerGroupCapture
 * with multiContainerBackend: one helper for every container, elevated through
 * @vscode/sudo-prompt -> pkexec) and reports events as JSON lines on stdout.
 * A line "stop" on stdin stops the capture.
 *
 *   probe <project> <runtime executable> <helper.js> <docker endpoint>
 */
import { createInterface } from 'node:readline';
import { ContainerGroupCapture, projectTargets } from '../../src/client/containerGroupCapture';
import { createDockerClient } from '../../src/client/dockerClient';
import { summarize } from '../../src/core/decode/index';
import { multiContainerBackend } from '../../src/extension/capture/multiContainerBackend';
import { isCaptureError } from '../../src/protocol/captureErrors';

const [project, runtime, helper, endpoint] = process.argv.slice(2);
const emit = (value: unknown): void => void process.stdout.write(JSON.stringify(value) + '\n');

async function main(): Promise<void> {
  if (!project || !runtime || !helper || !endpoint) throw new Error('usage: probe PROJECT RUNTIME HELPER ENDPOINT');
  const docker = createDockerClient(endpoint);
  const backend = multiContainerBackend({ backend: 'hostHelper', reason: 'chosen in the settings' }, docker, {
    setting: 'hostHelper',
    helperImage: '',
    verbose: true,
    host: { helperScript: helper, nodeExecutable: runtime, elevation: 'sudo-prompt', verbose: true },
  }, project);
  let resolveOver!: () => void;
  const over = new Promise<void>((r) => (resolveOver = r));
  const group = new ContainerGroupCapture(docker, backend, { project, request: { direction: 'both', mode: { kind: 'namespace' } } }, {
    joined: (t, info) => emit({ event: 'joined', container: t.name, interfaces: info.interfaces, helperPid: info.helperPid, uid: info.uid }),
    frames: (frames) => {
      for (const f of frames) {
        const s = summarize(f.data, f.linkType);
        emit({ event: 'frame', container: f.container, iface: f.interfaceName, direction: f.direction, src: s.src, dst: s.dst, info: s.info });
      }
    },
    stats: () => undefined,
    log: (t, level, message) => emit({ event: 'log', container: t?.name, level, message }),
    left: (t, info) => emit({ event: 'left', container: t.name, reason: info.reason }),
    ended: () => {
      emit({ event: 'ended' });
      resolveOver();
    },
    notJoined: (t, notice) => emit({ event: 'notJoined', container: t.name, notice }),
  });
  await group.start(await projectTargets(docker, project));
  emit({ event: 'ready' });
  createInterface({ input: process.stdin }).on('line', (line) => {
    if (line.trim() === 'stop') void group.stop().then(() => emit({ event: 'stopped' }));
  });
  await over;
  docker.dispose();
  process.exit(0);
}

main().catch((err: unknown) => {
  emit({ event: 'error', code: isCaptureError(err) ? err.code : 'unexpected', message: err instanceof Error ? err.message : String(err) });
  process.exit(0);
});
