/**
 * The NSS key log format (`SSLKEYLOGFILE`), as curl, browsers, Node, Python, Go and
 * OpenSSL write it: one `LABEL <client random hex> <secret hex>` a line, `#` comments.
 * Bad lines are reported with their line number and skipped, never thrown: a key log
 * is often being written while it is read, and one bad line must not cost the others.
 */
import { toHex } from '../hex';

/** The labels this decoder uses, by what they unlock. */
export const KeyLogLabel = {
  /** TLS 1.2 and earlier: the 48-byte master secret. */
  masterSecret: 'CLIENT_RANDOM',
  clientHandshake: 'CLIENT_HANDSHAKE_TRAFFIC_SECRET',
  serverHandshake: 'SERVER_HANDSHAKE_TRAFFIC_SECRET',
  clientTraffic0: 'CLIENT_TRAFFIC_SECRET_0',
  serverTraffic0: 'SERVER_TRAFFIC_SECRET_0',
} as const;

/** Labels that are valid but unlock nothing this decoder shows (0-RTT, exporters, RSA pre-master). */
const KNOWN_UNUSED = new Set(['CLIENT_EARLY_TRAFFIC_SECRET', 'EARLY_EXPORTER_SECRET', 'EXPORTER_SECRET', 'RSA']);

export type SessionSecretName = keyof typeof KeyLogLabel;

/** The secrets of one session, keyed by the session's client random. */
export type SessionSecrets = Partial<Record<SessionSecretName, Uint8Array>>;

export interface KeyLogProblem {
  /** 1-based line number in the text given (counting across `add` calls of one KeyLog). */
  line: number;
  reason: string;
}

const NAME_BY_LABEL = new Map<string, SessionSecretName>(
  (Object.entries(KeyLogLabel) as [SessionSecretName, string][]).map(([name, label]) => [label, name]),
);
const HEX = /^[0-9a-fA-F]+$/;
/** Longest secret any TLS hash gives (SHA-512); longer is not a key log. */
const MAX_SECRET_BYTES = 64;
/** A line longer than this is not a key log line; not kept while waiting for its end. */
const MAX_LINE = 1024;

function bytesOfHex(hex: string): Uint8Array {
  const out = new Uint8Array(hex.length >> 1);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.substr(i * 2, 2), 16);
  return out;
}

/**
 * A key log read in pieces: `add` takes text as it arrives (a live capture re-reads the file
 * for new lines); a last line without its newline waits for the next piece, unless `end`.
 */
export class KeyLog {
  private readonly sessions = new Map<string, SessionSecrets>();
  private partial = '';
  private lineNumber = 0;
  readonly problems: KeyLogProblem[] = [];

  /** Number of sessions (client randoms) with at least one secret. */
  get size(): number {
    return this.sessions.size;
  }

  /** The secrets logged for a client random (32 bytes), if any. */
  secretsFor(clientRandom: Uint8Array): SessionSecrets | undefined {
    return this.sessions.get(toHex(clientRandom));
  }

  /** Adds text; returns the client randoms (hex) that gained a secret. */
  add(text: string, end = false): string[] {
    const lines = (this.partial + text).split('\n');
    this.partial = end ? '' : (lines.pop() ?? '');
    if (this.partial.length > MAX_LINE) {
      this.lineNumber++;
      this.problems.push({ line: this.lineNumber, reason: `line longer than ${MAX_LINE} characters` });
      this.partial = '';
    }
    const changed = new Set<string>();
    for (const raw of lines) {
      this.lineNumber++;
      const random = this.addLine(raw.trim());
      if (random) changed.add(random);
    }
    return [...changed];
  }

  private addLine(line: string): string | undefined {
    if (line === '' || line.startsWith('#')) return undefined;
    const problem = (reason: string): undefined => {
      this.problems.push({ line: this.lineNumber, reason });
      return undefined;
    };
    if (line.length > MAX_LINE) return problem(`line longer than ${MAX_LINE} characters`);
    const parts = line.split(/\s+/);
    const label = parts[0] ?? '';
    if (KNOWN_UNUSED.has(label)) return undefined;
    const name = NAME_BY_LABEL.get(label);
    if (!name) return problem(`unknown label ${JSON.stringify(label.slice(0, 40))}`);
    if (parts.length !== 3) return problem(`${label}: expected 3 fields, got ${parts.length}`);
    const [, random = '', secret = ''] = parts;
    if (random.length !== 64 || !HEX.test(random)) return problem(`${label}: client random must be 64 hex digits`);
    if (secret.length % 2 !== 0 || secret.length === 0 || secret.length > MAX_SECRET_BYTES * 2 || !HEX.test(secret)) {
      return problem(`${label}: secret must be an even number of hex digits (at most ${MAX_SECRET_BYTES} bytes)`);
    }
    if (name === 'masterSecret' && secret.length !== 96) return problem(`${label}: master secret must be 48 bytes`);
    const key = random.toLowerCase();
    const session = this.sessions.get(key) ?? {};
    session[name] = bytesOfHex(secret);
    this.sessions.set(key, session);
    return key;
  }
}
