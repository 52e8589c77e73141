/**
 * The conversation between one inspector webview and its model (a capture or
 * a file): answers `ready` with `init` plus every frame kept so far, forwards
 * new frames in coalesced batches, relays status and hostnames, and turns the
 * webview's requests into actions. No `vscode` here: the panel passes `post`.
 */
import type { FromWebviewMessage, SaveFormat, ToWebviewMessage } from '../../protocol/webviewMessages';
import { BatchForwarder, concat } from '../capture/batchForwarder';
import type { Subscription } from '../capture/emitter';
import type { InspectorModel } from '../capture/inspectorModel';

export interface InspectorHost {
  post(message: ToWebviewMessage): void;
  hostnames(): Record<string, string>;
  save(format: SaveFormat, packetNumbers: number[] | undefined): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Puts text on the clipboard (Copy entries of the context menu). */
  copy?(text: string): Promise<void>;
}

/** Replayed frames go out in messages of about this size, not one giant one. */
const REPLAY_MESSAGE_BYTES = 4 * 1024 * 1024;

export class InspectorConnection {
  private ready = false;
  private readonly forwarder: BatchForwarder;
  private readonly subscriptions: Subscription[] = [];

  constructor(
    private readonly model: InspectorModel,
    private readonly host: InspectorHost,
    forwardIntervalMs = 50,
  ) {
    this.forwarder = new BatchForwarder((batch) => this.host.post({ type: 'frames', batch }), forwardIntervalMs);
    this.subscriptions.push(
      model.onDidAddFrames((batch) => {
        if (this.ready) this.forwarder.push(batch);
      }),
      model.onDidChangeStatus((status) => {
        if (!this.ready) return;
        // Frames first, so "ended" never arrives before the last packets.
        this.forwarder.flush();
        this.host.post({ type: 'status', status });
      }),
      model.onDidClear(() => {
        this.forwarder.discard();
        if (this.ready) this.host.post({ type: 'cleared' });
      }),
    );
  }

  /** Handles one message from the webview; anything malformed is logged and ignored. */
  async handle(raw: unknown): Promise<void> {
    const message = parseFromWebview(raw);
    if (!message) {
      this.host.log('warn', `Ignored a malformed message from the inspector: ${safeDescribe(raw)}`);
      return;
    }
    switch (message.type) {
      case 'ready':
        this.sendEverything();
        return;
      case 'stop':
        await this.model.stop();
        return;
      case 'clear':
        this.model.clear();
        return;
      case 'save':
        await this.host.save(message.format, message.packetNumbers ? Array.from(message.packetNumbers) : undefined);
        return;
      case 'error':
        this.host.log('error', `Inspector: ${message.message}`);
        return;
      case 'copy':
        await this.host.copy?.(message.text);
        return;
    }
  }

  hostnamesChanged(hostnames: Record<string, string>): void {
    if (this.ready) this.host.post({ type: 'hostnames', hostnames });
  }

  dispose(): void {
    for (const s of this.subscriptions) s.dispose();
    this.forwarder.dispose();
    this.ready = false;
  }

  /** `init`, then every kept frame: the first replayed frame is number droppedFromMemory + 1. */
  private sendEverything(): void {
    this.forwarder.discard();
    const model = this.model;
    this.host.post({
      type: 'init',
      title: model.title,
      ...(model.container ? { container: { id: model.container.id, name: model.container.name } } : {}),
      live: model.live,
      hostnames: this.host.hostnames(),
      maxPackets: model.store.limit,
      status: model.status,
    });
    let parts: Uint8Array[] = [];
    let bytes = 0;
    for (const chunk of model.store.batches()) {
      parts.push(chunk);
      bytes += chunk.length;
      if (bytes >= REPLAY_MESSAGE_BYTES) {
        this.host.post({ type: 'frames', batch: concat(parts, bytes) });
        parts = [];
        bytes = 0;
      }
    }
    if (parts.length > 0) this.host.post({ type: 'frames', batch: concat(parts, bytes) });
    this.ready = true;
  }
}

/** Validates the shape of a message from the webview (it is a separate, less trusted runtime). */
export function parseFromWebview(raw: unknown): FromWebviewMessage | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const m = raw as Record<string, unknown>;
  switch (m.type) {
    case 'ready':
    case 'stop':
    case 'clear':
      return { type: m.type };
    case 'save': {
      if (m.format !== 'json' && m.format !== 'pcap') return undefined;
      const numbers = toPacketNumbers(m.packetNumbers);
      if (numbers === null) return undefined;
      return numbers ? { type: 'save', format: m.format, packetNumbers: numbers } : { type: 'save', format: m.format };
    }
    case 'error':
      return typeof m.message === 'string' ? { type: 'error', message: m.message.slice(0, 2000) } : undefined;
    case 'copy':
      // A hex dump of the largest frame is ~330 KB of text; anything far past that is not ours.
      return typeof m.text === 'string' && m.text.length <= 4_000_000 ? { type: 'copy', text: m.text } : undefined;
    default:
      return undefined;
  }
}

/** Uint32Array, or a plain array of non-negative integers (structured clone may give either); null = invalid. */
function toPacketNumbers(value: unknown): Uint32Array | undefined | null {
  if (value === undefined || value === null) return undefined;
  if (value instanceof Uint32Array) return value;
  if (Array.isArray(value) && value.every((n) => Number.isInteger(n) && n >= 0 && n <= 0xffffffff)) return Uint32Array.from(value as number[]);
  if (typeof value === 'object' && !Array.isArray(value)) {
    // A typed array that crossed the boundary as {0: n, 1: m, ...}.
    const values = Object.values(value as Record<string, unknown>);
    if (values.every((n) => typeof n === 'number' && Number.isInteger(n) && n >= 0)) return Uint32Array.from(values as number[]);
  }
  return null;
}

function safeDescribe(raw: unknown): string {
  try {
    return JSON.stringify(raw).slice(0, 200);
  } catch {
    return String(raw);
  }
}
