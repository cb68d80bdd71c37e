import { randomBytes } from 'node:crypto';
import { buildPageTokenClaims, signPageToken } from '@tagward/protocol';
import {
  deriveSigningKey,
  generateSecretKey,
  type GeneratedSecretKey,
  type KeyRecord,
} from '../src/index.js';

/**
 * The tests' clock: the next whole minute of real time, not a fixed date. The database's TTL
 * monitor deletes a spent nonce once its expiry is past by the server's clock, so with a date
 * that has gone by a nonce could vanish between two verifications and its replay pass (CI saw
 * it on 2026-12-02, three days after the date this used to be).
 */
export const NOW = Math.ceil(Date.now() / 60_000) * 60_000;
export const SITE_ID = '6650c0ffee0000000000a001';
export const OTHER_SITE_ID = '6650c0ffee0000000000b002';
export const ORIGIN = 'https://shop.example';
export const PAGE_URL = 'https://shop.example/blog/hello?utm=x';

export function newMasterKey(): Buffer {
  return randomBytes(32);
}

export function recordFor(key: GeneratedSecretKey, patch: Partial<KeyRecord> = {}): KeyRecord {
  return {
    kid: key.kid,
    siteId: SITE_ID,
    secretHash: key.secretHash,
    signingKeyEnc: key.signingKeyEnc,
    expiresAt: null,
    revokedAt: null,
    ...patch,
  };
}

/** A token as the SDK would mint it, with overridable claims. */
export function mint(
  key: Pick<GeneratedSecretKey, 'secretKey' | 'kid'>,
  options: { origin?: string; path?: string; now?: number; ttlMs?: number } = {},
): string {
  const claims = buildPageTokenClaims({
    kid: key.kid,
    origin: options.origin ?? ORIGIN,
    path: options.path ?? '/blog/hello',
    now: options.now ?? NOW,
    ...(options.ttlMs === undefined ? {} : { ttlMs: options.ttlMs }),
  });
  return signPageToken(claims, deriveSigningKey(key.secretKey));
}

export function newKey(masterKey: Uint8Array, mode: 'live' | 'test' = 'live'): GeneratedSecretKey {
  return generateSecretKey({ mode, masterKey });
}
