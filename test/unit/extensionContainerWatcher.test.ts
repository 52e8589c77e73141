import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { ContainerEvent, ContainerLister, ContainerSummary } from '../../src/client/dockerClient';
import { CaptureError } from '../../src/protocol/captureErrors';
import { ContainerWatcher, type ContainerListState } from '../../src/extension/containers/containerWatcher';
import { HostnamesSource } from '../../src/extension/containers/hostnamesSource';
import { StatusAgeRefresher } from '../../src/extension/containers/statusAgeRefresher';

/** A Docker daemon the test can stop, start and send events from. */
class FakeDaemon {
  up = true;
  containers: ContainerSummary[] = [];
  listCalls = 0;
  private listeners: Array<{ onEvent: (e: ContainerEvent) => void; onEnd?: (e?: Error) => void }> = [];

  client(): ContainerLister {
    return {
      endpoint: 'unix:///fake.sock',
      listContainers: async () => {
        this.listCalls++;
        if (!this.up) throw new CaptureError('docker-unreachable', 'Docker is not reachable at unix:///fake.sock (ECONNREFUSED).');
        return this.containers.map((c) => ({ ...c }));
      },
      resolveContainer: async () => {
        throw new Error('unused');
      },
      watchEvents: (onEvent, onEnd) => {
        const l = { onEvent, onEnd };
        this.listeners.push(l);
        return { dispose: () => (this.listeners = this.listeners.filter((x) => x !== l)) };
      },
    };
  }

  emit(action: string): void {
    for (const l of this.listeners) l.onEvent({ action, id: 'x' });
  }

  stop(): void {
    this.up = false;
    const ls = this.listeners;
    this.listeners = [];
    for (const l of ls) l.onEnd?.(new Error('socket hang up'));
  }

  get watching(): number {
    return this.listeners.length;
  }
}

const web: ContainerSummary = { id: 'w1', name: 'web', image: 'busybox', state: 'running', status: 'Up', labels: {}, networks: [{ name: 'bridge', ipv4: '172.17.0.2' }] };
const db: ContainerSummary = { id: 'd1', name: 'db', image: 'busybox', state: 'running', status: 'Up', labels: {}, networks: [{ name: 'bridge', ipv4: '172.17.0.3' }] };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('a burst of Docker events re-lists once after the debounce', async () => {
  const daemon = new FakeDaemon();
  daemon.containers = [web];
  const watcher = new ContainerWatcher(() => daemon.client(), { debounceMs: 30, retryMs: 1000 });
  await watcher.refresh();
  assert.deepEqual(watcher.state.containers.map((c) => c.name), ['web']);
  assert.equal(daemon.watching, 1);
  daemon.containers = [web, db];
  const calls = daemon.listCalls;
  for (let i = 0; i < 20; i++) daemon.emit('start');
  await sleep(80);
  assert.equal(daemon.listCalls - calls, 1);
  assert.deepEqual(watcher.state.containers.map((c) => c.name), ['web', 'db']);
  watcher.dispose();
});

test('Docker going away is reported, retried, and the list comes back by itself', async () => {
  const daemon = new FakeDaemon();
  daemon.containers = [web];
  const states: ContainerListState[] = [];
  const watcher = new ContainerWatcher(() => daemon.client(), { debounceMs: 10, retryMs: 40 });
  watcher.onDidChange((s) => states.push(s));
  await watcher.refresh();
  daemon.stop();
  await sleep(30);
  assert.match(watcher.state.unreachable ?? '', /not reachable/);
  assert.equal(watcher.state.containers.length, 0);
  const whileDown = daemon.listCalls;
  await sleep(100);
  assert.ok(daemon.listCalls - whileDown >= 2, 'keeps retrying while down');
  daemon.up = true;
  await sleep(80);
  assert.equal(watcher.state.unreachable, undefined);
  assert.deepEqual(watcher.state.containers.map((c) => c.name), ['web']);
  assert.equal(daemon.watching, 1, 'events are watched again after recovery');
  watcher.dispose();
  const afterDispose = daemon.listCalls;
  await sleep(100);
  assert.equal(daemon.listCalls, afterDispose, 'no retries after dispose');
});

test('an invalid endpoint setting shows as unreachable instead of throwing', async () => {
  const watcher = new ContainerWatcher(() => {
    throw new CaptureError('docker-unreachable', 'Invalid Docker endpoint "ftp://x": unsupported scheme ftp');
  }, { retryMs: 10_000 });
  await watcher.refresh();
  assert.match(watcher.state.unreachable ?? '', /unsupported scheme ftp/);
  watcher.dispose();
});

test('hostnames follow the container list and keep the last names while Docker is down', async () => {
  const daemon = new FakeDaemon();
  daemon.containers = [web];
  const watcher = new ContainerWatcher(() => daemon.client(), { debounceMs: 10, retryMs: 10_000 });
  const hostnames = new HostnamesSource(watcher);
  const changes: Array<Record<string, string>> = [];
  hostnames.onDidChange((h) => changes.push(h));
  await watcher.refresh();
  await watcher.refresh();
  assert.deepEqual(changes, [{ '172.17.0.2': 'web' }], 'an unchanged list fires nothing');
  daemon.stop();
  await sleep(30);
  assert.deepEqual(hostnames.current, { '172.17.0.2': 'web' });
  hostnames.dispose();
  watcher.dispose();
});

test('rows keep a stopped container\'s name: its address stays named until another container takes it', async () => {
  const daemon = new FakeDaemon();
  daemon.containers = [web];
  const watcher = new ContainerWatcher(() => daemon.client(), { debounceMs: 10, retryMs: 10_000 });
  const hostnames = new HostnamesSource(watcher);
  await watcher.refresh();
  // `docker stop web`: Docker still lists it, with no address on its network.
  daemon.containers = [{ ...web, state: 'exited', status: 'Exited (137) 1 second ago', networks: [{ name: 'bridge' }] }];
  await watcher.refresh();
  assert.deepEqual(hostnames.current, { '172.17.0.2': 'web' }, 'the stopped container keeps its name');
  // Another container gets the same address: the latest name wins.
  daemon.containers = [{ ...web, id: 'other', name: 'db' }];
  await watcher.refresh();
  assert.deepEqual(hostnames.current, { '172.17.0.2': 'db' });
  hostnames.dispose();
  watcher.dispose();
});

test('while the view is visible the status age is re-listed without any Docker event; hidden, nothing is asked', async () => {
  const daemon = new FakeDaemon();
  daemon.containers = [{ ...web, status: 'Up 31 seconds' }];
  const watcher = new ContainerWatcher(() => daemon.client(), { debounceMs: 10, retryMs: 10_000 });
  const refresher = new StatusAgeRefresher(watcher, 20);
  await watcher.refresh();
  // Time passes in Docker; no event says so.
  daemon.containers = [{ ...web, status: 'Up About a minute' }];
  refresher.setVisible(true);
  const seen = await new Promise<string>((resolve) => {
    const s = watcher.onDidChange((state) => {
      if (state.containers[0]?.status !== 'Up 31 seconds') {
        s.dispose();
        resolve(state.containers[0]?.status ?? '');
      }
    });
  });
  assert.equal(seen, 'Up About a minute');
  refresher.setVisible(false);
  const calls = daemon.listCalls;
  await sleep(100);
  assert.equal(daemon.listCalls, calls, 'no listing while the view is hidden');
  refresher.dispose();
  watcher.dispose();
});
