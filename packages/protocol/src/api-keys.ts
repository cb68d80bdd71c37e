/**
 * Restricted API keys (`rk_…`): the wire format shared by the API, the beacon's verify API and
 * the SDK. A restricted key belongs to one site and carries a set of scopes; the site's secret key
 * (`sk_…`) keeps every power, scopes included.
 */

/** What a key may do. Never rename one; only add. */
export const API_SCOPES = ['stats:read', 'events:read', 'verify'] as const;
export type ApiScope = (typeof API_SCOPES)[number];

/** `rk_<live|test>_<kid>_<secret>`: kid is 16 base62 characters, secret is 32 bytes base64url. */
export const RESTRICTED_KEY_PATTERN = /^rk_(live|test)_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** The parts of a restricted key. `kid` is public (the dashboard shows it); `restrictedKey` is not. */
export interface ParsedRestrictedKey {
  restrictedKey: string;
  mode: 'live' | 'test';
  kid: string;
}

/**
 * Splits a restricted key into mode and key id, or returns undefined if it is not one. As with
 * secret keys, the secret part must be canonical base64url, so a key has one spelling (one hash).
 *
 * @example
 * parseRestrictedKey('rk_live_a1B2c3D4e5F6g7H8_…'); // { restrictedKey, mode: 'live', kid: 'a1B2c3D4e5F6g7H8' }
 */
export function parseRestrictedKey(value: unknown): ParsedRestrictedKey | undefined {
  if (typeof value !== 'string') return undefined;
  const match = RESTRICTED_KEY_PATTERN.exec(value);
  if (!match) return undefined;
  const [, mode, kid, secret] = match;
  if (!kid || !secret || (mode !== 'live' && mode !== 'test')) return undefined;
  const last = BASE64URL_ALPHABET.indexOf(secret.charAt(secret.length - 1));
  if ((last & 0x03) !== 0) return undefined; // 43 characters: the last one has 2 spare bits
  return { restrictedKey: value, mode, kid };
}

/**
 * Whether a string is a scope name.
 *
 * @example
 * isApiScope('stats:read'); // true
 */
export function isApiScope(value: unknown): value is ApiScope {
  return typeof value === 'string' && (API_SCOPES as readonly string[]).includes(value);
}
