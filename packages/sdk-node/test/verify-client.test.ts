import http from 'node:http';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import type { BeaconVerification } from '@tagward/keys';
import { TagwardError, createVerifyClient, type BeaconRecord } from '../src/index.js';
import {
  listen,
  seedSite,
  startVerifyServer,
  storeEvent,
  type RunningServer,
  type SeededSite,
} from './tagward-server.js';

let db: TestDatabase;
let server: RunningServer;
let site: SeededSite;
let other: SeededSite;
let eventId: string;
let otherEventId: string;

beforeAll(async () => {
  db = await createTestDatabase('sdk_verify');
  site = await seedSite(db, 'Verify');
  other = await seedSite(db, 'Other');
  eventId = await storeEvent(db, site.siteId, {
    score: 0.42,
    verdict: 'suspect',
    reasons: [{ code: 'token_missing', weight: -0.2, detail: 'no page token' }],
  });
  otherEventId = await storeEvent(db, other.siteId, { score: 1, verdict: 'trusted', reasons: [] });
  server = await startVerifyServer(db);
});
afterAll(async () => {
  await server?.close();
  await db?.dispose();
});

async function codeOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
    return 'resolved';
  } catch (error) {
    if (error instanceof TagwardError) return error.code;
    throw error;
  }
}

describe('createVerifyClient', () => {
  test('returns what Tagward recorded for a beacon of the same site', async () => {
    const client = createVerifyClient({ secretKey: site.key.secretKey, endpoint: server.url });
    const beacon = await client.getBeacon(eventId);
    expect(beacon).toMatchObject({
      id: eventId,
      score: 0.42,
      verdict: 'suspect',
      reasons: [{ code: 'token_missing', weight: -0.2, detail: 'no page token' }],
    });
    expect(beacon.receivedAt).toBeInstanceOf(Date);
  });

  test("another site's beacon is not found, not leaked", async () => {
    const client = createVerifyClient({ secretKey: site.key.secretKey, endpoint: server.url });
    expect(await codeOf(client.getBeacon(otherEventId))).toBe('not_found');
  });

  test('an endpoint with a path prefix keeps it', async () => {
    const seen: string[] = [];
    const client = createVerifyClient({
      secretKey: site.key.secretKey,
      endpoint: 'https://api.example/tagward',
      fetch: async (url) => {
        seen.push(String(url));
        return new Response('{}', { status: 500 });
      },
    });
    expect(await codeOf(client.getBeacon(eventId))).toBe('server_error');
    expect(seen).toEqual([`https://api.example/tagward/v1/verify/beacons/${eventId}`]);
  });

  test.each([
    [
      'a key that is not in the database',
      () => `sk_live_AAAAAAAAAAAAAAAA_${'A'.repeat(43)}`,
      'unauthorized',
    ],
    ['a revoked key', () => 'revoked', 'unauthorized'],
    ['a key past its rotation grace', () => 'expired', 'key_expired'],
  ])('%s gets %s', async (_name, keyOf, code) => {
    let secretKey = keyOf();
    if (secretKey === 'revoked' || secretKey === 'expired') {
      const seeded = await seedSite(db, secretKey);
      const field = secretKey === 'revoked' ? 'revokedAt' : 'expiresAt';
      await db.models.SecretKey.updateOne(
        { kid: seeded.key.kid },
        { [field]: new Date(Date.now() - 1000) },
      );
      secretKey = seeded.key.secretKey;
    }
    const client = createVerifyClient({ secretKey, endpoint: server.url });
    const error = await client.getBeacon(eventId).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TagwardError);
    expect(error).toMatchObject({ code, status: 401 });
  });

  test('a rate-limited key gets rate_limited with the Retry-After seconds', async () => {
    const limited = await startVerifyServer(db, {
      rateLimit: async () => ({ allowed: false, retryAfterS: 7 }),
    });
    try {
      const client = createVerifyClient({ secretKey: site.key.secretKey, endpoint: limited.url });
      const error = await client.getBeacon(eventId).catch((e: unknown) => e);
      expect(error).toMatchObject({ code: 'rate_limited', status: 429, retryAfterS: 7 });
    } finally {
      await limited.close();
    }
  });

  test.each([
    ['a malformed id', 'a/b', 'invalid_argument'],
    ['a short id', 'abc', 'invalid_argument'],
    ['an id nobody stored', 'evt_missing_0000', 'not_found'],
  ])('%s gives %s', async (_name, id, code) => {
    const client = createVerifyClient({ secretKey: site.key.secretKey, endpoint: server.url });
    expect(await codeOf(client.getBeacon(id))).toBe(code);
  });

  test.each([
    [
      'a publishable key',
      { secretKey: 'pk_live_abcdefghijklmnop', endpoint: 'https://x.example' },
      'invalid_secret_key',
    ],
    ['a plain-http remote endpoint', { endpoint: 'http://beacon.example' }, 'invalid_argument'],
    ['a non-URL endpoint', { endpoint: 'beacon.example' }, 'invalid_argument'],
  ])('creating a client with %s throws %s', (_name, patch, code) => {
    expect(() => createVerifyClient({ secretKey: site.key.secretKey, ...patch })).toThrow(
      expect.objectContaining({ code }),
    );
  });

  test('a closed port is a network_error', async () => {
    const closed = await listen(http.createServer());
    await closed.close();
    const client = createVerifyClient({ secretKey: site.key.secretKey, endpoint: closed.url });
    expect(await codeOf(client.getBeacon(eventId))).toBe('network_error');
  });

  test('a server that never answers is a timeout', async () => {
    const silent = await listen(http.createServer(() => undefined));
    try {
      const client = createVerifyClient({
        secretKey: site.key.secretKey,
        endpoint: silent.url,
        timeoutMs: 200,
      });
      expect(await codeOf(client.getBeacon(eventId))).toBe('timeout');
    } finally {
      await silent.close();
    }
  });

  test.each([
    ['HTML', 200, '<html>oops</html>', 'bad_response'],
    [
      'a body without a verdict',
      200,
      JSON.stringify({ id: 'x', receivedAt: new Date().toISOString(), score: 1, reasons: [] }),
      'bad_response',
    ],
    ['a gateway error', 502, 'Bad Gateway', 'server_error'],
    ['a redirect (the key must not follow it)', 302, '', 'network_error'],
  ])('a server answering %s gives %s', async (_name, status, body, code) => {
    const weird = await listen(
      http.createServer((_req, res) => {
        res
          .writeHead(status, status === 302 ? { location: 'https://elsewhere.example/' } : {})
          .end(body);
      }),
    );
    try {
      const client = createVerifyClient({ secretKey: site.key.secretKey, endpoint: weird.url });
      expect(await codeOf(client.getBeacon(eventId))).toBe(code);
    } finally {
      await weird.close();
    }
  });

  test("the SDK's record type matches the server's wire type field for field", () => {
    const wire: BeaconVerification = {
      id: 'evt_12345678',
      receivedAt: new Date(0).toISOString(),
      score: 1,
      verdict: 'trusted',
      reasons: [{ code: 'x', weight: 0 }],
      revisedAt: new Date(1000).toISOString(),
    };
    const record: BeaconRecord = { ...wire, receivedAt: new Date(wire.receivedAt), revisedAt: new Date(wire.revisedAt!) };
    expect(Object.keys(record).sort()).toEqual(Object.keys(wire).sort());
  });
});
