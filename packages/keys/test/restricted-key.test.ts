import { describe, expect, test } from 'vitest';
import {
  authenticateApiKey,
  generateRestrictedKey,
  handleVerifyRequest,
  hashSecretKey,
  type RestrictedKeyRecord,
  type StoredBeacon,
  type VerifyRequestDeps,
} from '../src/index.js';
import { NOW, SITE_ID, newKey, newMasterKey, recordFor } from './fixtures.js';

const secret = newKey(newMasterKey());
const verifyKey = generateRestrictedKey({ mode: 'live' });
const statsKey = generateRestrictedKey({ mode: 'live' });
const expiredKey = generateRestrictedKey({ mode: 'live' });
const revokedKey = generateRestrictedKey({ mode: 'live' });

const record = (key: ReturnType<typeof generateRestrictedKey>, over: Partial<RestrictedKeyRecord> = {}): RestrictedKeyRecord => ({
  kid: key.kid,
  siteId: SITE_ID,
  secretHash: key.secretHash,
  scopes: ['verify'],
  expiresAt: null,
  revokedAt: null,
  ...over,
});
const restricted = new Map<string, RestrictedKeyRecord>([
  [verifyKey.kid, record(verifyKey)],
  [statsKey.kid, record(statsKey, { scopes: ['stats:read'] })],
  [expiredKey.kid, record(expiredKey, { expiresAt: new Date(NOW - 1) })],
  [revokedKey.kid, record(revokedKey, { revokedAt: new Date(NOW - 1) })],
]);
const event: StoredBeacon = { eventId: 'evt_0123456789', receivedAt: new Date(NOW - 5000), score: 0.9, verdict: 'trusted', reasons: [] };
const uses: Array<{ kid: string; limited: boolean }> = [];
const deps: VerifyRequestDeps = {
  lookupKey: async (kid) => (kid === secret.kid ? recordFor(secret) : undefined),
  lookupRestrictedKey: async (kid) => restricted.get(kid),
  findEvent: async (siteId, id) => (siteId === SITE_ID && id === event.eventId ? event : undefined),
  now: () => NOW,
  recordUse: ({ principal, limited }) => uses.push({ kid: principal.kid, limited }),
};

describe('restricted keys', () => {
  test('store a hash only: the key is rk_<mode>_<kid>_<secret> and its sha256 is what is kept', () => {
    expect(verifyKey.restrictedKey).toMatch(/^rk_live_[A-Za-z0-9]{16}_[A-Za-z0-9_-]{43}$/);
    expect(verifyKey.secretHash).toBe(hashSecretKey(verifyKey.restrictedKey));
    expect(verifyKey.restrictedKey.endsWith(verifyKey.hint)).toBe(true);
  });

  test('a secret key authenticates with every scope', async () => {
    const auth = await authenticateApiKey(`Bearer ${secret.secretKey}`, { ...deps });
    expect(auth).toMatchObject({ ok: true, principal: { kind: 'secret', scopes: ['stats:read', 'events:read', 'verify'] } });
  });

  test.each([
    ['a guessed secret with a real kid', `rk_live_${verifyKey.kid}_${'A'.repeat(43)}`, 'unauthorized'],
    ['an expired key', expiredKey.restrictedKey, 'key_expired'],
    ['a revoked key', revokedKey.restrictedKey, 'unauthorized'],
    ['no key at all', '', 'unauthorized'],
  ])('refuses %s', async (_name, key, code) => {
    const auth = await authenticateApiKey(key ? `Bearer ${key}` : undefined, deps);
    expect(auth).toMatchObject({ ok: false, code });
  });

  test('restricted keys are refused where no lookup for them is given', async () => {
    const auth = await authenticateApiKey(`Bearer ${verifyKey.restrictedKey}`, { lookupKey: deps.lookupKey, now: deps.now });
    expect(auth).toMatchObject({ ok: false, code: 'unauthorized' });
  });

  test('the verify API answers a key with the verify scope, refuses one without, and counts both', async () => {
    uses.length = 0;
    const ok = await handleVerifyRequest({ authorization: `Bearer ${verifyKey.restrictedKey}`, eventId: event.eventId }, deps);
    expect(ok.status).toBe(200);
    const refused = await handleVerifyRequest({ authorization: `Bearer ${statsKey.restrictedKey}`, eventId: event.eventId }, deps);
    expect(refused.status).toBe(403);
    expect(refused.body).toMatchObject({ error: { code: 'insufficient_scope' } });
    expect(uses).toEqual([
      { kid: verifyKey.kid, limited: false },
      { kid: statsKey.kid, limited: false },
    ]);
  });

  test('the verify API rate limits restricted keys by their own key id', async () => {
    uses.length = 0;
    const limited = await handleVerifyRequest(
      { authorization: `Bearer ${verifyKey.restrictedKey}`, eventId: event.eventId },
      { ...deps, rateLimit: async (kid) => (kid === verifyKey.kid ? { allowed: false, retryAfterS: 3.2 } : { allowed: true }) },
    );
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe('4');
    expect(uses).toEqual([{ kid: verifyKey.kid, limited: true }]);
  });
});
