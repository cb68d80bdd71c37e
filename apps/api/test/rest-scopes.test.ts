/**
 * Scopes are enforced: every /api/v1 endpoint against every kind of key, with the status each
 * must get. Also: error bodies carry stable codes, answers match their schemas, keys see only
 * their own site, and the per-key rate limit holds and is counted.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { signedUpClient, startTestApi, type TestApi } from './helpers.js';
import { HOUR_MS, recordEvents } from './support/record-events.js';
import { errorCode, ownedSite, rest, seedRestrictedKey } from './support/integrations.js';
import { aggregateResponse, breakdownResponse, errorResponse, eventsResponse, timeseriesResponse } from '../src/rest/schemas.js';

let api: TestApi;
const keys: Record<string, string> = {};
let otherSiteEventPath = '';

const from = new Date(Date.now() - 2 * HOUR_MS).toISOString();
const to = new Date(Date.now() + HOUR_MS).toISOString();

const ENDPOINTS = {
  aggregate: '/stats/aggregate',
  timeseries: '/stats/timeseries?interval=hour',
  breakdown: '/stats/breakdown?property=path',
  events: '/events?limit=5',
  export: `/events/export?format=ndjson&from=${encodeURIComponent(from)}&to=${encodeURIComponent(to)}`,
  openapi: '/openapi.json',
} as const;

// Rows: endpoint. Columns: who calls. 200 allowed, 403 insufficient_scope, 401 unauthorized / key_expired.
const TABLE: Record<keyof typeof ENDPOINTS, Record<string, number>> = {
  aggregate: { none: 401, secret: 200, stats: 200, events: 403, verify: 403, all: 200, revoked: 401, expired: 401, garbage: 401 },
  timeseries: { none: 401, secret: 200, stats: 200, events: 403, verify: 403, all: 200, revoked: 401, expired: 401, garbage: 401 },
  breakdown: { none: 401, secret: 200, stats: 200, events: 403, verify: 403, all: 200, revoked: 401, expired: 401, garbage: 401 },
  events: { none: 401, secret: 200, stats: 403, events: 200, verify: 403, all: 200, revoked: 401, expired: 401, garbage: 401 },
  export: { none: 401, secret: 200, stats: 403, events: 200, verify: 403, all: 200, revoked: 401, expired: 401, garbage: 401 },
  openapi: { none: 200, secret: 200, stats: 200, events: 200, verify: 200, all: 200, revoked: 200, expired: 200, garbage: 200 },
};

const EXPECTED_CODE: Record<number, string[]> = { 401: ['unauthorized', 'key_expired'], 403: ['insufficient_scope'] };

beforeAll(async () => {
  api = await startTestApi('rest_scopes', { apiRateLimit: { perKey: 1000, windowMs: 60_000, exportsPerHour: 1000 } });
  const owner = await signedUpClient(api);
  const { siteId, secretKey } = await ownedSite(owner);
  await recordEvents(api.db, new Types.ObjectId(siteId), [
    { receivedAt: new Date(Date.now() - HOUR_MS), path: '/', verdict: 'trusted', score: 0.9 },
    { receivedAt: new Date(Date.now() - 30 * 60_000), path: '/blog', verdict: 'fraud', score: 0.1, reasons: [{ code: 'origin_missing', weight: -0.4 }] },
  ]);
  keys.secret = secretKey;
  keys.stats = (await seedRestrictedKey(api, siteId, ['stats:read'])).key;
  keys.events = (await seedRestrictedKey(api, siteId, ['events:read'])).key;
  keys.verify = (await seedRestrictedKey(api, siteId, ['verify'])).key;
  keys.all = (await seedRestrictedKey(api, siteId, ['stats:read', 'events:read', 'verify'])).key;
  keys.revoked = (await seedRestrictedKey(api, siteId, ['stats:read', 'events:read'], { revokedAt: new Date(Date.now() - 1000) })).key;
  keys.expired = (await seedRestrictedKey(api, siteId, ['stats:read', 'events:read'], { expiresAt: new Date(Date.now() - 1000) })).key;
  keys.garbage = 'rk_live_AAAAAAAAAAAAAAAA_' + 'A'.repeat(43);
  // Another site, with an event only it has.
  const other = await ownedSite(await signedUpClient(api), 'Other');
  otherSiteEventPath = '/only-on-the-other-site';
  await recordEvents(api.db, new Types.ObjectId(other.siteId), [{ receivedAt: new Date(Date.now() - HOUR_MS), path: otherSiteEventPath, verdict: 'trusted', score: 0.9 }]);
});

afterAll(async () => {
  await api?.close();
});

const rows = Object.entries(TABLE).flatMap(([endpoint, byCaller]) => Object.entries(byCaller).map(([caller, status]) => [endpoint, caller, status] as const));

describe('the scope table', () => {
  test.each(rows)('%s called with %s key answers %i', async (endpoint, caller, status) => {
    const res = await rest(api, ENDPOINTS[endpoint as keyof typeof ENDPOINTS], keys[caller]);
    expect(res.status).toBe(status);
    if (status >= 400) {
      expect(errorResponse.safeParse(res.body).success).toBe(true);
      expect(EXPECTED_CODE[status]).toContain(errorCode(res.body));
    }
  });

  test('an expired key is told so with its own code', async () => {
    const res = await rest(api, ENDPOINTS.aggregate, keys.expired);
    expect(errorCode(res.body)).toBe('key_expired');
    expect(res.headers.get('www-authenticate')).toContain('invalid_token');
  });
});

describe('answers', () => {
  test.each([
    ['aggregate', ENDPOINTS.aggregate, aggregateResponse],
    ['timeseries', ENDPOINTS.timeseries, timeseriesResponse],
    ['breakdown', ENDPOINTS.breakdown, breakdownResponse],
    ['events', ENDPOINTS.events, eventsResponse],
  ] as const)('%s matches its schema', async (_name, path, schema) => {
    const res = await rest(api, path, keys.all);
    expect(res.status).toBe(200);
    const parsed = schema.safeParse(res.body);
    expect(parsed.error?.issues ?? []).toEqual([]);
  });

  test('a key sees its own site only', async () => {
    const events = (await rest(api, '/events?limit=100', keys.all)).body as { items: Array<{ path: string }> };
    expect(events.items.map((e) => e.path).sort()).toEqual(['/', '/blog']);
    const exported = (await rest(api, ENDPOINTS.export, keys.all)).text;
    expect(exported).not.toContain(otherSiteEventPath);
    expect(exported.trim().split('\n')).toHaveLength(2);
  });

  test.each([
    ['an unknown parameter', '/stats/aggregate?perod=7d'],
    ['a custom range without an end', '/stats/aggregate?period=custom&from=2026-01-01T00:00:00Z'],
    ['hourly points over 30 days', '/stats/timeseries?period=30d&interval=hour'],
    ['an unknown breakdown', '/stats/breakdown?property=country'],
    ['a broken cursor', '/events?cursor=nope'],
    ['an export without a window', '/events/export'],
  ])('%s is invalid_request with the problem named', async (_name, path) => {
    const res = await rest(api, path, keys.all);
    expect(res.status).toBe(400);
    expect(errorCode(res.body)).toBe('invalid_request');
    expect((res.body as { error: { message: string } }).error.message.length).toBeGreaterThan(5);
  });

  test('an unknown endpoint is not_found, with the same error shape', async () => {
    const res = await rest(api, '/stats/nope', keys.all);
    expect(res.status).toBe(404);
    expect(errorCode(res.body)).toBe('not_found');
  });
});

describe('rate limits', () => {
  test('each key has its own window; past it 429 rate_limited with Retry-After; uses are counted per key', async () => {
    // The API's clock holds still: on a slow run a minute boundary fell between the third and the
    // fourth request, the window rolled over and the fourth was allowed (the limiter was right).
    const at = new Date();
    const limited = await startTestApi('rest_rate', { apiRateLimit: { perKey: 3, windowMs: 60_000, exportsPerHour: 1 } }, () => at);
    try {
      const owner = await signedUpClient(limited);
      const { siteId } = await ownedSite(owner);
      const a = await seedRestrictedKey(limited, siteId, ['stats:read', 'events:read']);
      const b = await seedRestrictedKey(limited, siteId, ['stats:read']);
      const statuses = [];
      for (let i = 0; i < 5; i++) statuses.push((await rest(limited, '/stats/aggregate', a.key)).status);
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      const refused = await rest(limited, '/stats/aggregate', a.key);
      expect(errorCode(refused.body)).toBe('rate_limited');
      expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
      expect(refused.headers.get('ratelimit-remaining')).toBe('0');
      // Another key of the same site is not affected.
      expect((await rest(limited, '/stats/aggregate', b.key)).status).toBe(200);
      await limited.api.close(); // flushes the use counts
      const usage = await limited.db.models.KeyUsage.findOne({ kid: a.kid }).lean();
      expect(usage).toMatchObject({ requests: 3, limited: 3 });
    } finally {
      await limited.db.dispose();
    }
  });
});
