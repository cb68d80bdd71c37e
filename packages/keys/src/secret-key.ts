import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import {
  KID_PATTERN,
  PAGE_TOKEN_KEY_INFO,
  SECRET_KEY_PATTERN,
  derivePageTokenSigningKey,
  parseSecretKey,
  type ParsedSecretKey,
} from '@tagward/protocol';
import { KeysError } from './errors.js';
import { randomBase62 } from './random.js';
import { sealSigningKey } from './master-key.js';

// The secret-key format and the signing-key derivation are part of the wire contract (the SDK
// mints with them), so they live in @tagward/protocol; re-exported here for server code.
export { PAGE_TOKEN_KEY_INFO, SECRET_KEY_PATTERN, parseSecretKey, type ParsedSecretKey };

export type KeyMode = 'live' | 'test';

const SECRET_BYTES = 32;
const PUBLISHABLE_KEY_CHARS = 24;

/**
 * SHA-256 of the whole secret key, hex. What the database stores to authenticate verify-API
 * calls. A fast hash is right here (unlike passwords): the key carries 256 random bits, so
 * there is nothing to brute-force and a slow hash would only slow every API call.
 *
 * @example
 * await SecretKey.create({ ..., secretHash: hashSecretKey(secretKey) });
 */
export function hashSecretKey(secretKey: string): string {
  return createHash('sha256').update(secretKey, 'utf8').digest('hex');
}

/**
 * Whether a presented secret key matches a stored hash, compared in constant time.
 *
 * @example
 * if (!secretKeyMatchesHash(presented, record.secretHash)) return unauthorized();
 */
export function secretKeyMatchesHash(secretKey: string, secretHash: string): boolean {
  const presented = Buffer.from(hashSecretKey(secretKey), 'hex');
  const stored = Buffer.from(secretHash, 'hex');
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

/**
 * The page-token signing key of a secret key: HKDF-SHA256(sk, salt = '', info =
 * 'tagward/page-token/v1'), 32 bytes (`derivePageTokenSigningKey` from @tagward/protocol, which the
 * SDK uses too). Throws {@link KeysError} `invalid_secret_key` for anything that is not a key.
 *
 * @example
 * const signingKey = deriveSigningKey(generated.secretKey);
 */
export function deriveSigningKey(secretKey: string): Buffer {
  const derived = derivePageTokenSigningKey(secretKey);
  if (!derived)
    throw new KeysError('invalid_secret_key', 'not a Tagward secret key (sk_live_… or sk_test_…)');
  return derived;
}

/**
 * A new publishable key: `pk_<mode>_` + 24 base62 characters. Public by design.
 *
 * @example
 * const site = await Site.create({ name, mode: 'live', publicKey: generatePublishableKey('live') });
 */
export function generatePublishableKey(mode: KeyMode): string {
  if (mode !== 'live' && mode !== 'test') {
    throw new KeysError('invalid_argument', `mode must be 'live' or 'test', not ${String(mode)}`);
  }
  return `pk_${mode}_${randomBase62(PUBLISHABLE_KEY_CHARS)}`;
}

/** What {@link generateSecretKey} returns: the key to show once, and what to store. */
export interface GeneratedSecretKey {
  /** `sk_…`: show it to the user once, never store or log it. */
  secretKey: string;
  mode: KeyMode;
  kid: string;
  /** sha256(secretKey), hex: store. */
  secretHash: string;
  /** The signing key sealed under the master key: store. */
  signingKeyEnc: string;
  /** Last four characters of the key, to tell keys apart in the dashboard: store. */
  hint: string;
}

/**
 * Creates a secret key and the three values the database keeps for it. Nothing returned here
 * except `secretKey` is sensitive without the master key.
 *
 * @example
 * const key = generateSecretKey({ mode: site.mode, masterKey: config.masterKey });
 * await SecretKey.create({ siteId: site._id, ...storedSecretKey(key) });
 * return { secretKey: key.secretKey }; // shown once
 */
export function generateSecretKey(options: {
  mode: KeyMode;
  masterKey: Uint8Array;
}): GeneratedSecretKey {
  if (options.mode !== 'live' && options.mode !== 'test') {
    throw new KeysError('invalid_argument', `mode must be 'live' or 'test'`);
  }
  const kid = randomBase62(16);
  if (!KID_PATTERN.test(kid)) throw new KeysError('invalid_argument', 'kid generation failed');
  const secretKey = `sk_${options.mode}_${kid}_${randomBytes(SECRET_BYTES).toString('base64url')}`;
  return {
    secretKey,
    mode: options.mode,
    kid,
    secretHash: hashSecretKey(secretKey),
    signingKeyEnc: sealSigningKey(deriveSigningKey(secretKey), {
      kid,
      masterKey: options.masterKey,
    }),
    hint: secretKey.slice(-4),
  };
}

/** What the database keeps of a secret key: its id and the three values marked "store" above. */
export type StoredSecretKey = Pick<
  GeneratedSecretKey,
  'kid' | 'secretHash' | 'signingKeyEnc' | 'hint'
>;

/**
 * The fields of a new key's `SecretKey` document. Everything a caller stores goes through here,
 * so that the key itself (`secretKey`) is never among them.
 *
 * @example
 * await SecretKey.create({ siteId: site._id, ...storedSecretKey(key) });
 */
export function storedSecretKey(key: GeneratedSecretKey): StoredSecretKey {
  return {
    kid: key.kid,
    secretHash: key.secretHash,
    signingKeyEnc: key.signingKeyEnc,
    hint: key.hint,
  };
}
