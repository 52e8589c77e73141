/**
 * Whether a capture's source may be read: held while any consumer (an
 * inspector webview, the spool's disk writes) is behind. Holding the source
 * means the extension host stops reading the helper's channel; the helper's
 * writes then back up, it stops reading tcpdump, and the kernel drops (and
 * counts) packets instead of this process growing without bound.
 */
export class FlowGate {
  private readonly holders = new Set<object>();

  /** `changed(true)` when the first holder holds, `changed(false)` when the last one lets go. */
  constructor(private readonly changed: (held: boolean) => void) {}

  get held(): boolean {
    return this.holders.size > 0;
  }

  set(holder: object, held: boolean): void {
    const before = this.holders.size > 0;
    if (held) this.holders.add(holder);
    else this.holders.delete(holder);
    const after = this.holders.size > 0;
    if (before !== after) this.changed(after);
  }
}
