/**
 * The extension host's TLS decryption of an inspector tab (TabTlsDecryption), on the real
 * OpenSSL sessions committed as fixtures: what the webview is told per packet (the request
 * row becomes HTTP, the page comes out whole), late keys in a live capture decrypting the
 * packets already shown, and key material never reaching the webview or a saved JSON/pcap.
 */
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { nodeTlsCrypto } from '../../src/client/tls/nodeTlsCrypto';
import { openKeyLogSource } from '../../src/client/tls/keyLogSource';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { StaticCapture } from '../../src/extension/capture/fileCapture';
import { InspectorModelBase } from '../../src/extension/capture/inspectorModel';
import { decodeCaptureFile, encodeJsonCapture, encodePcapCapture } from '../../src/extension/save/captureEncoding';
import { TabTlsDecryption } from '../../src/extension/tls/tabTlsDecryption';
import type { TlsFrameDecryption, ToWebviewMessage } from '../../src/protocol/webviewMessages';
import { FIXTURE_NAMES } from '../support/tlsFrames';

const FIXTURES = join(__dirname, '..', 'support', 'tlsFixtures');
const REQUEST = 'GET /page.txt HTTP/1.0\r\n\r\n';
const work = mkdtempSync(join(tmpdir(), 'dnc-tls-tab-'));
after(() => rmSync(work, { recursive: true, force: true }));

function fixtureFrames(name: string): CapturedFrame[] {
  return decodeCaptureFile(`${name}.pcap`, readFileSync(join(FIXTURES, `${name}.pcap`))).frames;
}

/** A live capture whose packets the test delivers. */
class TestLiveCapture extends InspectorModelBase {
  readonly live = true;
  readonly container = { id: 'c', name: 'web' };
  constructor() {
    super('web', 100_000, { state: 'capturing' });
  }
  deliver(frames: readonly CapturedFrame[]): void {
    const w = new FrameBatchWriter();
    for (const f of frames) w.add(f);
    this.addFrames(w.take());
  }
  async stop(): Promise<void> {
    this.setStatus({ state: 'ended' });
  }
}

interface Run {
  decryption: TabTlsDecryption;
  messages: Extract<ToWebviewMessage, { type: 'tlsDecryption' }>[];
  warnings: string[];
  /** Resolves at the next message that says something about `number`. */
  nextAbout(number: number): Promise<TlsFrameDecryption>;
}

async function decrypt(model: InspectorModelBase, keyLogPath: string): Promise<Run> {
  const messages: Run['messages'] = [];
  const warnings: string[] = [];
  const waiting: { number: number; resolve: (f: TlsFrameDecryption) => void }[] = [];
  const decryption = new TabTlsDecryption(model, nodeTlsCrypto, {
    post: (m) => {
      if (m.type !== 'tlsDecryption') return;
      messages.push(m);
      for (const f of m.frames) {
        for (const w of waiting.filter((x) => x.number === f.number)) {
          waiting.splice(waiting.indexOf(w), 1);
          w.resolve(f);
        }
      }
    },
    warn: (m) => warnings.push(m),
    openSource: () => openKeyLogSource({ kind: 'file', path: keyLogPath }),
  }, keyLogPath);
  await decryption.start();
  await decryption.whenIdle();
  return { decryption, messages, warnings, nextAbout: (number) => new Promise((resolve) => waiting.push({ number, resolve })) };
}

/** Every packet's latest state, from the messages (as the webview keeps them). */
function latest(messages: Run['messages']): Map<number, TlsFrameDecryption> {
  const out = new Map<number, TlsFrameDecryption>();
  for (const m of messages) {
    if (m.reset) out.clear();
    for (const f of m.frames) out.set(f.number, f);
  }
  return out;
}

function bytesOfMessages(messages: Run['messages']): Buffer {
  return Buffer.concat(messages.flatMap((m) => [Buffer.from(JSON.stringify({ ...m, frames: m.frames.map((f) => ({ ...f, plaintext: undefined })) })), ...m.frames.map((f) => Buffer.from(f.plaintext ?? []))]));
}

/** The secrets of a key log, as hex text and as bytes. */
function secrets(keyLog: string): { hex: string; bytes: Buffer }[] {
  return keyLog.split('\n').map((l) => l.trim().split(/\s+/)).filter((p) => p.length === 3).map((p) => ({ hex: p[2] as string, bytes: Buffer.from(p[2] as string, 'hex') }));
}

