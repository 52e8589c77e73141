/** Collects what a capture reports through its events, for tests to assert on. */
import { readFrameBatch } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import type { CaptureEndInfo, CaptureEvents, CaptureStartedInfo } from '../../src/client/captureClient';

export interface RecordedCapture {
  events: CaptureEvents;
  frames: CapturedFrame[];
  logs: string[];
  started?: CaptureStartedInfo;
  ended?: CaptureEndInfo;
}

export function recordCapture(): RecordedCapture {
  const r: RecordedCapture = { frames: [], logs: [], events: {} as CaptureEvents };
  r.events = {
    started: (info) => (r.started = info),
    // Copied: a batch's bytes belong to the channel's read buffer.
    frames: (batch) => r.frames.push(...readFrameBatch(batch.slice())),
    stats: () => undefined,
    log: (level, message) => r.logs.push(`${level}: ${message}`),
    ended: (info) => (r.ended = info),
  };
  return r;
}
