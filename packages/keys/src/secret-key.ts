import { createHash, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { KID_PATTERN } from '@tagward/protocol';
import { KeysError } from './errors.js';
import { randomBase62 } from './random.js';
import { sealSigningKey } from './master-key.js';

export type KeyMode = 'live' | 'test';

/** `sk_<mode>_<kid>_<secret>`: kid is 16 base62 characters, secret is 32 bytes base64url. */
export const SECRET_KEY_PATTERN = /^sk_(live|test)_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;
/** HKDF `info` for the page-token signing key; a new token format gets a new label. */
export const PAGE_TOKEN_KEY_INFO = 'tagward/page-token/v1';
const SECRET_BYTES = 32;
const PUBLISHABLE_KEY_CHARS = 24;

/** The parts of a secret key. `kid` is public (it travels in page tokens); `secretKey` is not. */
export interface ParsedSecretKey {
  secretKey: string;
  mode: KeyMode;
  kid: string;
}

/**
 * Splits a secret key into mode and key id, or returns undefined if it is not one. The secret
 * part must be canonical base64url so every key has exactly one spelling.
 *
 * @example
 * parseSecretKey('sk_live_a1B2c3D4e5F6g7H8_' + 'x'.repeat(43)); // { mode: 'live', kid: 'a1B2c3D4e5F6g7H8', ... }
 * parseSecretKey('pk_live_abc'); // undefined
 */
export function parseSecretKey(secretKey: unknown): ParsedSecretKey | undefined {
  if (typeof secretKey !== 'string') return undefined;
  const match = SECRET_KEY_PATTERN.exec(secretKey);
  if (!match) return undefined;
  const [, mode, kid, secret] = match;
  if (!mode || !kid || !secret) return undefined;
  if (Buffer.from(secret, 'base64url').toString('base64url') !== secret) return undefined;
  return { secretKey, mode: mode as KeyMode, kid };
}

function requireSecretKey(secretKey: string): ParsedSecretKey {
  const parsed = parseSecretKey(secretKey);
  if (!parsed) {
    throw new KeysError('invalid_secret_key', 'not a Tagward secret key (sk_live_… or sk_test_…)');
  }
  return parsed;
}

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
 * 'tagward/page-token/v1'), 32 bytes. The SDK derives it locally to mint tokens; the server keeps
 * it only sealed under the master key. One-way: knowing it does not give the secret key, so it
 * cannot call the verify API.
 *
 * @example
 * const signingKey = deriveSigningKey(process.env.TAGWARD_SECRET_KEY!);
 */
export function deriveSigningKey(secretKey: string): Buffer {
  requireSecretKey(secretKey);
  // Empty salt is fine for a uniformly random input key (RFC 5869 §3.1); info separates uses.
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), PAGE_TOKEN_KEY_INFO, 32));
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
 * await SecretKey.create({ siteId: site._id, kid: key.kid, secretHash: key.secretHash,
 *   signingKeyEnc: key.signingKeyEnc, hint: key.hint });
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
