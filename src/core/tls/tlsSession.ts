/**
 * One TLS connection over one TCP stream: frames both directions into records, reads the
 * hellos, follows when each direction starts encrypting (TLS 1.2: after its
 * ChangeCipherSpec; TLS 1.3: after ServerHello, with handshake keys until that side's
 * Finished, then application keys, renewed on KeyUpdate), and opens the protected records
 * with keys from the key log. Records whose keys are not logged yet wait, in order (their
 * sequence numbers depend on it), and are opened when `retry()` is called after the key
 * log grew: earlier packets are decrypted too. A record never gets plaintext that did not
 * authenticate.
 */
import type { StreamSide, TcpStream } from '../stream/tcpReassembler';
import { toHex } from '../hex';
import { cipherSuite, suiteIdText, type AeadSuite, type CipherSuite } from './cipherSuites';
import { HandshakeBuffer, HandshakeType, parseClientHello, parseServerHello, TLS12, TLS13, type HandshakeMessage, type ServerHello } from './handshake';
import { tls12Keys, tls13Keys, tls13NextSecret, type DirectionKeys } from './keyDerivation';
import { KeyLogLabel, type KeyLog } from './keyLog';
import { RecordFramer, type FramedRecord } from './recordFramer';
import { openTls12, openTls13, type Opened } from './recordProtection';
import type { TlsCrypto } from './tlsCrypto';
import { ContentType, type TlsRecord } from './tlsRecord';

/**
 * Ciphertext kept while keys are missing, shared by every connection of one decryptor
 * (a capture): past it, a connection that needs more gives its waiting records up.
 */
export class WaitingBudget {
  used = 0;
  constructor(readonly max = 64 * 1024 * 1024) {}
}

interface Waiting {
  record: TlsRecord;
  header: Uint8Array;
  payload: Uint8Array;
}

interface Direction {
  readonly framer: RecordFramer;
  readonly handshake: HandshakeBuffer;
  /** Records from here on are protected. */
  protected: boolean;
  seq: number;
  waiting: Waiting[];
  /** TLS 1.3 */
  epoch: 'handshake' | 'application';
  appSecret: Uint8Array | undefined;
  innerHandshake: HandshakeBuffer;
  cachedSecret: Uint8Array | undefined;
  cachedKeys: DirectionKeys | undefined;
  /** Set when this direction's remaining records cannot be opened whatever keys arrive. */
  lost: string | undefined;
}

function newDirection(): Direction {
  return { framer: new RecordFramer(), handshake: new HandshakeBuffer(), protected: false, seq: 0, waiting: [], epoch: 'handshake', appSecret: undefined, innerHandshake: new HandshakeBuffer(), cachedSecret: undefined, cachedKeys: undefined, lost: undefined };
}

type Attempt = 'opened' | 'failed' | 'no-keys';

export interface SessionEvents {
  /** A record was framed (possibly already decrypted). */
  record(record: TlsRecord): void;
  /** A waiting record was opened (or given up) later. */
  updated(record: TlsRecord): void;
  /**
   * A protected record's fate is final (opened, or failed for good), before `record` or
   * `updated` reports it; called in each direction's record order, so what reads the
   * decrypted bytes as a stream (HTTP/2) sees them in order and learns of each gap.
   */
  settled?(record: TlsRecord): void;
  /** The session learnt its client random: keys for it can now be looked up. */
  clientRandom(randomHex: string): void;
}

export class TlsSession {
  private readonly dirs: [Direction, Direction] = [newDirection(), newDirection()];
  private clientSide: StreamSide | undefined;
  private clientRandom: Uint8Array | undefined;
  private server: ServerHello | undefined;
  private suite: CipherSuite | undefined;
  private keys12: { client: DirectionKeys; server: DirectionKeys } | undefined;

  constructor(
    private readonly stream: TcpStream,
    private readonly crypto: TlsCrypto,
    private readonly keyLog: KeyLog,
    private readonly events: SessionEvents,
    private readonly budget = new WaitingBudget(),
  ) {}

  /** Negotiated version and suite, for display ("TLS 1.3, TLS_AES_128_GCM_SHA256"). */
  get description(): string | undefined {
    if (!this.server) return undefined;
    const version = this.server.version === TLS13 ? 'TLS 1.3' : this.server.version === TLS12 ? 'TLS 1.2' : `version 0x${this.server.version.toString(16)}`;
    return `${version}, ${this.suite?.name ?? suiteIdText(this.server.cipherSuite)}`;
  }

