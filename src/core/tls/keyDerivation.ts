/**
 * Traffic keys from logged secrets: TLS 1.2's PRF (RFC 5246 section 5) over the master
 * secret, TLS 1.3's HKDF-Expand-Label (RFC 8446 section 7.1) over a traffic secret. Only
 * HMAC comes from the crypto provider; the constructions are a few lines each.
 */
import type { AeadSuite, CipherSuite } from './cipherSuites';
import { HASH_LENGTH, type HashName, type TlsCrypto } from './tlsCrypto';

const encoder = new TextEncoder();

/** P_hash(secret, seed) cut to `length` bytes. */
function pHash(crypto: TlsCrypto, hash: HashName, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let a = seed; // A(0)
  let filled = 0;
  while (filled < length) {
    a = crypto.hmac(hash, secret, [a]);
    const block = crypto.hmac(hash, secret, [a, seed]);
    out.set(block.subarray(0, Math.min(block.length, length - filled)), filled);
    filled += block.length;
  }
  return out;
}

/** TLS 1.2 PRF(secret, label, seed). */
export function tls12Prf(crypto: TlsCrypto, hash: HashName, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const labelBytes = encoder.encode(label);
  const labelSeed = new Uint8Array(labelBytes.length + seed.length);
  labelSeed.set(labelBytes);
  labelSeed.set(seed, labelBytes.length);
  return pHash(crypto, hash, secret, labelSeed, length);
}

/** One direction's record protection keys. */
export interface DirectionKeys {
  key: Uint8Array;
  /** TLS 1.3 / TLS 1.2 AEAD: the IV (or its implicit part). Empty for CBC. */
  iv: Uint8Array;
  /** CBC only: the HMAC key. */
  macKey: Uint8Array;
}

/** TLS 1.2: both directions' keys from the master secret (key_block order of RFC 5246 section 6.3). */
export function tls12Keys(crypto: TlsCrypto, suite: CipherSuite, masterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array): { client: DirectionKeys; server: DirectionKeys } {
  const macLength = suite.kind === 'cbc' ? HASH_LENGTH[suite.mac] : 0;
  const ivLength = suite.kind === 'aead' ? suite.fixedIvLength : 0;
  const seed = new Uint8Array(64);
  seed.set(serverRandom.subarray(0, 32));
  seed.set(clientRandom.subarray(0, 32), 32);
  const block = tls12Prf(crypto, suite.hash, masterSecret, 'key expansion', seed, 2 * (macLength + suite.keyLength + ivLength));
  let at = 0;
  const take = (n: number): Uint8Array => block.subarray(at, (at += n));
  const clientMac = take(macLength);
  const serverMac = take(macLength);
  const clientKey = take(suite.keyLength);
  const serverKey = take(suite.keyLength);
  const clientIv = take(ivLength);
  const serverIv = take(ivLength);
  return { client: { key: clientKey, iv: clientIv, macKey: clientMac }, server: { key: serverKey, iv: serverIv, macKey: serverMac } };
}

/** HKDF-Expand(prk, info, length) (RFC 5869). */
function hkdfExpand(crypto: TlsCrypto, hash: HashName, prk: Uint8Array, info: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let previous: Uint8Array = new Uint8Array(0);
  let filled = 0;
  for (let i = 1; filled < length; i++) {
    previous = crypto.hmac(hash, prk, [previous, info, Uint8Array.of(i)]);
    out.set(previous.subarray(0, Math.min(previous.length, length - filled)), filled);
    filled += previous.length;
  }
  return out;
}

/** HKDF-Expand-Label(secret, label, context, length) of TLS 1.3. */
export function hkdfExpandLabel(crypto: TlsCrypto, hash: HashName, secret: Uint8Array, label: string, context: Uint8Array, length: number): Uint8Array {
  const fullLabel = encoder.encode(`tls13 ${label}`);
  const info = new Uint8Array(2 + 1 + fullLabel.length + 1 + context.length);
  info[0] = length >> 8;
  info[1] = length & 0xff;
  info[2] = fullLabel.length;
  info.set(fullLabel, 3);
  info[3 + fullLabel.length] = context.length;
  info.set(context, 4 + fullLabel.length);
  return hkdfExpand(crypto, hash, secret, info, length);
}

/** TLS 1.3: a direction's key and IV from its traffic secret. */
export function tls13Keys(crypto: TlsCrypto, suite: AeadSuite, trafficSecret: Uint8Array): DirectionKeys {
  const empty = new Uint8Array(0);
  return {
    key: hkdfExpandLabel(crypto, suite.hash, trafficSecret, 'key', empty, suite.keyLength),
    iv: hkdfExpandLabel(crypto, suite.hash, trafficSecret, 'iv', empty, 12),
    macKey: empty,
  };
}

/** TLS 1.3 KeyUpdate: the next application traffic secret. */
export function tls13NextSecret(crypto: TlsCrypto, suite: AeadSuite, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(crypto, suite.hash, secret, 'traffic upd', new Uint8Array(0), HASH_LENGTH[suite.hash]);
}
