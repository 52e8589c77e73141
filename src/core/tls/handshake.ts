/**
 * The handshake facts decryption needs, from ClientHello and ServerHello: the randoms, the
 * chosen cipher suite and version (TLS 1.3 says so in supported_versions, its legacy version
 * field stays 1.2), and whether encrypt-then-MAC was agreed. Messages are framed by
 * `HandshakeBuffer`, since one message can span records and a record can hold several.
 */
import { toHex } from '../hex';

export const HandshakeType = { clientHello: 1, serverHello: 2, finished: 20, keyUpdate: 24 } as const;

export const TLS12 = 0x0303;
export const TLS13 = 0x0304;

const EXT_SUPPORTED_VERSIONS = 43;
const EXT_ENCRYPT_THEN_MAC = 22;
/** A ServerHello with this random is a HelloRetryRequest (RFC 8446 section 4.1.3). */
const HELLO_RETRY_RANDOM = 'cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c';
/** Longest handshake message kept while waiting for its end (certificates chains are the big ones). */
const MAX_MESSAGE = 256 * 1024;

export interface HandshakeMessage {
  type: number;
  body: Uint8Array;
}

/** Joins record fragments into whole handshake messages. */
export class HandshakeBuffer {
  private pending = new Uint8Array(0);
  failed = false;

  /** Adds one record's handshake bytes; returns the messages completed. */
  push(fragment: Uint8Array): HandshakeMessage[] {
    if (this.failed) return [];
    const joined = new Uint8Array(this.pending.length + fragment.length);
    joined.set(this.pending);
    joined.set(fragment, this.pending.length);
    const out: HandshakeMessage[] = [];
    let o = 0;
    while (o + 4 <= joined.length) {
      const length = ((joined[o + 1] ?? 0) << 16) | ((joined[o + 2] ?? 0) << 8) | (joined[o + 3] ?? 0);
      if (length > MAX_MESSAGE) {
        this.failed = true;
        return out;
      }
      if (o + 4 + length > joined.length) break;
      out.push({ type: joined[o] ?? 0, body: joined.subarray(o + 4, o + 4 + length) });
      o += 4 + length;
    }
    this.pending = joined.slice(o);
    return out;
  }
}

export interface ClientHello {
  random: Uint8Array;
}

export interface ServerHello {
  random: Uint8Array;
  /** Negotiated version: supported_versions when present, else the legacy field. */
  version: number;
  cipherSuite: number;
  encryptThenMac: boolean;
  helloRetry: boolean;
}

/** A bounds-checked reader; any short read makes the parse return undefined. */
class Reader {
  constructor(private readonly d: Uint8Array, public o = 0) {}
  get left(): number {
    return this.d.length - this.o;
  }
  bytes(n: number): Uint8Array {
    if (n > this.left || n < 0) throw new RangeError('short');
    return this.d.subarray(this.o, (this.o += n));
  }
  u8(): number {
    return this.bytes(1)[0] ?? 0;
  }
  u16(): number {
    const b = this.bytes(2);
    return ((b[0] ?? 0) << 8) | (b[1] ?? 0);
  }
  vector(lengthBytes: 1 | 2): Uint8Array {
    return this.bytes(lengthBytes === 1 ? this.u8() : this.u16());
  }
}

export function parseClientHello(body: Uint8Array): ClientHello | undefined {
  try {
    const r = new Reader(body);
    r.u16();
    return { random: r.bytes(32).slice() };
  } catch {
    return undefined;
  }
}

export function parseServerHello(body: Uint8Array): ServerHello | undefined {
  try {
    const r = new Reader(body);
    let version = r.u16();
    const random = r.bytes(32).slice();
    r.vector(1); // legacy session id
    const cipherSuite = r.u16();
    r.u8(); // compression
    let encryptThenMac = false;
    if (r.left >= 2) {
      const extensions = new Reader(r.vector(2));
      while (extensions.left >= 4) {
        const type = extensions.u16();
        const data = extensions.vector(2);
        if (type === EXT_SUPPORTED_VERSIONS && data.length === 2) version = ((data[0] ?? 0) << 8) | (data[1] ?? 0);
        if (type === EXT_ENCRYPT_THEN_MAC) encryptThenMac = true;
      }
    }
    return { random, version, cipherSuite, encryptThenMac, helloRetry: toHex(random) === HELLO_RETRY_RANDOM };
  } catch {
    return undefined;
  }
}
