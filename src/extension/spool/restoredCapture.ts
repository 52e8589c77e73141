/**
 * An ended capture brought back after a window reload from its spool. It
 * keeps at most `maxPackets` and `maxBytes` in memory like a live capture (the spool can be
 * longer), and "Save as pcap" still saves the whole spool. No `vscode` here.
 */
import type { CaptureStatus } from '../../protocol/webviewMessages';
import type { CaptureMemoryLimits } from '../capture/captureSession';
import type { ContainerGroup } from '../capture/containerGroup';
import { InspectorModelBase } from '../capture/inspectorModel';
import type { SpoolFile } from './spoolFile';

export class RestoredCapture extends InspectorModelBase {
  readonly live = false;

  constructor(
    title: string,
    readonly container: { id: string; name: string } | undefined,
    limits: CaptureMemoryLimits,
    status: CaptureStatus,
    override readonly spool: SpoolFile | undefined,
    /** What a capture of several containers captured (Capture Again starts it again). */
    readonly group?: ContainerGroup,
  ) {
    super(title, limits.maxPackets, status, limits.maxBytes);
  }

  /** Adds frames read from the spool. */
  load(batch: Uint8Array): void {
    this.addFrames(batch);
  }

  /** Sets the final status once loading is done (e.g. to name a problem). */
  finishLoading(status: CaptureStatus): void {
    this.setStatus(status);
  }

  override clear(): void {
    super.clear();
    void this.spool?.clear();
  }

  async stop(): Promise<void> {
    // Nothing runs.
  }
}
