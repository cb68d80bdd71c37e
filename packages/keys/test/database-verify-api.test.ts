/**
 * Against the real embedded database: the verify API reading real events, for their own site
 * only.
 */
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { secretKeyLookup } from '@tagward/db';
import {
  generatePublishableKey,
  generateSecretKey,
  handleVerifyRequest,
  type StoredBeacon,
} from '../src/index.js';
import { masterKey, useKeysDatabase, storeKey } from './database-fixtures.js';
import { NOW, PAGE_URL } from './fixtures.js';

const seeded = useKeysDatabase('keys_verify_api');

describe('the verify API on stored events', () => {
  test("returns a site's own event and never another site's", async () => {
    const { db, siteId, key } = seeded;
    const eventId = `evt_${randomBytes(6).toString('hex')}`;
    await db.models.Event.create({
      siteId,
      eventId,
      receivedAt: new Date(NOW),
      page: { url: PAGE_URL, path: '/blog/hello', referrer: '' },
      signals: { token: { status: 'valid' } },
      score: 0.91,
      verdict: 'trusted',
      reasons: [{ code: 'token_valid', weight: 0.3, detail: 'valid page token' }],
      rulesVersion: 1,
      visitorHash: 'v',
    });
    const stranger = await db.models.Site.create({
      name: 'Other',
      publicKey: generatePublishableKey('live'),
      mode: 'live',
    });
    const strangerKey = generateSecretKey({ mode: 'live', masterKey });
    await storeKey(db, strangerKey, stranger.id as string);

    const deps = {
      lookupKey: secretKeyLookup(db),
      findEvent: async (site: string, id: string) => {
        const doc = await db.models.Event.findOne({ siteId: site, eventId: id }).lean();
        return doc
          ? {
              eventId: doc.eventId,
              receivedAt: doc.receivedAt,
              score: doc.score,
              verdict: doc.verdict,
              reasons: doc.reasons as StoredBeacon['reasons'],
            }
          : undefined;
      },
      now: () => NOW,
    };
    const own = await handleVerifyRequest(
      { authorization: `Bearer ${key.secretKey}`, eventId },
      deps,
    );
    expect(own).toMatchObject({
      status: 200,
      body: { id: eventId, score: 0.91, verdict: 'trusted' },
    });
    const foreign = await handleVerifyRequest(
      { authorization: `Bearer ${strangerKey.secretKey}`, eventId },
      deps,
    );
    expect(foreign).toMatchObject({ status: 404, body: { error: { code: 'not_found' } } });
  });
});
