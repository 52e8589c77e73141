/**
 * The CLI's timeline of several containers (timelinePrinter.ts) writing to a
 * reader that does not read: what waits is frames, and text is made a chunk at a
 * time as the reader takes it. A reader that comes back after a long pause, or a
 * capture that stops meanwhile, finds many rows released at once; all their text
 * at once (hexdumps: five times the bytes) is what made the CLI's memory jump.
 * A real stream with its real backpressure; the reader is held, then let go.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { describe, it } from 'node:test';
import { summarize } from '../../src/core/decode/index';
import { CapturedAddresses } from '../../src/core/timeline/capturedAddresses';
import type { TimelinePacket } from '../../src/core/timeline/containerFrame';
import { LiveTimeline } from '../../src/core/timeline/liveTimeline';
import { formatTimelineText } from '../../src/core/timeline/timelineJson';
import { PrinterOutput } from '../../src/cli/printerOutput';
import { TimelinePrinter } from '../../src/cli/timelinePrinter';
import type { OutputFormat } from '../../src/cli/packetPrinter';
import { asReceived, packetBytes, sighting } from './timelineFrames';

const PACKETS = 5_000;
const PAYLOAD = 'x'.repeat(1_200);

/** A pipe whose reader takes nothing until `read()`: written bytes wait in the stream, as in Node's stdout. */
class HeldReader extends Writable {
  text = '';
  /** The most bytes the stream held, written and not yet taken. */
  mostWaiting = 0;
  private held: (() => void)[] = [];
  private reading = false;

  constructor() {
    super({ highWaterMark: 16 * 1024, decodeStrings: false });
  }

  override write(chunk: unknown, ...rest: never[]): boolean {
    const wrote = super.write(chunk, ...rest);
    this.mostWaiting = Math.max(this.mostWaiting, this.writableLength);
    return wrote;
  }

  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: () => void): void {
    this.text += chunk.toString();
    if (this.reading) done();
    else this.held.push(done);
  }

  read(): void {
    this.reading = true;
    for (const done of this.held.splice(0)) done();
  }
}

/** A printer fed PACKETS datagrams of 1,200 bytes from container `a`, each a row of its own. */
function printerWith(format: OutputFormat, limit?: number): { printer: TimelinePrinter; reader: HeldReader } {
  const reader = new HeldReader();
  const printer = new TimelinePrinter(format, new PrinterOutput(reader, () => undefined), new CapturedAddresses(), false, () => undefined, limit);
  for (let i = 0; i < PACKETS; i++) {
    printer.add(sighting('a', 'out', i * 100, packetBytes({ src: '172.18.0.2', dst: '172.18.0.3', protocol: 'udp', srcPort: 40_000, dstPort: 9999, ipId: i, payload: PAYLOAD })));
  }
  return { printer, reader };
}

