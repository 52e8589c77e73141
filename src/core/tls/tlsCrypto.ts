/**
 * The cryptographic primitives TLS decryption needs, as an interface: core stays free of
 * `node:` imports (it runs in the webview too). The Node implementation lives in
 * src/client/tls. It is synchronous on purpose: decryption runs where Node's crypto is (the
 * extension host and the CLI), and a record's result is needed in the same pass that decodes
 * its frame. WebCrypto, async only and without ChaCha20-Poly1305, could not serve all suites.
 */
export type HashName = 'sha1' | 'sha256' | 'sha384';
export type AeadCipher = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';
export type CbcCipher = 'aes-128-cbc' | 'aes-256-cbc';

export interface TlsCrypto {
  /** HMAC of the concatenation of `parts`. */
  hmac(hash: HashName, key: Uint8Array, parts: readonly Uint8Array[]): Uint8Array;
  /**
   * AEAD decryption of `sealed` (ciphertext followed by its 16-byte tag). Undefined when the
   * tag does not verify: the caller never sees unauthenticated plaintext.
   */
  openAead(cipher: AeadCipher, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined;
  /** Raw CBC decryption (no padding removed; the caller checks padding and MAC). Undefined on error. */
  decryptCbc(cipher: CbcCipher, key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined;
}

export const HASH_LENGTH: Readonly<Record<HashName, number>> = { sha1: 20, sha256: 32, sha384: 48 };
