/**
 * What TLS decryption holds, and what happens past its limits: the decrypted data of
 * packets the tab's store dropped (maxMemoryMB / maxPackets) is dropped with them, in the
 * host's decryptor and in what a reloaded webview is sent; ciphertext waiting for keys has
 * one budget per capture, past which the connection that needed more is given up, with
 * the reason, and is never decrypted later.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { createHpackDecoder } from '../../src/client/tls/hpackDecoder';
import { nodeTlsCrypto } from '../../src/client/tls/nodeTlsCrypto';
import { openKeyLogSource } from '../../src/client/tls/keyLogSource';
import { FrameBatchWriter } from '../../src/core/frameBatch';
import type { CapturedFrame } from '../../src/core/packet';
import { TlsDecryptor } from '../../src/core/tls/tlsDecryptor';
import type { TlsRecord } from '../../src/core/tls/tlsRecord';
import { InspectorModelBase } from '../../src/extension/capture/inspectorModel';
import { decodeCaptureFile } from '../../src/extension/save/captureEncoding';
import { TabTlsDecryption } from '../../src/extension/tls/tabTlsDecryption';
import type { ToWebviewMessage } from '../../src/protocol/webviewMessages';
import { tlsFixture } from '../support/tlsFrames';

const DIR = join(__dirname, '..', 'support', 'tlsFixtures');

class SmallLiveCapture extends InspectorModelBase {
  readonly live = true;
  readonly container = { id: 'c', name: 'web' };
  constructor(maxPackets: number) {
    super('web', maxPackets, { state: 'capturing' });
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

describe('TLS decryption memory', () => {
  it('packets dropped from the tab (its packet/memory limit) take their decrypted data with them', async () => {
    const frames = decodeCaptureFile('h1h2.pcap', readFileSync(join(DIR, 'h1h2.pcap'))).frames;
    const model = new SmallLiveCapture(20);
    const posted: Extract<ToWebviewMessage, { type: 'tlsDecryption' }>[] = [];
    const decryption = new TabTlsDecryption(model, nodeTlsCrypto, {
      post: (m) => m.type === 'tlsDecryption' && posted.push(m),
      warn: () => undefined,
      openSource: () => openKeyLogSource({ kind: 'file', path: join(DIR, 'h1h2.keys') }),
    }, 'h1h2.keys', createHpackDecoder);
    await decryption.start();
    model.deliver(frames.slice(0, 20));
    await decryption.whenIdle();
    assert.ok(decryption.stateOf(9)?.http2, 'packet 9 (the first h2 request) decrypted while held');
    for (let at = 20; at < frames.length; at += 10) {
      model.deliver(frames.slice(at, at + 10));
      await decryption.whenIdle();
    }
    const dropped = model.store.droppedFromMemory;
    assert.equal(dropped, frames.length - 20);
    assert.equal(decryption.stateOf(9), undefined, 'a dropped packet keeps nothing');
    const last = frames.length;
    const kept = [...Array(20).keys()].map((i) => last - i).filter((n) => decryption.stateOf(n) !== undefined);
    assert.ok(kept.length > 0, 'the packets still held are still decrypted');
    decryption.resend();
    const reload = posted[posted.length - 1];
    assert.ok(reload?.reset);
    assert.ok(reload.frames.every((f) => f.number > dropped), `resent: ${reload.frames.map((f) => f.number).join(',')}`);
    assert.deepEqual(reload.frames.map((f) => f.number).sort((a, b) => a - b), kept.sort((a, b) => a - b));
    decryption.dispose();
  });

  it('forgetBefore drops the records of earlier frames only', () => {
    const fx = tlsFixture('tls13-aes128gcm');
    const d = new TlsDecryptor(nodeTlsCrypto);
    d.addKeyLog(fx.keyLog, true);
    fx.frames.forEach((f, i) => d.addFrame(i, f.data, f.linkType));
    const withRecords = fx.frames.map((_, i) => i).filter((i) => d.recordsOf(i));
    const middle = withRecords[Math.floor(withRecords.length / 2)] as number;
    d.forgetBefore(middle);
    assert.deepEqual(fx.frames.map((_, i) => i).filter((i) => d.recordsOf(i)), withRecords.filter((i) => i >= middle));
  });

  it('ciphertext waiting for keys: one budget for all connections; past it a connection is given up, even when its keys come', () => {
    const a = tlsFixture('tls13-aes128gcm');
    const b = tlsFixture('tls12-ecdhe-chacha20');
    const waiting = (frames: typeof a.frames, budget?: number): { records: TlsRecord[]; d: TlsDecryptor } => {
      const d = new TlsDecryptor(nodeTlsCrypto, budget === undefined ? {} : { maxWaitingBytes: budget });
      frames.forEach((f, i) => d.addFrame(i, f.data, f.linkType));
      return { records: frames.flatMap((_, i) => [...(d.recordsOf(i) ?? [])]), d };
    };
    const size = (records: TlsRecord[]): number => records.filter((r) => r.status === 'encrypted').reduce((n, r) => n + r.length, 0);
    const budget = Math.max(size(waiting(a.frames).records), size(waiting(b.frames).records)) + 1;
    // Each alone fits; both together do not.
    assert.equal(waiting(a.frames, budget).records.filter((r) => /too much data/.test(r.reason ?? '')).length, 0);
    const both = waiting([...a.frames, ...b.frames], budget);
    const givenUp = both.records.filter((r) => /too much data before the keys arrived/.test(r.reason ?? ''));
    assert.ok(givenUp.length > 0);
    both.d.addKeyLog(a.keyLog + b.keyLog, true);
    for (const r of givenUp) {
      assert.equal(r.status, 'encrypted');
      assert.equal(r.plaintext, undefined);
    }
    assert.ok(both.records.some((r) => r.status === 'decrypted'), 'the connection that fitted is decrypted once its keys come');
  });
});
