/**
 * An opened capture file, or an ended capture restored after a window reload:
 * the same inspector model as a live capture, minus the engine. No `vscode`.
 */
import type { CapturedFrame } from '../../core/packet';
import type { CaptureStatus } from '../../protocol/webviewMessages';
import type { ContainerGroup } from './containerGroup';
import { FrameBatchWriter } from '../../core/frameBatch';
import { InspectorModelBase } from './inspectorModel';

export class StaticCapture extends InspectorModelBase {
  readonly live = false;

  constructor(
    title: string,
    readonly container: { id: string; name: string } | undefined,
    frames: readonly CapturedFrame[],
    status: CaptureStatus,
    /** A restored capture of several containers whose packets were not kept: still captured again as it was. */
    readonly group?: ContainerGroup,
  ) {
    // Keep every frame of a file: it is already in memory, and dropping some would hide them.
    super(title, Math.max(1, frames.length), status);
    let writer = new FrameBatchWriter();
    for (const f of frames) {
      writer.add(f);
      if (writer.byteLength >= 1024 * 1024) {
        this.addFrames(writer.take());
        writer = new FrameBatchWriter();
      }
    }
    if (writer.frameCount > 0) this.addFrames(writer.take());
  }

  async stop(): Promise<void> {
    // Nothing runs.
  }
}
