/**
 * The conversation between one inspector webview and its model (a capture or
 * a file): answers `ready` with `init` plus every frame kept so far, forwards
 * new frames in coalesced batches, relays status and hostnames, and turns the
 * webview's requests into actions. No `vscode` here: the panel passes `post`.
 *
 * Flow control: every `frames` message carries a `seq` the webview acknowledges
 * once it has stored the batch. At most `inFlightBytes` are unacknowledged;
 * the rest waits here, and while more than that waits or is in flight the
 * model is told to hold its source (a live capture then stops reading the
 * helper). A slow webview so slows the capture down to kernel drops instead
 * of filling the extension host and the renderer with queued messages.
 */
import { MAX_FRAME_BYTES_REQUEST, type CaptureStatus, type FromWebviewMessage, type SaveFormat, type ToWebviewMessage } from '../../protocol/webviewMessages';
import { BatchForwarder } from '../capture/batchForwarder';
import type { Subscription } from '../capture/emitter';
import type { InspectorModel } from '../capture/inspectorModel';

export interface InspectorHost {
  post(message: ToWebviewMessage): void;
  hostnames(): Record<string, string>;
  save(format: SaveFormat, packetNumbers: number[] | undefined): Promise<void>;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  /** Puts text on the clipboard (Copy entries of the context menu). */
  copy?(text: string): Promise<void>;
  /** Starts the ended capture again in this tab (the webview's Capture Again). */
  captureAgain?(): Promise<void>;
  /** Asks where to save, and saves, a followed stream's bytes. */
  saveBytes?(name: string, bytes: Uint8Array): Promise<void>;
}

/** Default pace of `frames` messages to the webview under load (leading edge: a frame after a quiet spell goes at once). */
export const FORWARD_INTERVAL_MS = 50;
/**
 * While traffic is light (the last message under 4 KiB, ~30 small packets),
 * one message per animation frame, the most often the webview draws: at
 * 200 packets/s a packet waited ~15 ms for the 50 ms pace, ~4 ms for this one.
 * Under load the 50 ms pace stays: each message costs the webview a fixed
 * amount (bench 7 at 2,000 packets/s drew rows later with 16 ms throughout).
 */
export const LIGHT_FORWARD = { intervalMs: 16, belowBytes: 4096 };
/** Frames go out in messages of at most this size (a single bigger batch goes alone). */
const MESSAGE_BYTES = 1024 * 1024;
/** Default bound on frame bytes posted to the webview and not acknowledged yet. */
export const IN_FLIGHT_BYTES = 8 * 1024 * 1024;

export interface ConnectionFlow {
  /** Unacknowledged bytes allowed; default IN_FLIGHT_BYTES. */
  inFlightBytes?: number;
}

export class InspectorConnection {
  private ready = false;
  private readonly forwarder: BatchForwarder;
  private readonly subscriptions: Subscription[] = [];
  private readonly window: number;
  private seq = 0;
  /** Posted `frames` messages not acknowledged yet, oldest first. */
  private unacked: { seq: number; bytes: number }[] = [];
  private inFlight = 0;
  private holding = false;
  /** The latest status, kept back while frames before it still wait. */
  private queuedStatus: CaptureStatus | undefined;

  constructor(
    private readonly model: InspectorModel,
    private readonly host: InspectorHost,
    forwardIntervalMs = FORWARD_INTERVAL_MS,
    flow: ConnectionFlow = {},
  ) {
    this.window = flow.inFlightBytes ?? IN_FLIGHT_BYTES;
    this.forwarder = new BatchForwarder((batches, bytes) => this.postFrames(batches, bytes), forwardIntervalMs, {
      maxMessageBytes: Math.min(MESSAGE_BYTES, this.window),
      room: () => (this.inFlight === 0 ? Number.POSITIVE_INFINITY : this.window - this.inFlight),
      // A caller's own pace (tests, a slower one) is kept as given when it is already as short.
      ...(LIGHT_FORWARD.intervalMs < forwardIntervalMs ? { light: LIGHT_FORWARD } : {}),
    });
    this.subscriptions.push(
      model.onDidAddFrames((batch) => {
        if (!this.ready) return;
        this.forwarder.push(batch);
        this.updateHold();
      }),
      model.onDidChangeStatus((status) => {
        if (this.ready) this.postStatus(status);
      }),
      model.onDidClear(() => {
        this.forwarder.discard();
        // The status that follows a clear replaces any kept back.
        this.queuedStatus = undefined;
        if (this.ready) this.host.post({ type: 'cleared' });
        this.updateHold();
      }),
    );
  }

  /** Frame bytes posted and not acknowledged (at most the window, or one bigger batch). */
  get bytesInFlight(): number {
    return this.inFlight;
  }

  /** Frame bytes waiting to be posted. */
  get bytesWaiting(): number {
    return this.forwarder.pendingBytes;
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
      case 'ack':
        this.acknowledge(message.seq);
        return;
      case 'copy':
        await this.host.copy?.(message.text);
        return;
      case 'captureAgain':
        await this.host.captureAgain?.();
        return;
      case 'saveBytes':
        await this.host.saveBytes?.(message.name, message.bytes);
        return;
      case 'frameBytesRequest':
        await this.answerFrameBytes(message.numbers);
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
    // A closed tab must never keep a capture paused.
    if (this.holding) this.model.holdSource(this, false);
    this.holding = false;
  }

