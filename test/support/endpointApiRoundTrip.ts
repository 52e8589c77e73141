/**
 * What a capture backend does with a DockerClient's API objects, on any endpoint:
 * create a container, attach to its output (a hijacked connection, on streamingApi),
 * start it, wait for it, kill and remove. Returns what the container printed.
 */
import type { DockerClient } from '../../src/client/dockerClient';
import { IMAGE } from './dockerFixture';

export async function runThroughApi(c: DockerClient, name: string, extraHostConfig: Record<string, unknown> = {}): Promise<string> {
  const container = await c.api.createContainer({
    name,
    Image: IMAGE,
    Cmd: ['sh', '-c', 'sleep 1; echo dnc-attach-ok; sleep 600'],
    AttachStdout: true,
    AttachStderr: true,
    HostConfig: { NetworkMode: 'none', ...extraHostConfig },
  });
  try {
    const stream = (await c.streamingApi.getContainer(container.id).attach({ stream: true, stdout: true, stderr: true, hijack: true })) as NodeJS.ReadWriteStream;
    let output = '';
    const printed = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no output through attach on ${c.endpoint}: ${JSON.stringify(output)}`)), 30_000);
      stream.on('data', (chunk: Buffer) => {
        output += chunk.toString('latin1');
        if (output.includes('dnc-attach-ok')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    await container.start();
    await printed;
    await container.kill();
    const exit = (await c.streamingApi.getContainer(container.id).wait()) as { StatusCode: number };
    if (exit.StatusCode === 0) throw new Error('kill did not end the container');
    (stream as unknown as { destroy(): void }).destroy();
    return output;
  } finally {
    await c.api.getContainer(container.id).remove({ force: true });
  }
}