describe('TLS decryption of an inspector tab (extension host)', () => {
  for (const name of FIXTURE_NAMES) {
    it(`${name}: the request row becomes HTTP and the page comes out whole`, async () => {
      const frames = fixtureFrames(name);
      const model = new StaticCapture(name, undefined, frames, { state: 'file' });
      const run = await decrypt(model, join(FIXTURES, `${name}.keys`));
      const state = latest(run.messages);
      const request = [...state.values()].find((f) => f.plaintext && Buffer.from(f.plaintext).toString() === REQUEST);
      assert.ok(request, 'a packet carries the decrypted request');
      assert.equal(request.protocol, 'HTTP');
      assert.equal(request.info, 'GET /page.txt HTTP/1.0 [decrypted TLS]');
      const response = [...state.values()].find((f) => f.protocol === 'HTTP' && f.number !== request.number);
      assert.match(response?.info ?? '', /^HTTP\/1\.0 200 ok \[decrypted TLS\]$/);
      // The server's data, packet by packet, ends with the page the client fetched.
      const server = Buffer.concat([...state.values()].filter((f) => f.number >= (response?.number ?? 0) && f.plaintext).sort((a, b) => a.number - b.number).map((f) => Buffer.from(f.plaintext as Uint8Array)));
      const page = readFileSync(join(FIXTURES, 'page.txt'));
      assert.ok(server.subarray(server.length - page.length).equals(page), 'the page, in one piece');
      assert.deepEqual(run.warnings, []);
      run.decryption.dispose();
    });
  }

  it('without the right keys the records stay encrypted, with the reason, and nothing decrypted', async () => {
    const name = 'tls13-aes128gcm';
    const other = join(work, 'other.keys');
    // The key log of another session: none for this one.
    writeFileSync(other, readFileSync(join(FIXTURES, 'tls12-ecdhe-chacha20.keys'), 'utf8'));
    const run = await decrypt(new StaticCapture(name, undefined, fixtureFrames(name), { state: 'file' }), other);
    const state = [...latest(run.messages).values()];
    assert.ok(state.length > 0);
    assert.ok(state.every((f) => f.plaintext === undefined && f.info === undefined));
    assert.ok(state.some((f) => /key/i.test(f.notDecrypted ?? '')), `a reason naming the keys: ${JSON.stringify(state[0])}`);
    run.decryption.dispose();
  });

  it('live capture: keys written after the packets decrypt the packets already shown', async () => {
    const name = 'tls12-ecdhe-chacha20';
    const keyLog = join(work, 'late.keys');
    writeFileSync(keyLog, '');
    const model = new TestLiveCapture();
    const run = await decrypt(model, keyLog);
    const frames = fixtureFrames(name);
    model.deliver(frames);
    await run.decryption.whenIdle();
    const before = [...latest(run.messages).values()];
    assert.ok(before.length > 0 && before.every((f) => f.plaintext === undefined), 'nothing decrypted without keys');
    const requestPacket = before.find((f) => f.notDecrypted !== undefined);
    assert.ok(requestPacket);
    // A guard, not an assertion on time: keeps the process alive while the key log is followed.
    const guard = setTimeout(() => undefined, 30_000);
    try {
      const decrypted = (async () => {
        for (let i = 0; i < 100; i++) {
          const state = [...latest(run.messages).values()];
          const request = state.find((f) => f.plaintext && Buffer.from(f.plaintext).toString() === REQUEST);
          if (request) return request;
          await run.nextAbout(requestPacket.number);
        }
        return undefined;
      })();
      appendFileSync(keyLog, readFileSync(join(FIXTURES, `${name}.keys`), 'utf8'));
      const request = await decrypted;
      assert.ok(request, 'the request decrypted once its keys were logged');
      assert.equal(request.protocol, 'HTTP');
    } finally {
      clearTimeout(guard);
      run.decryption.dispose();
    }
  });

  it('key material never reaches the webview, and saved JSON/pcap are the same bytes as without decryption', async () => {
    const name = 'tls13-aes128gcm';
    const frames = fixtureFrames(name);
    const model = new StaticCapture(name, undefined, frames, { state: 'file' });
    const jsonBefore = Buffer.from(encodeJsonCapture(model.store.select(undefined)));
    const pcapBefore = Buffer.from(encodePcapCapture(model.store.select(undefined)).bytes);
    const keyLogText = readFileSync(join(FIXTURES, `${name}.keys`), 'utf8');
    const run = await decrypt(model, join(FIXTURES, `${name}.keys`));
    assert.ok([...latest(run.messages).values()].some((f) => f.plaintext), 'decrypted');
    const jsonAfter = Buffer.from(encodeJsonCapture(model.store.select(undefined)));
    const pcapAfter = Buffer.from(encodePcapCapture(model.store.select(undefined)).bytes);
    assert.ok(jsonAfter.equals(jsonBefore), 'saved JSON unchanged');
    assert.ok(pcapAfter.equals(pcapBefore), 'saved pcap unchanged');
    const sent = bytesOfMessages(run.messages);
    const keys = secrets(keyLogText);
    assert.ok(keys.length >= 4);
    for (const { hex, bytes } of keys) {
      for (const haystack of [sent, jsonAfter, pcapAfter]) {
        assert.equal(haystack.includes(hex), false, 'no secret as text');
        assert.equal(haystack.toString('latin1').toLowerCase().includes(hex.toLowerCase()), false, 'no secret as text, any case');
        assert.equal(haystack.includes(bytes), false, 'no secret as bytes');
      }
    }
    // The JSON save carries no decrypted data either (only what was captured).
    assert.equal(jsonAfter.includes(Buffer.from('GET /page.txt')), false);
    run.decryption.dispose();
  });
});
