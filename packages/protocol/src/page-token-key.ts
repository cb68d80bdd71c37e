/**
 * Secret keys as the wire contract sees them: their spelling, and the page-token signing key the
 * SDK derives from one (no network call).
 */
import { hkdfSync } from 'node:crypto';
import { BASE64URL_ALPHABET } from './base64url.js';

/** `sk_<live|test>_<kid>_<secret>`: kid is 16 base62 characters, secret is 32 bytes base64url. */
export const SECRET_KEY_PATTERN = /^sk_(live|test)_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;
/** HKDF `info` of the page-token signing key; a new token format gets a new label. */
export const PAGE_TOKEN_KEY_INFO = 'tagward/page-token/v1';

/** The parts of a secret key. `kid` is public (it travels in page tokens); `secretKey` is not. */
export interface ParsedSecretKey {
  secretKey: string;
  mode: 'live' | 'test';
  kid: string;
}

/**
 * Splits a secret key into mode and key id, or returns undefined if it is not one. The secret
 * part must be canonical base64url, so every key has exactly one spelling (and one hash).
 *
 * @example
 * parseSecretKey(process.env.TAGWARD_SECRET_KEY); // { secretKey, mode: 'live', kid: 'a1B2c3D4e5F6g7H8' }
 * parseSecretKey('pk_live_abc'); // undefined
 */
export function parseSecretKey(secretKey: unknown): ParsedSecretKey | undefined {
  if (typeof secretKey !== 'string') return undefined;
  const match = SECRET_KEY_PATTERN.exec(secretKey);
  if (!match) return undefined;
  const [, mode, kid, secret] = match;
  if (!kid || !secret || (mode !== 'live' && mode !== 'test')) return undefined;
  const last = BASE64URL_ALPHABET.indexOf(secret.charAt(secret.length - 1));
  if ((last & 0x03) !== 0) return undefined; // 43 characters: the last one has 2 spare bits
  return { secretKey, mode, kid };
}

/**
 * The page-token signing key of a secret key: HKDF-SHA256(ikm = the whole `sk_…` string, salt =
 * empty, info = {@link PAGE_TOKEN_KEY_INFO}), 32 bytes. The SDK derives it to mint tokens without
 * a network call; the server keeps it only sealed under its master key. One-way: it does not
 * give back the secret key, so it cannot call the verify API. Returns undefined for a string that
 * is not a secret key.
 *
 * @example
 * const signingKey = derivePageTokenSigningKey(secretKey);
 * const token = signPageToken(claims, signingKey!);
 */
export function derivePageTokenSigningKey(secretKey: string): Buffer | undefined {
  if (!parseSecretKey(secretKey)) return undefined;
  // An empty salt is fine for a uniformly random input key (RFC 5869 section 3.1); info separates uses.
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), PAGE_TOKEN_KEY_INFO, 32));
}
