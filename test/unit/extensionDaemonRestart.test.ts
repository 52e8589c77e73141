/**
 * The Docker daemon restarts under the container tree: its event stream ends
 * (cleanly or with an error), it may refuse for a while, and while starting it
 * may accept a listing but drop the event stream at once. The tree must come
 * back by itself with the containers as they are after the restart, and keep
 * following events.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerEvent, ContainerLister, ContainerSummary } from '../../src/client/dockerClient';
import { CaptureError } from '../../src/protocol/captureErrors';
import { ContainerWatcher } from '../../src/extension/containers/containerWatcher';

/** A daemon that can restart: its streams end like dockerode's do (asynchronously, or at once while starting). */
class RestartingDaemon {
  up = true;
  /** While true, a new event stream ends as soon as it is opened (dockerd accepting requests before events work). */
  streamsEndAtOnce = false;
  containers: ContainerSummary[] = [];
  private streams: Array<{ onEvent: (e: ContainerEvent) => void; onEnd?: (e?: Error) => void }> = [];

  client(): ContainerLister {
    return {
      endpoint: 'unix:///fake.sock',
      listContainers: async () => {
        if (!this.up) throw new CaptureError('docker-unreachable', 'Docker is not reachable at unix:///fake.sock (ECONNREFUSED).');
        return this.containers.map((c) => ({ ...c }));
      },
      resolveContainer: async () => {
        throw new Error('unused');
      },
      watchEvents: (onEvent, onEnd) => {
        if (!this.up || this.streamsEndAtOnce) {
          onEnd?.(new Error('stream closed'));
          return { dispose: () => undefined };
        }
        const s = { onEvent, onEnd };
        this.streams.push(s);
        return { dispose: () => (this.streams = this.streams.filter((x) => x !== s)) };
      },
    };
  }

  /** dockerd stopping: every stream ends, cleanly (`end`), as on SIGTERM. */
  stop(): void {
    this.up = false;
    const ended = this.streams;
    this.streams = [];
    for (const s of ended) s.onEnd?.();
  }

  emit(action: string): void {
    for (const s of this.streams) s.onEvent({ action, id: 'x' });
  }

  get watching(): number {
    return this.streams.length;
  }
}

const container = (name: string, state: ContainerSummary['state']): ContainerSummary => ({ id: `${name}-id`, name, image: 'busybox', state, status: state, labels: {}, networks: [] });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const shown = (w: ContainerWatcher) => w.state.containers.map((c) => `${c.name}:${c.state}`);

test('a quick restart (back before the debounce): the list is fetched again and events are followed again', async () => {
  const daemon = new RestartingDaemon();
  daemon.containers = [container('web', 'running')];
  const watcher = new ContainerWatcher(() => daemon.client(), { debounceMs: 20, retryMs: 50 });
  await watcher.refresh();
  daemon.stop();
  // While it was down, its containers stopped; the restart policy brought one back.
  daemon.containers = [container('web', 'exited'), container('db', 'running')];
  daemon.up = true;
  await sleep(80);
  assert.equal(watcher.state.unreachable, undefined);
  assert.deepEqual(shown(watcher), ['web:exited', 'db:running']);
  assert.equal(daemon.watching, 1, 'a new event stream');
  daemon.containers = [container('web', 'running'), container('db', 'running')];
  daemon.emit('start');
  await sleep(60);
  assert.deepEqual(shown(watcher), ['web:running', 'db:running'], 'events after the restart refresh the tree');
  watcher.dispose();
});

test('a slow restart: unreachable while down, then back by itself', async () => {
  const daemon = new RestartingDaemon();
  daemon.containers = [container('web', 'running')];
  const watcher = new ContainerWatcher(() => daemon.client(), { debounceMs: 10, retryMs: 40 });
  await watcher.refresh();
  daemon.stop();
  await sleep(60);
  assert.match(watcher.state.unreachable ?? '', /not reachable/);
  daemon.up = true;
  await sleep(120);
  assert.equal(watcher.state.unreachable, undefined);
  assert.deepEqual(shown(watcher), ['web:running']);
  assert.equal(daemon.watching, 1);
  watcher.dispose();
});

test('a daemon that lists but drops new event streams while starting is subscribed again once it works', async () => {
  const daemon = new RestartingDaemon();
  daemon.containers = [container('web', 'running')];
  const watcher = new ContainerWatcher(() => daemon.client(), { debounceMs: 15, retryMs: 40 });
  await watcher.refresh();
  daemon.stop();
  daemon.up = true;
  daemon.streamsEndAtOnce = true;
  await sleep(60);
  assert.equal(daemon.watching, 0);
  daemon.streamsEndAtOnce = false;
  await sleep(80);
  assert.equal(daemon.watching, 1, 'followed again without user action');
  daemon.containers = [container('web', 'exited')];
  daemon.emit('die');
  await sleep(60);
  assert.deepEqual(shown(watcher), ['web:exited']);
  watcher.dispose();
});
