import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { KeysError } from './errors.js';

const MASTER_KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SIGNING_KEY_BYTES = 32;
const SEALED_PREFIX = 'v1';
const SEAL_KEY_INFO = 'tagward/seal/signing-key/v1';

/**
 * Reads `TAGWARD_MASTER_KEY` (32 bytes, base64 or base64url) as the app's config module hands it
 * over. Throws {@link KeysError} `invalid_master_key` for anything else, so a typo fails at start-up
 * rather than at the first beacon.
 *
 * @example
 * const masterKey = parseMasterKey(env.TAGWARD_MASTER_KEY);
 */
export function parseMasterKey(value: string): Buffer {
  const text = value.trim();
  if (!/^[A-Za-z0-9+/_-]{43}=?$/.test(text)) {
    throw new KeysError(
      'invalid_master_key',
      'TAGWARD_MASTER_KEY must be 32 bytes, base64-encoded',
    );
  }
  const bytes = Buffer.from(text.replace(/-/g, '+').replace(/_/g, '/'), 'base64');
  if (bytes.length !== MASTER_KEY_BYTES) {
    throw new KeysError(
      'invalid_master_key',
      'TAGWARD_MASTER_KEY must be 32 bytes, base64-encoded',
    );
  }
  return bytes;
}

/**
 * A fresh master key, base64: what to put in `TAGWARD_MASTER_KEY` (same as
 * `openssl rand -base64 32`).
 *
 * @example
 * console.log(`TAGWARD_MASTER_KEY=${generateMasterKey()}`);
 */
export function generateMasterKey(): string {
  return randomBytes(MASTER_KEY_BYTES).toString('base64');
}

function sealingKey(masterKey: Uint8Array): Buffer {
  if (!(masterKey instanceof Uint8Array) || masterKey.length !== MASTER_KEY_BYTES) {
    throw new KeysError('invalid_master_key', 'the master key must be 32 bytes');
  }
  // A derived key, not the master key itself: the same master key can later seal other things
  // under other labels without two uses ever sharing an AES key.
  return Buffer.from(hkdfSync('sha256', masterKey, Buffer.alloc(0), SEAL_KEY_INFO, 32));
}

function additionalData(kid: string): Buffer {
  // Binding the kid means a sealed key copied onto another key record does not open there.
  return Buffer.from(`${SEAL_KEY_INFO}:${kid}`, 'utf8');
}

/**
 * Encrypts a page-token signing key with AES-256-GCM under (a key derived from) the master key,
 * bound to its kid. Output: `v1.<iv>.<ciphertext+tag>`, base64url parts.
 *
 * @example
 * const signingKeyEnc = sealSigningKey(deriveSigningKey(secretKey), { kid, masterKey });
 */
export function sealSigningKey(
  signingKey: Uint8Array,
  options: { kid: string; masterKey: Uint8Array },
): string {
  if (signingKey.length !== SIGNING_KEY_BYTES) {
    throw new KeysError('invalid_argument', 'a signing key is 32 bytes');
  }
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', sealingKey(options.masterKey), iv, {
    authTagLength: TAG_BYTES,
  });
  cipher.setAAD(additionalData(options.kid));
  const sealed = Buffer.concat([cipher.update(signingKey), cipher.final(), cipher.getAuthTag()]);
  return `${SEALED_PREFIX}.${iv.toString('base64url')}.${sealed.toString('base64url')}`;
}

/**
 * Decrypts a sealed signing key. Throws {@link KeysError} `signing_key_unreadable` when the master
 * key is wrong, the value was tampered with, or it belongs to another kid.
 *
 * @example
 * const signingKey = openSigningKey(record.signingKeyEnc, { kid: record.kid, masterKey });
 */
export function openSigningKey(
  signingKeyEnc: string,
  options: { kid: string; masterKey: Uint8Array },
): Buffer {
  const key = sealingKey(options.masterKey);
  const [prefix, ivText, sealedText, extra] = signingKeyEnc.split('.');
  const iv = ivText ? Buffer.from(ivText, 'base64url') : undefined;
  const sealed = sealedText ? Buffer.from(sealedText, 'base64url') : undefined;
  if (
    prefix !== SEALED_PREFIX ||
    extra !== undefined ||
    iv?.length !== IV_BYTES ||
    sealed?.length !== SIGNING_KEY_BYTES + TAG_BYTES
  ) {
    throw new KeysError('signing_key_unreadable', `sealed key of ${options.kid} is not in v1 form`);
  }
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
    decipher.setAAD(additionalData(options.kid));
    decipher.setAuthTag(sealed.subarray(SIGNING_KEY_BYTES));
    return Buffer.concat([
      decipher.update(sealed.subarray(0, SIGNING_KEY_BYTES)),
      decipher.final(),
    ]);
  } catch (cause) {
    throw new KeysError(
      'signing_key_unreadable',
      `cannot open the signing key of ${options.kid}: wrong master key or tampered value`,
      { cause },
    );
  }
}