describe('the timeline printer with a reader that does not keep up', () => {
  it('a capture that stops while the reader waits: text is made as the reader takes it, every row once, in order', async () => {
    const { printer, reader } = printerWith('text');
    const finished = printer.finish();
    await new Promise((r) => setTimeout(r, 50));
    // ~5,000 rows of hexdump text is ~27 MB: held back as frames, not as text in the stream.
    assert.ok(reader.mostWaiting < 1024 * 1024, `${reader.mostWaiting} bytes waited in the stream`);
    assert.equal(printer.waiting > 0, true, 'rows wait as frames');

    reader.read();
    await finished;
    const rows = reader.text.match(/^\[a\] OUT: 172\.18\.0\.3:9999$/gm) ?? [];
    assert.equal(rows.length, PACKETS, 'every row once');
    assert.equal(printer.count, PACKETS);
    assert.ok(reader.text.length > 20 * 1024 * 1024, 'with its hexdump');
    assert.ok(reader.mostWaiting < 1024 * 1024, `${reader.mostWaiting} bytes waited in the stream`);
  });

  it('-j is still one JSON array, in capture order', async () => {
    const { printer, reader } = printerWith('json');
    const finished = printer.finish();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok(reader.mostWaiting < 1024 * 1024, `${reader.mostWaiting} bytes waited in the stream`);
    reader.read();
    await finished;
    const records = JSON.parse(reader.text) as { time: string }[];
    assert.equal(records.length, PACKETS);
    assert.equal(reader.text, JSON.stringify(records, null, 3) + '\n', 'the seed layout');
    const times = records.map((r) => r.time);
    assert.deepEqual(times, [...times].sort());
  });

  it('says it is full while many rows wait for the reader, and drained once they are written', async () => {
    const { printer, reader } = printerWith('text');
    // The first tick releases them all (their capture time is long past).
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(printer.full, true, 'the capture should pause: the output is full and rows wait');
    let drained = false;
    const wait = printer.drained().then(() => (drained = true));
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(drained, false, 'not while the reader does not read');
    reader.read();
    await wait;
    assert.equal(printer.full, false);
    assert.equal(printer.waiting, 0, 'written as the output drains, not a chunk per tick');
    await printer.finish();
    assert.equal((reader.text.match(/^\[a\] OUT: /gm) ?? []).length, PACKETS);
  });

  it('prints each row as formatTimelineText does, a packet both captured containers saw as sender -> receiver', async () => {
    const A = '172.18.0.2';
    const B = '172.18.0.3';
    const frames = [];
    for (let i = 0; i < 40; i++) {
      // Payloads of every length around the hexdump's row of 16, TCP and UDP, both ways.
      const sent = packetBytes({ src: i % 2 ? A : B, dst: i % 2 ? B : A, protocol: i % 3 ? 'tcp' : 'udp', ipId: i, seq: i, payload: 'é'.repeat(i % 20) + 'x'.repeat(i) });
      frames.push(sighting(i % 2 ? 'a' : 'b', 'out', i * 1000, sent));
      if (i % 4) frames.push(sighting(i % 2 ? 'b' : 'a', 'in', i * 1000 + 40, asReceived(sent)));
    }
    frames.push(sighting('a', 'out', 99_000, packetBytes({ src: A, dst: '10.9.9.9', ipId: 7, payload: 'to outside' })));
    const addresses = (): CapturedAddresses => {
      const c = new CapturedAddresses();
      c.captureStarted('a', [A], 0);
      c.captureStarted('b', [B], 0);
      return c;
    };
    // The rows a timeline releases, formatted as strings: the definition of the text.
    const expected: TimelinePacket[] = [];
    const timeline = new LiveTimeline((p) => expected.push(p), addresses(), true);
    for (const f of frames) timeline.add(f, 0);
    timeline.finish();
    assert.ok(expected.some((p) => p.delivery?.sentBy === 'a') && expected.some((p) => !p.delivery), 'both kinds of row');

    const reader = new HeldReader();
    reader.read();
    const printer = new TimelinePrinter('text', new PrinterOutput(reader, () => undefined), addresses(), true);
    for (const f of frames) printer.add(f);
    await printer.finish();
    assert.equal(reader.text, expected.map((p) => formatTimelineText(p, summarize(p.frame.data, p.frame.linkType, p.frame.originalLength))).join(''));
  });

  it('--count: no more rows than asked for, whatever waited', async () => {
    const { printer, reader } = printerWith('ndjson', 100);
    reader.read();
    await printer.finish();
    assert.equal(reader.text.trim().split('\n').length, 100);
    assert.equal(printer.count, 100);
  });

  it('a reader that goes away while rows wait, some already printed: the finish ends', async () => {
    const { printer, reader } = printerWith('text');
    // The first tick prints the first chunk, and the rest waits for the reader.
    await new Promise((r) => setTimeout(r, 120));
    assert.ok(printer.count > 0 && printer.waiting > 0, `${printer.count} printed, ${printer.waiting} waiting`);
    reader.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    // The next tick drops what waited (checked before the finish, which would never end otherwise).
    await new Promise((r) => setTimeout(r, 120));
    assert.equal(printer.waiting, 0, 'nothing waits for a reader that went away');
    const finished = await Promise.race([printer.finish().then(() => 'finished'), new Promise((r) => setTimeout(() => r('still waiting'), 2000))]);
    assert.equal(finished, 'finished');
    assert.equal(printer.waiting, 0);
  });

  it('a reader that went away: the rows are dropped, the finish does not wait', async () => {
    const reader = new HeldReader();
    const output = new PrinterOutput(reader, () => undefined);
    const printer = new TimelinePrinter('text', output, new CapturedAddresses(), false);
    for (let i = 0; i < 100; i++) printer.add(sighting('a', 'out', i, packetBytes({ src: '172.18.0.2', dst: '172.18.0.3', protocol: 'udp', ipId: i, payload: PAYLOAD })));
    reader.destroy(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
    await new Promise((r) => setImmediate(r));
    assert.equal(output.closed, true);
    await printer.finish();
    assert.equal(printer.waiting, 0);
  });
});
