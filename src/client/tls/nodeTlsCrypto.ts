/**
 * TlsCrypto on Node's crypto (OpenSSL): no cipher is written by hand here. A failed
 * authentication tag makes `final()` throw, which is the signal, not an error.
 */
import { createDecipheriv, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { AeadCipher, CbcCipher, HashName, TlsCrypto } from '../../core/tls/tlsCrypto';

const TAG_LENGTH = 16;

/** A direction's key is one array for the whole session: imported once, not once per record. */
const keyObjects = new WeakMap<Uint8Array, KeyObject>();
function keyObjectOf(key: Uint8Array): KeyObject {
  let k = keyObjects.get(key);
  if (!k) keyObjects.set(key, (k = createSecretKey(key)));
  return k;
}

export const nodeTlsCrypto: TlsCrypto = {
  hmac(hash: HashName, key: Uint8Array, parts: readonly Uint8Array[]): Uint8Array {
    const h = createHmac(hash, key);
    for (const p of parts) h.update(p);
    return h.digest();
  },

  openAead(cipher: AeadCipher, key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array): Uint8Array | undefined {
    if (sealed.length < TAG_LENGTH) return undefined;
    const body = sealed.subarray(0, sealed.length - TAG_LENGTH);
    try {
      const decipher = cipher === 'chacha20-poly1305'
        ? createDecipheriv(cipher, keyObjectOf(key), nonce, { authTagLength: TAG_LENGTH })
        : createDecipheriv(cipher, keyObjectOf(key), nonce);
      decipher.setAAD(aad, { plaintextLength: body.length });
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_LENGTH));
      const first = decipher.update(body);
      const last = decipher.final();
      return last.length === 0 ? first : Buffer.concat([first, last]);
    } catch {
      return undefined;
    }
  },

  decryptCbc(cipher: CbcCipher, key: Uint8Array, iv: Uint8Array, ciphertext: Uint8Array): Uint8Array | undefined {
    if (ciphertext.length === 0 || ciphertext.length % 16 !== 0) return undefined;
    try {
      const decipher = createDecipheriv(cipher, keyObjectOf(key), iv);
      decipher.setAutoPadding(false);
      const first = decipher.update(ciphertext);
      const last = decipher.final();
      return last.length === 0 ? first : Buffer.concat([first, last]);
    } catch {
      return undefined;
    }
  },
};
