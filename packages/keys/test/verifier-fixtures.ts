/**
 * What the page-token verifier tests share: keys in every state a stored key can be in, their
 * records, a verifier over them (with a lookup counter), and the context a beacon brings.
 */
import { randomBytes } from 'node:crypto';
import { buildPageTokenClaims, signPageToken } from '@tagward/protocol';
import {
  createMemoryNonceSpender,
  createTokenVerifier,
  type KeyRecord,
  type TokenVerifyContext,
} from '../src/index.js';
import {
  NOW,
  ORIGIN,
  OTHER_SITE_ID,
  PAGE_URL,
  SITE_ID,
  newKey,
  newMasterKey,
  recordFor,
} from './fixtures.js';

export const masterKey = newMasterKey();
export const key = newKey(masterKey);
export const otherSiteKey = newKey(masterKey);
export const revokedKey = newKey(masterKey);
export const expiredKey = newKey(masterKey);
export const graceKey = newKey(masterKey);
export const unknownKey = newKey(masterKey);

export const records = new Map<string, KeyRecord>([
  [key.kid, recordFor(key)],
  [otherSiteKey.kid, recordFor(otherSiteKey, { siteId: OTHER_SITE_ID })],
  [revokedKey.kid, recordFor(revokedKey, { revokedAt: new Date(NOW - 1000) })],
  [expiredKey.kid, recordFor(expiredKey, { expiresAt: new Date(NOW - 1) })],
  [graceKey.kid, recordFor(graceKey, { expiresAt: new Date(NOW + 3_600_000) })],
]);

export function makeVerifier(overrides: Partial<Parameters<typeof createTokenVerifier>[0]> = {}) {
  let lookups = 0;
  const verifier = createTokenVerifier({
    masterKey,
    lookupKey: async (kid) => {
      lookups++;
      return records.get(kid);
    },
    spendNonce: createMemoryNonceSpender({ now: () => NOW }),
    clockSkewMs: 30_000,
    ...overrides,
  });
  return { verifier, lookups: () => lookups };
}

export const context: TokenVerifyContext = {
  siteId: SITE_ID,
  origin: ORIGIN,
  url: PAGE_URL,
  now: NOW + 2000,
};
export const wrongKeyToken = signPageToken(
  buildPageTokenClaims({ kid: key.kid, origin: ORIGIN, path: '/blog/hello', now: NOW }),
  randomBytes(32),
);