  onData(side: StreamSide, bytes: Uint8Array, frameIndex: number, gapBefore: number): void {
    const dir = this.dirs[side];
    if (gapBefore > 0) dir.framer.stop(`${gapBefore} bytes missing from the capture`);
    for (const framed of dir.framer.push(bytes, frameIndex)) this.onRecord(side, dir, framed);
  }

  /** The key log grew: opens waiting records whose keys are there now. */
  retry(): void {
    for (const side of [0, 1] as const) {
      const dir = this.dirs[side];
      const queue = dir.waiting;
      dir.waiting = [];
      for (let i = 0; i < queue.length; i++) {
        const w = queue[i] as Waiting;
        const attempt = this.attempt(dir, w.record, w.header, w.payload);
        if (attempt === 'no-keys') {
          dir.waiting = queue.slice(i);
          break;
        }
        this.events.settled?.(w.record);
        this.budget.used -= w.payload.length;
        this.events.updated(w.record);
      }
    }
  }

  private isClient(side: StreamSide): boolean {
    return this.clientSide === undefined ? side === 0 : side === this.clientSide;
  }

  private onRecord(side: StreamSide, dir: Direction, framed: FramedRecord): void {
    const record: TlsRecord = { stream: this.stream.index, fromClient: this.isClient(side), frameIndex: framed.frameIndex, type: framed.type, length: framed.payload.length, status: 'clear', innerType: framed.type, plaintext: undefined, reason: undefined };
    const tls13 = this.server?.version === TLS13;
    // TLS 1.3 sends a dummy ChangeCipherSpec in the clear for middleboxes; it changes nothing.
    if (!dir.protected || (tls13 && framed.type === ContentType.changeCipherSpec)) {
      if (framed.type === ContentType.handshake) {
        for (const message of dir.handshake.push(framed.payload)) this.onHandshake(side, message);
      } else if (framed.type === ContentType.changeCipherSpec && !tls13) {
        dir.protected = true;
        dir.seq = 0;
      } else if (framed.type === ContentType.applicationData) {
        record.status = 'encrypted';
        record.reason = 'the handshake of this connection was not captured';
      }
      this.events.record(record);
      return;
    }
    record.status = 'encrypted';
    this.protect(dir, record, framed);
    this.events.record(record);
  }

  private protect(dir: Direction, record: TlsRecord, framed: FramedRecord): void {
    if (dir.lost) {
      record.reason = dir.lost;
      this.events.settled?.(record);
      return;
    }
    if (dir.waiting.length === 0) {
      const attempt = this.attempt(dir, record, framed.header, framed.payload);
      if (attempt !== 'no-keys') {
        this.events.settled?.(record);
        return;
      }
    } else {
      record.reason = dir.waiting[0]?.record.reason;
    }
    if (this.budget.used + framed.payload.length > this.budget.max) {
      dir.lost = 'too much data before the keys arrived; not kept';
      record.reason = dir.lost;
      for (const w of dir.waiting) {
        w.record.reason = dir.lost;
        this.budget.used -= w.payload.length;
        this.events.settled?.(w.record);
        this.events.updated(w.record);
      }
      dir.waiting = [];
      this.events.settled?.(record);
      return;
    }
    // Copies: the frame's buffer is not ours to keep.
    dir.waiting.push({ record, header: framed.header.slice(), payload: framed.payload.slice() });
    this.budget.used += framed.payload.length;
  }

  private onHandshake(side: StreamSide, message: HandshakeMessage): void {
    if (message.type === HandshakeType.clientHello) {
      const hello = parseClientHello(message.body);
      if (!hello) return;
      this.clientSide = side;
      if (!this.clientRandom) {
        this.clientRandom = hello.random;
        this.events.clientRandom(toHex(hello.random));
      }
    } else if (message.type === HandshakeType.serverHello) {
      const hello = parseServerHello(message.body);
      if (!hello || hello.helloRetry) return;
      this.server = hello;
      this.suite = cipherSuite(hello.cipherSuite);
      if (hello.version === TLS13) {
        // From here on both directions are protected (client: after its ServerHello is received).
        for (const d of this.dirs) {
          d.protected = true;
          d.seq = 0;
        }
      }
    }
  }

  /** Tries to open one record, filling in `record`; `no-keys` leaves it to wait. */
  private attempt(dir: Direction, record: TlsRecord, header: Uint8Array, payload: Uint8Array): Attempt {
    const server = this.server;
    if (!server || !this.clientRandom) {
      record.reason = 'the handshake of this connection was not captured';
      return 'failed';
    }
    if (server.version !== TLS12 && server.version !== TLS13) {
      record.reason = `TLS version 0x${server.version.toString(16)} is not supported (only TLS 1.2 and 1.3)`;
      return 'failed';
    }
    const suite = this.suite;
    if (!suite || suite.tls13 !== (server.version === TLS13)) {
      record.reason = `cipher suite ${suiteIdText(server.cipherSuite)} is not supported`;
      return 'failed';
    }
    return server.version === TLS13 ? this.attempt13(dir, record, suite as AeadSuite, header, payload) : this.attempt12(dir, record, suite, server, payload);
  }

