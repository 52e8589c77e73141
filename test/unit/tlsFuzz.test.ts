/**
 * Seeded, bounded fuzzing of TLS decryption: real captured sessions with their segments
 * cut, flipped, dropped, duplicated and reordered; key logs with damaged and made-up lines;
 * random bytes dressed as TLS. Nothing throws, nothing hangs (the test's timeout), and every
 * plaintext that comes out is one the untouched session really carried.
 * Another seed: DNC_TLS_FUZZ_SEED=...; more cases: DNC_TLS_FUZZ_CASES=...
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { nodeTlsCrypto } from '../../src/client/tls/nodeTlsCrypto';
import { TlsDecryptor } from '../../src/core/tls/tlsDecryptor';
import { caseSeed, Prng } from '../support/fuzzInputs';
import { FIXTURE_NAMES, rawFrame, resegment, tlsFixture, type Frame, type TlsFixture } from '../support/tlsFrames';

const CASES = Number(process.env.DNC_TLS_FUZZ_CASES ?? 600);
const SEED = Number(process.env.DNC_TLS_FUZZ_SEED ?? 0x7150f022);

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

function run(frames: readonly Frame[], keyLog: string): { plaintexts: Uint8Array[]; problems: number } {
  const d = new TlsDecryptor(nodeTlsCrypto);
  const problems = d.addKeyLog(keyLog, true).length;
  frames.forEach((f, i) => d.addFrame(i, f.data, f.linkType));
  d.finish();
  const plaintexts = frames.flatMap((_, i) => (d.recordsOf(i) ?? []).flatMap((r) => (r.plaintext ? [r.plaintext] : [])));
  return { plaintexts, problems };
}

function flip(d: Uint8Array, at: number, mask: number): void {
  d[at] = (d[at] ?? 0) ^ mask;
}

function mutateFrames(p: Prng, frames: Frame[]): Frame[] {
  const out: Frame[] = frames.map((f) => ({ data: f.data.slice(), linkType: f.linkType }));
  const edits = 1 + p.int(6);
  for (let e = 0; e < edits && out.length > 1; e++) {
    const i = p.int(out.length);
    const f = out[i] as Frame;
    switch (p.int(6)) {
      case 0: // flip a byte anywhere (headers included)
        if (f.data.length > 0) flip(f.data, p.int(f.data.length), 1 << p.int(8));
        break;
      case 1: // flip a payload byte
        if (f.data.length > 40) flip(f.data, 40 + p.int(f.data.length - 40), 1 + p.int(255));
        break;
      case 2:
        out.splice(i, 1);
        break;
      case 3:
        out.splice(i, 0, { data: f.data.slice(), linkType: f.linkType });
        break;
      case 4:
        if (i + 1 < out.length) [out[i], out[i + 1]] = [out[i + 1] as Frame, f];
        break;
      default:
        out[i] = { data: f.data.subarray(0, p.int(f.data.length + 1)), linkType: f.linkType };
    }
  }
  return out;
}

function mutateKeyLog(p: Prng, keyLog: string): string {
  const lines = keyLog.split('\n');
  const edits = 1 + p.int(4);
  for (let e = 0; e < edits; e++) {
    const i = p.int(lines.length);
    const line = lines[i] ?? '';
    switch (p.int(5)) {
      case 0: { // change one character
        const at = p.int(Math.max(1, line.length));
        lines[i] = line.slice(0, at) + p.pick(['0', 'f', 'g', ' ', '\t', '#', 'Z']) + line.slice(at + 1);
        break;
      }
      case 1:
        lines[i] = line.slice(0, p.int(line.length + 1));
        break;
      case 2:
        lines.splice(i, 0, Buffer.from(p.bytes(p.int(120))).toString('latin1'));
        break;
      case 3:
        lines.splice(i, 0, `${p.pick(['CLIENT_RANDOM', 'SERVER_TRAFFIC_SECRET_0', 'CLIENT_HANDSHAKE_TRAFFIC_SECRET'])} ${hex(p.bytes(32))} ${hex(p.bytes(p.pick([32, 48, 3])))}`);
        break;
      default:
        lines.splice(i, 1);
    }
  }
  return lines.join(p.pick(['\n', '\r\n']));
}

/** A TCP stream of random bytes that opens like TLS (a record header, maybe a hello). */
function randomTlsLikeFrames(p: Prng): Frame[] {
  const frames: Frame[] = [];
  let seqClient = p.u32();
  let seqServer = p.u32();
  for (let n = 0; n < 2 + p.int(10); n++) {
    const fromClient = p.int(2) === 0;
    const body = p.bytes(p.int(400));
    if (p.int(2) === 0 && body.length >= 9) body.set([p.pick([20, 21, 22, 23]), 3, p.int(5), p.int(3), p.int(256), p.pick([1, 2, 20, 24]), 0, p.int(2), p.int(256)]);
    const seg = fromClient
      ? { src: '10.1.0.1', dst: '10.1.0.2', srcPort: 50000, dstPort: 443, seq: seqClient, flags: 0x18, payload: body }
      : { src: '10.1.0.2', dst: '10.1.0.1', srcPort: 443, dstPort: 50000, seq: seqServer, flags: 0x18, payload: body };
    if (fromClient) seqClient = (seqClient + body.length) >>> 0;
    else seqServer = (seqServer + body.length) >>> 0;
    frames.push(rawFrame(seg));
  }
  return frames;
}

describe('TLS decryption fuzzing', () => {
  it(`${CASES} seeded cases: no exception, no hang, no plaintext the session did not carry`, { timeout: 120_000 }, () => {
    const fixtures = new Map<string, { fx: TlsFixture; truth: Set<string> }>();
    for (const name of FIXTURE_NAMES) {
      const fx = tlsFixture(name);
      fixtures.set(name, { fx, truth: new Set(run(fx.frames, fx.keyLog).plaintexts.map(hex)) });
    }
    let decryptedSomewhere = 0;
    let problemsSeen = 0;
    for (let c = 0; c < CASES; c++) {
      const seed = caseSeed(SEED, c);
      const p = new Prng(seed);
      const name = p.pick(FIXTURE_NAMES);
      const { fx, truth } = fixtures.get(name) as { fx: TlsFixture; truth: Set<string> };
      const kind = p.int(3);
      try {
        const frames = kind === 2 ? randomTlsLikeFrames(p) : mutateFrames(p, resegment(fx.frames, 20 + p.int(1500)));
        const keyLog = kind === 1 ? mutateKeyLog(p, fx.keyLog) : fx.keyLog;
        const result = run(frames, keyLog);
        problemsSeen += result.problems;
        for (const pt of result.plaintexts) assert.ok(truth.has(hex(pt)), `a plaintext not in the session: ${hex(pt).slice(0, 80)}`);
        if (result.plaintexts.length > 0) decryptedSomewhere++;
      } catch (error) {
        assert.fail(`case seed 0x${seed.toString(16)} (${name}, kind ${kind}): ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
      }
    }
    // The mutations left most sessions partly decryptable: the check above really ran.
    assert.ok(decryptedSomewhere > CASES / 4, `only ${decryptedSomewhere} cases decrypted anything`);
    assert.ok(problemsSeen > 0, 'damaged key log lines were reported');
  });
});
