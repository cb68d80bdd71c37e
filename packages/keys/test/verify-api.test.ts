import { describe, expect, test } from 'vitest';
import {
  handleVerifyRequest,
  type KeyRecord,
  type StoredBeacon,
  type VerifyRequestDeps,
} from '../src/index.js';
import { NOW, OTHER_SITE_ID, SITE_ID, newKey, newMasterKey, recordFor } from './fixtures.js';

const masterKey = newMasterKey();
const key = newKey(masterKey);
const otherSiteKey = newKey(masterKey);
const revoked = newKey(masterKey);
const expired = newKey(masterKey);
const inGrace = newKey(masterKey);
const records = new Map<string, KeyRecord>([
  [key.kid, recordFor(key)],
  [otherSiteKey.kid, recordFor(otherSiteKey, { siteId: OTHER_SITE_ID })],
  [revoked.kid, recordFor(revoked, { revokedAt: new Date(NOW - 1) })],
  [expired.kid, recordFor(expired, { expiresAt: new Date(NOW - 1) })],
  [inGrace.kid, recordFor(inGrace, { expiresAt: new Date(NOW + 60_000) })],
]);
const event: StoredBeacon = {
  eventId: 'evt_0123456789',
  receivedAt: new Date(NOW - 5000),
  score: 0.93,
  verdict: 'trusted',
  reasons: [{ code: 'token_valid', weight: 0.2, detail: 'page token valid' }],
};
const events = new Map([[`${SITE_ID}/${event.eventId}`, event]]);

const deps: VerifyRequestDeps = {
  lookupKey: async (kid) => records.get(kid),
  findEvent: async (siteId, eventId) => events.get(`${siteId}/${eventId}`),
  now: () => NOW,
};
const bearer = (sk: string) => `Bearer ${sk}`;
// Same kid, different secret: what someone who saw a page token (kid) might try.
const guessed = `${key.secretKey.slice(0, -43)}${'A'.repeat(42)}A`;

describe('the verify API handler', () => {
  test('a valid key gets what was recorded for its own beacon', async () => {
    const res = await handleVerifyRequest(
      { authorization: bearer(key.secretKey), eventId: event.eventId },
      deps,
    );
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toEqual({
      id: event.eventId,
      receivedAt: new Date(NOW - 5000).toISOString(),
      score: 0.93,
      verdict: 'trusted',
      reasons: [{ code: 'token_valid', weight: 0.2, detail: 'page token valid' }],
      revisedAt: null,
    });
  });

  test('a beacon re-scored in hindsight says when', async () => {
    const revisedAt = new Date(NOW - 4000);
    const res = await handleVerifyRequest(
      { authorization: bearer(key.secretKey), eventId: event.eventId },
      { ...deps, findEvent: async () => ({ ...event, verdict: 'suspect', revision: { at: revisedAt } }) },
    );
    expect(res.body).toMatchObject({ verdict: 'suspect', revisedAt: revisedAt.toISOString() });
  });

  test('a key inside its rotation grace still works', async () => {
    const res = await handleVerifyRequest(
      { authorization: bearer(inGrace.secretKey), eventId: 'nope_nope_1' },
      deps,
    );
    expect(res.status).toBe(404);
  });

  test.each([
    ['no header', undefined, 401, 'unauthorized'],
    ['a Basic header', `Basic ${Buffer.from('a:b').toString('base64')}`, 401, 'unauthorized'],
    ['a publishable key', 'Bearer pk_live_abcdefghijklmnop', 401, 'unauthorized'],
    ['the right kid with a wrong secret', bearer(guessed), 401, 'unauthorized'],
    ['the stored hash instead of the key', bearer(key.secretHash), 401, 'unauthorized'],
    ['a key that is not in the database', bearer(newKey(masterKey).secretKey), 401, 'unauthorized'],
    ['a revoked key', bearer(revoked.secretKey), 401, 'unauthorized'],
    ['a key past its rotation grace', bearer(expired.secretKey), 401, 'key_expired'],
    ["another site's key", bearer(otherSiteKey.secretKey), 404, 'not_found'],
  ])('%s gets %i %s', async (_name, authorization, status, code) => {
    const res = await handleVerifyRequest({ authorization, eventId: event.eventId }, deps);
    expect(res.status).toBe(status);
    expect(res.body).toMatchObject({ error: { code } });
    if (status === 401) expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
  });

  test.each([
    ['an id with a slash', '../admin'],
    ['a short id', 'abc'],
    ['an id with a dollar', '$where_1234'],
  ])('%s is an invalid request', async (_name, eventId) => {
    const res = await handleVerifyRequest({ authorization: bearer(key.secretKey), eventId }, deps);
    expect(res).toMatchObject({ status: 400, body: { error: { code: 'invalid_request' } } });
  });

  test('a rate-limited key gets 429 with Retry-After, and is only limited once authenticated', async () => {
    const limited: string[] = [];
    const withLimit: VerifyRequestDeps = {
      ...deps,
      rateLimit: async (kid) => {
        limited.push(kid);
        return { allowed: false, retryAfterS: 2.2 };
      },
    };
    const res = await handleVerifyRequest(
      { authorization: bearer(key.secretKey), eventId: event.eventId },
      withLimit,
    );
    expect(res).toMatchObject({
      status: 429,
      headers: { 'retry-after': '3' },
      body: { error: { code: 'rate_limited' } },
    });
    await handleVerifyRequest(
      { authorization: bearer(guessed), eventId: event.eventId },
      withLimit,
    );
    expect(limited).toEqual([key.kid]);
  });
});
