/**
 * A live capture's spool must not fall behind without bound: past
 * SPOOL_BACKLOG_BYTES not yet written, the capture holds its source (the
 * engine stops reading the helper) until the spool has flushed, as a slow
 * webview does. One guard per capture, checked after every append.
 */
import type { CaptureSpool } from '../spool/captureSpool';
import type { InspectorModel } from './inspectorModel';

/** Past this many bytes not yet written to the spool, the capture waits for the disk. */
export const SPOOL_BACKLOG_BYTES = 16 * 1024 * 1024;

export class SlowDiskGuard {
  private held = false;

  constructor(private readonly model: Pick<InspectorModel, 'holdSource'>) {}

  check(spool: CaptureSpool | undefined): void {
    if (!spool || this.held || spool.backlogBytes <= SPOOL_BACKLOG_BYTES) return;
    this.held = true;
    // The guard itself is the consumer that is behind.
    this.model.holdSource(this, true);
    void spool.flush().then(() => {
      this.held = false;
      this.model.holdSource(this, false);
    });
  }
}
