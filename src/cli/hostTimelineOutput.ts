/**
 * The printing process's side of a capture of several containers through the
 * host helper (multiHostCapture.ts): one channel brings every container's
 * frames, each labelled `container/interface`; this splits the label, feeds
 * the same timeline printer as the helper-container path (merge by capture
 * time, each packet between two captured containers once) and keeps the same
 * bookkeeping: a container's addresses count as captured from its first frame
 * to its last (CapturedAddresses), and --count / --max-bytes are the whole
 * capture's (rows printed, bytes captured), so they are counted here.
 */
import type { CapturedFrame } from '../core/packet';
import { CapturedAddresses } from '../core/timeline/capturedAddresses';
import { frameMicros, type ContainerFrame } from '../core/timeline/containerFrame';
import { splitContainerInterfaceLabel } from '../protocol/containerInterfaceLabel';
import type { OutputFormat } from './packetPrinter';
import type { PrinterOutput } from './printerOutput';
import { TimelinePrinter } from './timelinePrinter';

/** What the root CLI tells its printer about a capture of several containers (printerConfig.ts). */
export interface PrinterTimelineConfig {
  /** Each captured container and the addresses Docker gave it. */
  containers: { name: string; addresses: string[] }[];
  /** Only one copy of a packet can be expected when a single direction is captured. */
  expectArrival: boolean;
  /** --count: rows printed. */
  rowLimit?: number;
  /** --max-bytes: bytes captured, every copy. */
  maxBytes?: number;
}

export function isPrinterTimelineConfig(value: unknown): value is PrinterTimelineConfig {
  const v = value as PrinterTimelineConfig | undefined;
  const count = (n: unknown): boolean => n === undefined || (Number.isInteger(n) && (n as number) > 0);
  return (
    typeof v === 'object' && v !== null && Array.isArray(v.containers) && typeof v.expectArrival === 'boolean' && count(v.rowLimit) && count(v.maxBytes) &&
    v.containers.every((c) => typeof c?.name === 'string' && Array.isArray(c.addresses) && c.addresses.every((a) => typeof a === 'string'))
  );
}

export class HostTimelineOutput {
  private readonly addresses = new CapturedAddresses();
  private readonly printer: TimelinePrinter;
  private readonly seen = new Map<string, { lastMicros: number }>();
  private bytes = 0;

  constructor(
    format: OutputFormat,
    output: PrinterOutput,
    private readonly config: PrinterTimelineConfig,
    /** Asks the helper to stop (a limit was reached). */
    private readonly stop: () => void,
  ) {
    this.printer = new TimelinePrinter(format, output, this.addresses, config.expectArrival, (rows) => {
      if (config.rowLimit !== undefined && rows >= config.rowLimit) stop();
    }, config.rowLimit);
  }

  /** Stdout or the rows waiting for it hold too much: stop reading the helper until `drained()`. */
  get full(): boolean {
    return this.printer.full;
  }

  drained(): Promise<void> {
    return this.printer.drained();
  }

  /** Rows printed (a packet both ends saw counts once). */
  get count(): number {
    return this.printer.count;
  }

  get paired(): number {
    return this.printer.paired;
  }

  /** Takes a frame off the channel; returns it with its container and plain interface name (for -w). */
  add(frame: CapturedFrame): ContainerFrame {
    const label = splitContainerInterfaceLabel(frame.interfaceName);
    const labelled: ContainerFrame = Object.assign(frame, label ?? { container: '?' });
    const micros = frameMicros(labelled);
    const state = this.seen.get(labelled.container);
    if (state) state.lastMicros = micros;
    else this.firstFrame(labelled.container, micros);
    this.bytes += frame.data.length;
    this.printer.add(labelled);
    if (this.config.maxBytes !== undefined && this.bytes >= this.config.maxBytes) this.stop();
    return labelled;
  }

  /** Its addresses count as captured from its first frame on (less the skew: two tcpdumps, one clock). */
  private firstFrame(container: string, micros: number): void {
    this.seen.set(container, { lastMicros: micros });
    const known = this.config.containers.find((c) => c.name === container);
    this.addresses.captureStarted(container, known?.addresses ?? [], micros);
  }

  /** The container's capture ended: up to its last frame (plus the skew), its addresses count as captured. */
  left(container: string): void {
    const state = this.seen.get(container);
    this.addresses.captureEnded(container, state?.lastMicros ?? 0);
  }

  /** Resolves once every row held is written (or the reader went away). */
  finish(): Promise<void> {
    return this.printer.finish();
  }
}