  /** Reads the asked packets' bytes back from the file (a `bytesOnDemand` model only). */
  private async answerFrameBytes(numbers: Uint32Array): Promise<void> {
    const source = this.model.bytesOnDemand;
    if (!source) return;
    const list = Array.from(numbers);
    const found = await source.readPackets(list);
    if (!this.ready) return;
    this.host.post({ type: 'frameBytes', packets: list.map((number, i) => {
      const bytes = found[i];
      return bytes ? { number, bytes } : { number };
    }) });
  }

  private postFrames(batches: readonly Uint8Array[], bytes: number): void {
    const seq = ++this.seq;
    this.unacked.push({ seq, bytes });
    this.inFlight += bytes;
    this.host.post({ type: 'frames', batch: batches.length === 1 && batches[0] ? batches[0] : batches, seq });
  }

  private acknowledge(seq: number): void {
    // An ack from before a reload names a seq no longer listed: it frees nothing.
    while (this.unacked.length > 0 && (this.unacked[0]?.seq ?? Infinity) <= seq) this.inFlight -= this.unacked.shift()?.bytes ?? 0;
    if (this.queuedStatus) this.postStatus(this.queuedStatus);
    else this.forwarder.flush();
    this.updateHold();
  }

  /** Frames first, so "ended" never arrives before the last packets: kept back while frames wait. */
  private postStatus(status: CaptureStatus): void {
    this.forwarder.flush();
    if (this.forwarder.pendingBytes > 0) {
      this.queuedStatus = status;
      return;
    }
    this.queuedStatus = undefined;
    this.host.post({ type: 'status', status });
  }

  /** Holds the model's source while more than the window is waiting or in flight; lets go at half of it. */
  private updateHold(): void {
    const behind = this.forwarder.pendingBytes + this.inFlight;
    const hold = this.holding ? behind > this.window / 2 : behind > this.window;
    if (hold === this.holding) return;
    this.holding = hold;
    this.model.holdSource(this, hold);
  }

  /** `init`, then every kept frame: the first replayed frame is number droppedFromMemory + 1. */
  private sendEverything(): void {
    this.forwarder.discard();
    // A reloaded page never acknowledges what the old one was sent.
    this.unacked = [];
    this.inFlight = 0;
    this.queuedStatus = undefined;
    const model = this.model;
    this.host.post({
      type: 'init',
      title: model.title,
      ...(model.container ? { container: { id: model.container.id, name: model.container.name } } : {}),
      ...(model.group ? { group: true as const } : {}),
      live: model.live,
      hostnames: this.host.hostnames(),
      maxPackets: model.bytesOnDemand ? model.bytesOnDemand.packetCeiling : model.store.limit,
      ...(Number.isFinite(model.store.byteLimit) ? { maxBytes: model.store.byteLimit } : {}),
      ...(model.bytesOnDemand ? { bytesOnDemand: { cacheBytes: model.bytesOnDemand.cacheBytes } } : {}),
      status: model.status,
    });
    // Replayed through the window like live frames: a reload of a full store is paced by the webview too.
    for (const chunk of model.store.batches()) this.forwarder.push(chunk);
    this.ready = true;
    this.forwarder.flush();
    this.updateHold();
    // A file not kept on the host streams again from its start, paced by this page's acks.
    model.bytesOnDemand?.restart();
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
    case 'captureAgain':
      return { type: m.type };
    case 'save': {
      if (m.format !== 'json' && m.format !== 'pcap') return undefined;
      const numbers = toPacketNumbers(m.packetNumbers);
      if (numbers === null) return undefined;
      return numbers ? { type: 'save', format: m.format, packetNumbers: numbers } : { type: 'save', format: m.format };
    }
    case 'error':
      return typeof m.message === 'string' ? { type: 'error', message: m.message.slice(0, 2000) } : undefined;
    case 'ack':
      return Number.isSafeInteger(m.seq) && (m.seq as number) >= 0 ? { type: 'ack', seq: m.seq as number } : undefined;
    case 'copy':
      // A hex dump of the largest frame is ~330 KB of text; anything far past that is not ours.
      return typeof m.text === 'string' && m.text.length <= 4_000_000 ? { type: 'copy', text: m.text } : undefined;
    case 'frameBytesRequest': {
      const numbers = toPacketNumbers(m.numbers);
      return numbers && numbers.length <= MAX_FRAME_BYTES_REQUEST ? { type: 'frameBytesRequest', numbers } : undefined;
    }
    case 'saveBytes':
      if (typeof m.name !== 'string' || m.name.length > 200) return undefined;
      // Structured clone gives a Uint8Array (or its buffer); nothing else is bytes.
      if (m.bytes instanceof Uint8Array) return { type: 'saveBytes', name: m.name, bytes: m.bytes };
      return m.bytes instanceof ArrayBuffer ? { type: 'saveBytes', name: m.name, bytes: new Uint8Array(m.bytes) } : undefined;
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