  private missing(label: string): string {
    return `no ${label} line for this session in the key log (client random ${toHex(this.clientRandom ?? new Uint8Array(0)).slice(0, 16)}…)`;
  }

  private attempt12(dir: Direction, record: TlsRecord, suite: CipherSuite, server: ServerHello, payload: Uint8Array): Attempt {
    if (!this.keys12) {
      const master = this.keyLog.secretsFor(this.clientRandom as Uint8Array)?.masterSecret;
      if (!master) {
        record.reason = this.missing(KeyLogLabel.masterSecret);
        return 'no-keys';
      }
      this.keys12 = tls12Keys(this.crypto, suite, master, this.clientRandom as Uint8Array, server.random);
    }
    const keys = record.fromClient ? this.keys12.client : this.keys12.server;
    const opened = openTls12(this.crypto, suite, keys, dir.seq++, record.type, TLS12, payload, server.encryptThenMac);
    return this.apply(record, opened);
  }

  private attempt13(dir: Direction, record: TlsRecord, suite: AeadSuite, header: Uint8Array, payload: Uint8Array): Attempt {
    const secrets = this.keyLog.secretsFor(this.clientRandom as Uint8Array);
    const handshakeSecret = record.fromClient ? secrets?.clientHandshake : secrets?.serverHandshake;
    const appSecret0 = record.fromClient ? secrets?.clientTraffic0 : secrets?.serverTraffic0;
    if (dir.epoch === 'handshake') {
      if (!handshakeSecret && !appSecret0) {
        record.reason = this.missing(record.fromClient ? KeyLogLabel.clientHandshake : KeyLogLabel.serverHandshake);
        return 'no-keys';
      }
      if (handshakeSecret) {
        const opened = openTls13(this.crypto, suite, this.keysFor(dir, suite, handshakeSecret), dir.seq, header, payload);
        if (opened.ok) {
          dir.seq++;
          if (opened.contentType === ContentType.handshake && dir.innerHandshake.push(opened.plaintext).some((m) => m.type === HandshakeType.finished)) {
            dir.epoch = 'application';
            dir.seq = 0;
          }
          return this.apply(record, opened);
        }
      }
      // Without handshake keys (or when they fail), this may be the first application record.
      if (appSecret0) {
        const opened = openTls13(this.crypto, suite, this.keysFor(dir, suite, appSecret0), 0, header, payload);
        if (opened.ok) {
          dir.epoch = 'application';
          dir.appSecret = appSecret0;
          dir.seq = 1;
          return this.apply(record, opened);
        }
      }
      dir.seq++;
      record.reason = handshakeSecret ? 'authentication failed (wrong key for this session)' : this.missing(record.fromClient ? KeyLogLabel.clientHandshake : KeyLogLabel.serverHandshake);
      return 'failed';
    }
    dir.appSecret ??= appSecret0;
    if (!dir.appSecret) {
      record.reason = this.missing(record.fromClient ? KeyLogLabel.clientTraffic0 : KeyLogLabel.serverTraffic0);
      return 'no-keys';
    }
    const opened = openTls13(this.crypto, suite, this.keysFor(dir, suite, dir.appSecret), dir.seq++, header, payload);
    if (opened.ok && opened.contentType === ContentType.handshake && dir.innerHandshake.push(opened.plaintext).some((m) => m.type === HandshakeType.keyUpdate)) {
      dir.appSecret = tls13NextSecret(this.crypto, suite, dir.appSecret);
      dir.seq = 0;
    }
    return this.apply(record, opened);
  }

  private keysFor(dir: Direction, suite: AeadSuite, secret: Uint8Array): DirectionKeys {
    if (dir.cachedSecret !== secret || !dir.cachedKeys) {
      dir.cachedSecret = secret;
      dir.cachedKeys = tls13Keys(this.crypto, suite, secret);
    }
    return dir.cachedKeys;
  }

  private apply(record: TlsRecord, opened: Opened): Attempt {
    if (!opened.ok) {
      record.status = 'encrypted';
      record.reason = opened.reason;
      return 'failed';
    }
    record.status = 'decrypted';
    record.innerType = opened.contentType;
    record.plaintext = opened.plaintext;
    record.reason = undefined;
    return 'opened';
  }
}
