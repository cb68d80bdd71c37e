/**
 * Against the real embedded database: a rotation persisted as the API service persists it, seen
 * by the verifier and the verify API through the grace period and after it.
 */
import { describe, expect, test } from 'vitest';
import { secretKeyLookup } from '@tagward/db';
import {
  generatePublishableKey,
  generateSecretKey,
  handleVerifyRequest,
  rotateSecretKey,
} from '../src/index.js';
import { masterKey, useKeysDatabase, storeKey, verifierOn } from './database-fixtures.js';
import { NOW, ORIGIN, PAGE_URL, mint } from './fixtures.js';

const seeded = useKeysDatabase('keys_rotation');

describe('rotation persisted by the API service', () => {
  test('old key valid inside the grace window, expired_key after it; new key valid', async () => {
    const { db } = seeded;
    const other = await db.models.Site.create({
      name: 'Rotating',
      publicKey: generatePublishableKey('live'),
      mode: 'live',
    });
    const otherSiteId = other.id as string;
    const first = generateSecretKey({ mode: 'live', masterKey });
    await storeKey(db, first, otherSiteId);

    const current = await db.models.SecretKey.find({ siteId: otherSiteId }).lean();
    const { created, updates } = rotateSecretKey({
      mode: 'live',
      masterKey,
      keys: current.map((d) => ({
        kid: d.kid,
        expiresAt: d.expiresAt ?? null,
        revokedAt: d.revokedAt ?? null,
      })),
      now: NOW,
      strategy: { kind: 'grace', graceMs: 3_600_000 },
    });
    await storeKey(db, created, otherSiteId);
    for (const { kid, ...change } of updates) await db.models.SecretKey.updateOne({ kid }, change);

    const verifier = verifierOn(db);
    const ctx = (now: number) => ({ siteId: otherSiteId, origin: ORIGIN, url: PAGE_URL, now });
    expect(
      (await verifier.verify(mint(first, { now: NOW + 3_599_000 }), ctx(NOW + 3_599_999))).status,
    ).toBe('valid');
    expect(
      (await verifier.verify(mint(created, { now: NOW + 3_599_000 }), ctx(NOW + 3_599_999))).status,
    ).toBe('valid');
    expect(
      (await verifier.verify(mint(first, { now: NOW + 3_599_000 }), ctx(NOW + 3_600_000))).status,
    ).toBe('expired_key');
    expect(
      (await verifier.verify(mint(created, { now: NOW + 3_599_000 }), ctx(NOW + 3_600_000))).status,
    ).toBe('valid');
    // The old key is also refused by the verify API after the grace period.
    const api = await handleVerifyRequest(
      { authorization: `Bearer ${first.secretKey}`, eventId: 'evt_12345678' },
      {
        lookupKey: secretKeyLookup(db),
        findEvent: async () => undefined,
        now: () => NOW + 3_600_000,
      },
    );
    expect(api).toMatchObject({ status: 401, body: { error: { code: 'key_expired' } } });
  });
});
