/**
 * Starts one capture the extension's way (startCapture, 'direct') and prints
 * the outcome as one JSON line, then stops. Run by faults.test.ts inside a
 * mount namespace where a tool is hidden.   probe <container> <helper.js>
 */
import { isCaptureError } from '../../src/protocol/captureErrors';
import { startCapture } from '../../src/client/captureClient';
import { createDockerClient } from '../../src/client/dockerClient';

const [container, helper] = process.argv.slice(2);

async function main(): Promise<void> {
  if (!container || !helper) throw new Error('usage: probe CONTAINER HELPER');
  const target = await createDockerClient().resolveContainer(container);
  const noop = (): void => undefined;
  const handle = await startCapture(
    target,
    { container, direction: 'both', mode: { kind: 'namespace' } },
    { helperScript: helper, nodeExecutable: process.execPath, elevation: 'direct', verbose: false, connectTimeoutMs: 20_000 },
    { started: noop, frames: noop, stats: noop, log: noop, ended: noop },
  );
  await handle.stop();
  process.stdout.write(JSON.stringify({ code: 'started' }) + '\n');
}

main().catch((err: unknown) => {
  process.stdout.write(JSON.stringify({ code: isCaptureError(err) ? err.code : 'unexpected', message: err instanceof Error ? err.message : String(err) }) + '\n');
});
