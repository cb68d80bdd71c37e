import { randomBytes } from 'node:crypto';
import { parseRestrictedKey, type ApiScope, type ParsedRestrictedKey } from '@tagward/protocol';
import { KeysError } from './errors.js';
import { randomBase62 } from './random.js';
import { hashSecretKey } from './secret-key.js';
import type { KeyMode } from './secret-key.js';

export { parseRestrictedKey, type ParsedRestrictedKey };

/** What {@link generateRestrictedKey} returns: the key to show once, and what to store. */
export interface GeneratedRestrictedKey {
  /** `rk_…`: show it once, never store or log it. */
  restrictedKey: string;
  kid: string;
  /** sha256(restrictedKey), hex: the only thing stored that relates to the key's secret. */
  secretHash: string;
  /** Last four characters, to tell keys apart: store. */
  hint: string;
}

/**
 * A new restricted key. Unlike a secret key it has no page-token signing key: it can only call
 * the APIs its scopes allow, so the database keeps nothing but its hash.
 *
 * @example
 * const key = generateRestrictedKey({ mode: site.mode });
 * await RestrictedKey.create({ siteId, kid: key.kid, secretHash: key.secretHash, hint: key.hint, scopes });
 * return { restrictedKey: key.restrictedKey }; // shown once
 */
export function generateRestrictedKey(options: { mode: KeyMode }): GeneratedRestrictedKey {
  if (options.mode !== 'live' && options.mode !== 'test') {
    throw new KeysError('invalid_argument', `mode must be 'live' or 'test'`);
  }
  const kid = randomBase62(16);
  const restrictedKey = `rk_${options.mode}_${kid}_${randomBytes(32).toString('base64url')}`;
  if (!parseRestrictedKey(restrictedKey)) throw new KeysError('invalid_argument', 'key generation failed');
  return { restrictedKey, kid, secretHash: hashSecretKey(restrictedKey), hint: restrictedKey.slice(-4) };
}

/** What authentication needs to know about one restricted key (its model's fields). */
export interface RestrictedKeyRecord {
  kid: string;
  siteId: string;
  secretHash: string;
  scopes: readonly ApiScope[];
  /** The optional end of life chosen at creation; null: no end. */
  expiresAt: Date | null;
  revokedAt: Date | null;
}

export type LookupRestrictedKey = (kid: string) => Promise<RestrictedKeyRecord | undefined>;
