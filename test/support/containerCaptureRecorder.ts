/**
 * Runs the helper-container backend in this test process and records what a
 * user's side would get: frames, logs, the end.
 */
import { readFrameBatch } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import type { CaptureEndInfo, CaptureHandle } from '../../src/client/captureClient';
import { createDockerClient } from '../../src/client/dockerClient';
import { startContainerCapture } from '../../src/client/helperContainer/startContainerCapture';
import type { CaptureRequest } from '../../src/protocol/captureRequest';
import { DOCKER_HOST } from './dockerFixture';
import { HELPER_IMAGE } from './helperContainerFixture';

export interface RecordedCapture {
  handle: CaptureHandle;
  frames: CapturedFrame[];
  logs: string[];
  ended?: CaptureEndInfo;
  /** Waits (bounded) until at least `n` frames arrived. */
  framesAtLeast(n: number, timeoutMs?: number): Promise<void>;
}

export async function recordContainerCapture(container: string, options: { host?: string; image?: string; request?: Partial<CaptureRequest> } = {}): Promise<RecordedCapture> {
  const docker = createDockerClient(options.host ?? DOCKER_HOST);
  const target = await docker.resolveContainer(container);
  const frames: CapturedFrame[] = [];
  const logs: string[] = [];
  const recorded: Partial<RecordedCapture> = { frames, logs };
  const handle = await startContainerCapture(
    docker,
    target,
    { container, direction: 'both', mode: { kind: 'namespace' }, ...options.request },
    { helperImage: options.image ?? HELPER_IMAGE, verbose: true },
    {
      started: () => undefined,
      frames: (batch) => frames.push(...readFrameBatch(batch)),
      stats: () => undefined,
      log: (_level, message) => logs.push(message),
      ended: (info) => (recorded.ended = info),
    },
  );
  recorded.handle = handle;
  recorded.framesAtLeast = async (n, timeoutMs = 10_000) => {
    for (let waited = 0; frames.length < n && waited < timeoutMs; waited += 50) await new Promise((r) => setTimeout(r, 50));
  };
  return recorded as RecordedCapture;
}
