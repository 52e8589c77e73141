/**
 * Whether a capture tab holds packets that were never saved, and when to
 * tell VS Code so. VS Code keeps the tab's dirty flag itself: it turns dirty
 * on a content change event and clean after a save or a revert. Telling it
 * once per unsaved stretch (not once per packet batch) matters: every change
 * bumps the document's version and schedules a new hot-exit backup, and a web
 * window refuses to unload while the latest version is not backed up.
 *
 * A save takes a packet count before it writes; packets that arrive while it
 * writes may not be in the file, so they make the tab dirty again. VS Code
 * marks the tab clean only once the save has returned, so the "dirty again"
 * is told after that (`saveSettled`), never before. No `vscode` here.
 */

export class UnsavedPackets {
  /** Packet batches received from the live capture (never reset by Clear: it is a clock, not a count). */
  private received = 0;
  /** `received` when the last save started. */
  private savedThrough = 0;
  /** `savedThrough` before the save under way, to go back to if it fails. */
  private beforeSave = 0;
  /** VS Code shows the tab dirty (we told it, or it restored the tab from a hot-exit backup). */
  private toldDirty: boolean;
  /** A save is between its start and VS Code marking the tab clean. */
  private saving = false;

  constructor(
    private readonly tellDirty: () => void,
    /** A tab restored from a hot-exit backup: VS Code already shows it dirty. */
    restoredDirty = false,
  ) {
    this.toldDirty = restoredDirty;
  }

  /** The tab holds packets no save has covered. */
  get unsaved(): boolean {
    return this.received > this.savedThrough || (this.toldDirty && !this.saving);
  }

  /** A batch of packets arrived. */
  packetsArrived(): void {
    this.received++;
    this.tellIfNeeded();
  }

  /** A save is about to take its snapshot of the packets. */
  saveStarted(): void {
    this.saving = true;
    this.beforeSave = this.savedThrough;
    this.savedThrough = this.received;
  }

  /** The save failed or was cancelled: what was unsaved still is. */
  saveFailed(): void {
    this.saving = false;
    this.savedThrough = this.beforeSave;
  }

  /** VS Code has marked the tab clean after the save (or after a revert). */
  saveSettled(): void {
    this.saving = false;
    this.toldDirty = false;
    this.tellIfNeeded();
  }

  /** A revert: VS Code marks the tab clean; whatever arrives later is unsaved again. */
  reverted(): void {
    this.savedThrough = this.received;
    this.saveSettled();
  }

  private tellIfNeeded(): void {
    if (this.toldDirty || this.saving || this.received <= this.savedThrough) return;
    this.toldDirty = true;
    this.tellDirty();
  }
}
