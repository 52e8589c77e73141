/**
 * What the timeline tests read back from the CLI's JSON/NDJSON when it captures
 * several containers (the record of src/core/timeline/timelineJson.ts), and two
 * small helpers they share.
 */
export interface TimelineRow {
  container: string;
  interface?: string;
  direction: 'in' | 'out';
  src: string;
  dst: string;
  src_port: string;
  dst_port: string;
  payload: string;
  sent_by?: string;
  received_by?: string;
  delivery?: string;
  received_interface?: string;
}

/** A record's payload (hex) as text. */
export const payloadText = (hex: string): string => Buffer.from(hex, 'hex').toString('latin1');

/** Waits (bounded, polling every 100 ms) until `check` holds. */
export async function until(what: string, check: () => boolean, timeoutMs: number): Promise<void> {
  for (let waited = 0; !check(); waited += 100) {
    if (waited >= timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
