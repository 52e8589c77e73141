/**
 * The cipher suites this decoder can decrypt, by their IANA number: what cipher, what MAC
 * (CBC suites only), which hash the PRF or HKDF uses, and key sizes. Anything else is
 * shown as encrypted with "cipher suite 0x.... not supported".
 */
import type { AeadCipher, CbcCipher, HashName } from './tlsCrypto';

export interface AeadSuite {
  kind: 'aead';
  name: string;
  cipher: AeadCipher;
  keyLength: number;
  /** TLS 1.2: the implicit part of the nonce from the key block (4 for GCM, 12 for ChaCha20). */
  fixedIvLength: number;
  /** TLS 1.2 only: bytes of explicit nonce at the start of each record (8 for GCM, 0 for ChaCha20). */
  explicitNonceLength: number;
  /** PRF hash (TLS 1.2) or HKDF hash (TLS 1.3). */
  hash: HashName;
  tls13: boolean;
}

export interface CbcSuite {
  kind: 'cbc';
  name: string;
  cipher: CbcCipher;
  keyLength: number;
  mac: HashName;
  hash: HashName;
  tls13: false;
}

export type CipherSuite = AeadSuite | CbcSuite;

function gcm(name: string, bits: 128 | 256, tls13: boolean): AeadSuite {
  return { kind: 'aead', name, cipher: bits === 128 ? 'aes-128-gcm' : 'aes-256-gcm', keyLength: bits / 8, fixedIvLength: 4, explicitNonceLength: 8, hash: bits === 128 ? 'sha256' : 'sha384', tls13 };
}

function chacha(name: string, tls13: boolean): AeadSuite {
  return { kind: 'aead', name, cipher: 'chacha20-poly1305', keyLength: 32, fixedIvLength: 12, explicitNonceLength: 0, hash: 'sha256', tls13 };
}

function cbc(name: string, bits: 128 | 256, mac: HashName): CbcSuite {
  // TLS 1.2's PRF is SHA-256 unless the suite names SHA-384.
  return { kind: 'cbc', name, cipher: bits === 128 ? 'aes-128-cbc' : 'aes-256-cbc', keyLength: bits / 8, mac, hash: mac === 'sha384' ? 'sha384' : 'sha256', tls13: false };
}

const SUITES: ReadonlyMap<number, CipherSuite> = new Map<number, CipherSuite>([
  [0x1301, gcm('TLS_AES_128_GCM_SHA256', 128, true)],
  [0x1302, gcm('TLS_AES_256_GCM_SHA384', 256, true)],
  [0x1303, chacha('TLS_CHACHA20_POLY1305_SHA256', true)],
  [0x009c, gcm('TLS_RSA_WITH_AES_128_GCM_SHA256', 128, false)],
  [0x009d, gcm('TLS_RSA_WITH_AES_256_GCM_SHA384', 256, false)],
  [0x009e, gcm('TLS_DHE_RSA_WITH_AES_128_GCM_SHA256', 128, false)],
  [0x009f, gcm('TLS_DHE_RSA_WITH_AES_256_GCM_SHA384', 256, false)],
  [0xc02b, gcm('TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', 128, false)],
  [0xc02c, gcm('TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384', 256, false)],
  [0xc02f, gcm('TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256', 128, false)],
  [0xc030, gcm('TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', 256, false)],
  [0xcca8, chacha('TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256', false)],
  [0xcca9, chacha('TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256', false)],
  [0xccaa, chacha('TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256', false)],
  [0x002f, cbc('TLS_RSA_WITH_AES_128_CBC_SHA', 128, 'sha1')],
  [0x0035, cbc('TLS_RSA_WITH_AES_256_CBC_SHA', 256, 'sha1')],
  [0x003c, cbc('TLS_RSA_WITH_AES_128_CBC_SHA256', 128, 'sha256')],
  [0x003d, cbc('TLS_RSA_WITH_AES_256_CBC_SHA256', 256, 'sha256')],
  [0x0033, cbc('TLS_DHE_RSA_WITH_AES_128_CBC_SHA', 128, 'sha1')],
  [0x0039, cbc('TLS_DHE_RSA_WITH_AES_256_CBC_SHA', 256, 'sha1')],
  [0x0067, cbc('TLS_DHE_RSA_WITH_AES_128_CBC_SHA256', 128, 'sha256')],
  [0x006b, cbc('TLS_DHE_RSA_WITH_AES_256_CBC_SHA256', 256, 'sha256')],
  [0xc009, cbc('TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA', 128, 'sha1')],
  [0xc00a, cbc('TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA', 256, 'sha1')],
  [0xc013, cbc('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA', 128, 'sha1')],
  [0xc014, cbc('TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA', 256, 'sha1')],
  [0xc023, cbc('TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', 128, 'sha256')],
  [0xc024, cbc('TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384', 256, 'sha384')],
  [0xc027, cbc('TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256', 128, 'sha256')],
  [0xc028, cbc('TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384', 256, 'sha384')],
]);

export function cipherSuite(id: number): CipherSuite | undefined {
  return SUITES.get(id);
}

export function suiteIdText(id: number): string {
  return `0x${id.toString(16).padStart(4, '0')}`;
}
