/**
 * Opening one protected TLS record (RFC 8446 section 5.2, RFC 5246 section 6.2.3, RFC 7905,
 * RFC 7366 encrypt-then-MAC). Every path authenticates before it returns plaintext: an AEAD
 * tag, or the CBC record's HMAC (and padding). A failure returns the reason instead.
 */
import type { CipherSuite } from './cipherSuites';
import type { DirectionKeys } from './keyDerivation';
import { HASH_LENGTH, type TlsCrypto } from './tlsCrypto';

export type Opened = { ok: true; contentType: number; plaintext: Uint8Array } | { ok: false; reason: string };

const TAG = 16;
const BLOCK = 16;

/** 8-byte big-endian sequence number (records per direction stay far below 2^53). */
function sequenceBytes(seq: number): Uint8Array {
  const out = new Uint8Array(8);
  let n = seq;
  for (let i = 7; i >= 0; i--) {
    out[i] = n % 256;
    n = Math.floor(n / 256);
  }
  return out;
}

/** The per-record nonce: the IV XOR the sequence number, right-aligned. */
function xorNonce(iv: Uint8Array, seq: number): Uint8Array {
  const nonce = iv.slice();
  const s = sequenceBytes(seq);
  for (let i = 0; i < 8; i++) nonce[nonce.length - 8 + i] = (nonce[nonce.length - 8 + i] ?? 0) ^ (s[i] ?? 0);
  return nonce;
}

/** TLS 1.2 additional data / MAC header: seq, type, version, length. */
function tls12Header(seq: number, type: number, version: number, length: number): Uint8Array {
  const out = new Uint8Array(13);
  out.set(sequenceBytes(seq));
  out[8] = type;
  out[9] = version >> 8;
  out[10] = version & 0xff;
  out[11] = length >> 8;
  out[12] = length & 0xff;
  return out;
}

const AUTH_FAILED = 'authentication failed (wrong key for this session)';

/** TLS 1.3: `header` is the 5-byte record header as sent (it is the AEAD's additional data). */
export function openTls13(crypto: TlsCrypto, suite: CipherSuite, keys: DirectionKeys, seq: number, header: Uint8Array, payload: Uint8Array): Opened {
  if (suite.kind !== 'aead') return { ok: false, reason: 'not an AEAD suite' };
  if (payload.length < TAG + 1) return { ok: false, reason: 'record shorter than its tag' };
  const inner = crypto.openAead(suite.cipher, keys.key, xorNonce(keys.iv, seq), header, payload);
  if (!inner) return { ok: false, reason: AUTH_FAILED };
  let end = inner.length;
  while (end > 0 && inner[end - 1] === 0) end--; // padding zeros, then the real content type
  if (end === 0) return { ok: false, reason: 'decrypted record has no content type' };
  return { ok: true, contentType: inner[end - 1] ?? 0, plaintext: inner.subarray(0, end - 1) };
}

/** TLS 1.2, any supported suite. `type` and `version` come from the record header. */
export function openTls12(crypto: TlsCrypto, suite: CipherSuite, keys: DirectionKeys, seq: number, type: number, version: number, payload: Uint8Array, encryptThenMac: boolean): Opened {
  if (suite.kind === 'aead') {
    const explicit = suite.explicitNonceLength;
    if (payload.length < explicit + TAG) return { ok: false, reason: 'record shorter than its nonce and tag' };
    let nonce: Uint8Array;
    if (explicit > 0) {
      nonce = new Uint8Array(keys.iv.length + explicit);
      nonce.set(keys.iv);
      nonce.set(payload.subarray(0, explicit), keys.iv.length);
    } else {
      nonce = xorNonce(keys.iv, seq);
    }
    const sealed = payload.subarray(explicit);
    const aad = tls12Header(seq, type, version, sealed.length - TAG);
    const plaintext = crypto.openAead(suite.cipher, keys.key, nonce, aad, sealed);
    return plaintext ? { ok: true, contentType: type, plaintext } : { ok: false, reason: AUTH_FAILED };
  }
  const macLength = HASH_LENGTH[suite.mac];
  if (encryptThenMac) {
    if (payload.length < BLOCK * 2 + macLength || (payload.length - macLength) % BLOCK !== 0) return { ok: false, reason: 'CBC record length is not whole blocks plus MAC' };
    const protectedPart = payload.subarray(0, payload.length - macLength);
    const mac = crypto.hmac(suite.mac, keys.macKey, [tls12Header(seq, type, version, protectedPart.length), protectedPart]);
    if (!sameBytes(mac, payload.subarray(payload.length - macLength))) return { ok: false, reason: 'MAC check failed (wrong key for this session)' };
    const clear = crypto.decryptCbc(suite.cipher, keys.key, payload.subarray(0, BLOCK), protectedPart.subarray(BLOCK));
    const unpadded = clear ? withoutPadding(clear) : undefined;
    return unpadded ? { ok: true, contentType: type, plaintext: unpadded } : { ok: false, reason: 'bad CBC padding' };
  }
  if (payload.length < BLOCK * 2 || payload.length % BLOCK !== 0) return { ok: false, reason: 'CBC record length is not whole blocks' };
  const clear = crypto.decryptCbc(suite.cipher, keys.key, payload.subarray(0, BLOCK), payload.subarray(BLOCK));
  const unpadded = clear ? withoutPadding(clear) : undefined;
  if (!unpadded || unpadded.length < macLength) return { ok: false, reason: 'MAC check failed (wrong key for this session)' };
  const content = unpadded.subarray(0, unpadded.length - macLength);
  const mac = crypto.hmac(suite.mac, keys.macKey, [tls12Header(seq, type, version, content.length), content]);
  if (!sameBytes(mac, unpadded.subarray(content.length))) return { ok: false, reason: 'MAC check failed (wrong key for this session)' };
  return { ok: true, contentType: type, plaintext: content };
}

/** CBC padding: the last byte N and N more bytes, each N. Undefined when that does not hold. */
function withoutPadding(clear: Uint8Array): Uint8Array | undefined {
  const n = clear[clear.length - 1];
  if (n === undefined || n + 1 > clear.length) return undefined;
  for (let i = clear.length - 1 - n; i < clear.length; i++) if (clear[i] !== n) return undefined;
  return clear.subarray(0, clear.length - 1 - n);
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] ?? 0) ^ (b[i] ?? 0);
  return diff === 0;
}
