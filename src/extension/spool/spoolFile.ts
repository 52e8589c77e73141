/**
 * A capture's spool as the inspector and "Save as pcap" see it: the pcap file
 * on disk that holds every packet of the capture, including those the
 * in-memory limit dropped from view. A live capture writes one
 * (CaptureSpool); a tab restored after a window reload re-reads one
 * (StoredSpool).
 */
export interface SpoolSnapshot {
  /** The pcap file. */
  path: string;
  /** Bytes of it that are complete records (later appends may follow). */
  pcapBytes: number;
  packets: number;
}

export interface SpoolFile {
  readonly path: string;
  /**
   * Everything appended so far is on disk; says how much that is. Undefined
   * when the spool failed (disk full...): then only memory has the packets.
   */
  snapshot(): Promise<SpoolSnapshot | undefined>;
  /** Forgets the packets on disk too ("Clear" in the inspector). */
  clear(): Promise<void>;
  /** Removes the files (the tab was closed). */
  delete(): Promise<void>;
}

/** The sidecar (directions and interfaces) lives next to the pcap. */
export function sidecarPathOf(pcapPath: string): string {
  return `${pcapPath}.meta`;
}
