/**
 * Keeps an up-to-date container list: lists once, then re-lists (debounced) on
 * every Docker container event. When Docker cannot be reached it says so and
 * retries on a timer, so the tree recovers by itself when the daemon returns.
 * No `vscode` here; the tree provider renders what this reports.
 */
import type { ContainerLister, ContainerSummary, DisposableLike } from '../../client/dockerClient';
import type { EngineInfo } from '../../client/dockerEngineSelection';
import { Emitter } from '../capture/emitter';

export interface ContainerListState {
  containers: ContainerSummary[];
  /** Why Docker is unreachable; undefined when the last listing worked. */
  unreachable: string | undefined;
  /** When the listing behind this state was started (ms since the epoch): it shows Docker as of then or later. */
  listedAt: number;
}

export interface ContainerWatcherOptions {
  debounceMs?: number;
  retryMs?: number;
  log?: (level: 'info' | 'warn' | 'debug', message: string) => void;
}

export class ContainerWatcher {
  private client: ContainerLister;
  private events: DisposableLike | undefined;
  private debounceTimer: ReturnType<typeof setTimeout> | undefined;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private listing: Promise<void> | undefined;
  private again = false;
  private disposed = false;
  private current: ContainerListState = { containers: [], unreachable: undefined, listedAt: 0 };
  private readonly changeEmitter = new Emitter<ContainerListState>();
  readonly onDidChange = this.changeEmitter.event;
  private readonly debounceMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly createClient: () => ContainerLister,
    private readonly options: ContainerWatcherOptions = {},
  ) {
    this.client = clientOrFailure(createClient);
    this.debounceMs = options.debounceMs ?? 300;
    this.retryMs = options.retryMs ?? 5000;
  }

  get state(): ContainerListState {
    return this.current;
  }

  get endpoint(): string {
    return this.client.endpoint;
  }

  /** The client the list comes from (replaced on reconnect). */
  get currentClient(): ContainerLister {
    return this.client;
  }

  /** The engine the list comes from (for the view's description); undefined when the endpoint is invalid. */
  get engine(): EngineInfo | undefined {
    return this.client.engine;
  }

  /** Lists now (coalescing with a listing in flight). Resolves when the list is current. */
  refresh(): Promise<void> {
    if (this.disposed) return Promise.resolve();
    if (this.listing) {
      this.again = true;
      return this.listing;
    }
    this.listing = this.listOnce().finally(() => {
      this.listing = undefined;
      if (this.again) {
        this.again = false;
        void this.refresh();
      }
    });
    return this.listing;
  }

  /** The endpoint setting changed: forget the old client and its event stream. */
  reconnect(): Promise<void> {
    this.stopEvents();
    this.client.dispose?.();
    this.client = clientOrFailure(this.createClient);
    return this.refresh();
  }

  dispose(): void {
    this.disposed = true;
    this.stopEvents();
    this.client.dispose?.();
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.changeEmitter.dispose();
  }

  private async listOnce(): Promise<void> {
    if (this.retryTimer) clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    const client = this.client;
    const listedAt = Date.now();
    try {
      const containers = await client.listContainers();
      if (this.disposed || client !== this.client) return;
      this.publish({ containers, unreachable: undefined, listedAt });
      this.ensureEvents();
    } catch (e) {
      if (this.disposed || client !== this.client) return;
      const message = e instanceof Error ? e.message : String(e);
      if (this.current.unreachable === undefined) this.options.log?.('warn', message);
      this.stopEvents();
      this.publish({ containers: [], unreachable: message, listedAt });
      this.scheduleRetry();
    }
  }

  private ensureEvents(): void {
    if (this.events) return;
    const client = this.client;
    let endedAlready = false;
    const subscription: DisposableLike = client.watchEvents(
      () => this.scheduleDebouncedRefresh(),
      (error) => {
        endedAlready = true;
        if (client !== this.client) return;
        if (this.events === subscription) this.events = undefined;
        this.options.log?.('debug', `Docker event stream ended${error ? `: ${error.message}` : ''}`);
        // Either the daemon went away (the listing fails and the retry loop starts)
        // or it restarted / the stream hiccupped (the listing succeeds and re-subscribes).
        this.scheduleDebouncedRefresh();
      },
    );
    // A stream that ended while subscribing (a daemon still starting) must not
    // be kept as the live one, or no later listing would subscribe again.
    if (!endedAlready) this.events = subscription;
  }

  private stopEvents(): void {
    this.events?.dispose();
    this.events = undefined;
  }

  private scheduleDebouncedRefresh(): void {
    if (this.disposed) return;
    if (this.debounceTimer) clearTimeout(this.debounceTimer);
    this.debounceTimer = setTimeout(() => {
      this.debounceTimer = undefined;
      void this.refresh();
    }, this.debounceMs);
  }

  private scheduleRetry(): void {
    if (this.disposed || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      void this.refresh();
    }, this.retryMs);
  }

  private publish(state: ContainerListState): void {
    this.current = state;
    this.changeEmitter.fire(state);
  }
}

/** An invalid endpoint setting must not break activation: it shows up as "unreachable" with the reason. */
function clientOrFailure(createClient: () => ContainerLister): ContainerLister {
  try {
    return createClient();
  } catch (e) {
    const error = e instanceof Error ? e : new Error(String(e));
    return {
      endpoint: 'invalid endpoint',
      listContainers: () => Promise.reject(error),
      resolveContainer: () => Promise.reject(error),
      watchEvents: (_onEvent, onEnd) => {
        onEnd?.(error);
        return { dispose: () => undefined };
      },
    };
  }
}
