import net from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import {
  SITE_ORIGIN,
  beaconPayload,
  chromiumBeaconHeaders,
  mintAgedToken,
  postBeacon,
  seedSite,
  startTestBeacon,
  type TestBeacon,
  type TestSite,
} from './helpers.js';

let t: TestBeacon;
let site: TestSite;

beforeAll(async () => {
  t = await startTestBeacon('collect', { visitorLimitPerWindow: 1000 });
  site = await seedSite(t.db, t.masterKey);
});
afterAll(async () => {
  await t?.close();
});

async function storedCount(eventId: string): Promise<number> {
  return t.db.models.Event.countDocuments({ eventId });
}

describe('a beacon from a real page view', () => {
  test('is answered 200 with its id only after it is stored, scored and counted in the rollups', async () => {
    const payload = beaconPayload(site.publicKey);
    const res = await postBeacon(t.url, JSON.stringify(payload));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ id: payload.id });
    const event = await t.db.models.Event.findOne({ eventId: payload.id }).lean();
    expect(event).toMatchObject({
      page: { url: payload.url, path: '/products/widget', referrer: '' },
      verdict: 'trusted',
      rulesVersion: 0,
    });
    expect(event!.score).toBeGreaterThan(0.5);
    expect(JSON.stringify(event)).not.toContain('127.0.0.1');
    await t.beacon.writer.drain();
    const rollup = await t.db.models.HourlyRollup.findOne({ siteId: event!.siteId }).lean();
    expect(rollup?.total).toBeGreaterThanOrEqual(1);
    expect(rollup?.checks).toMatchObject({ title_present: { pass: expect.any(Number) }, img_alt: { fail: expect.any(Number) } });
  });

  test('a retry with the same idempotency id is stored and counted once', async () => {
    const payload = beaconPayload(site.publicKey);
    const body = JSON.stringify(payload);
    const first = await postBeacon(t.url, body);
    await t.beacon.writer.drain();
    const before = await t.db.models.PathRollup.findOne({ path: '/products/widget' }).lean();
    const second = await postBeacon(t.url, body);
    await t.beacon.writer.drain();
    expect([first.status, second.status]).toEqual([200, 200]);
    expect(await storedCount(payload.id)).toBe(1);
    const after = await t.db.models.PathRollup.findOne({ path: '/products/widget' }).lean();
    expect(after?.total).toBe(before?.total);
  });

  test('a valid page token is accepted once; its replay is stored as fraud', async () => {
    const token = await mintAgedToken(site);
    const first = beaconPayload(site.publicKey, { token });
    const replay = beaconPayload(site.publicKey, { token });
    expect((await postBeacon(t.url, JSON.stringify(first))).status).toBe(200);
    expect((await postBeacon(t.url, JSON.stringify(replay))).status).toBe(200);
    const a = await t.db.models.Event.findOne({ eventId: first.id }).lean();
    const b = await t.db.models.Event.findOne({ eventId: replay.id }).lean();
    expect(a).toMatchObject({ verdict: 'trusted', tokenValid: true });
    expect(b).toMatchObject({ verdict: 'fraud', tokenValid: false });
    expect(b!.reasons.map((r: { code: string }) => r.code)).toContain('page_token_replayed');
  });

  test('the same beacon retried with its token is not mistaken for a replay', async () => {
    const token = await mintAgedToken(site);
    const payload = beaconPayload(site.publicKey, { token });
    // A visitor of its own: the tests before this one sent a burst from 127.0.0.1 (cadence_burst).
    const from = { localAddress: '127.0.5.1' };
    // Simulate "token spent, then the write failed": spend through a first request whose event we delete.
    expect((await postBeacon(t.url, JSON.stringify(payload), undefined, from)).status).toBe(200);
    await t.db.models.Event.deleteOne({ eventId: payload.id });
    expect((await postBeacon(t.url, JSON.stringify(payload), undefined, from)).status).toBe(200);
    const event = await t.db.models.Event.findOne({ eventId: payload.id }).lean();
    expect(event).toMatchObject({ tokenValid: true, verdict: 'trusted' });
    expect(event!.reasons.map((r: { code: string }) => r.code)).not.toContain('page_token_replayed');
  });

  test('a beacon from an origin outside the allowlist is stored, quarantined as fraud', async () => {
    const payload = beaconPayload(site.publicKey, { url: 'https://copycat.example/' });
    const res = await postBeacon(t.url, JSON.stringify(payload), chromiumBeaconHeaders('https://copycat.example', 'https://copycat.example/'));
    expect(res.status).toBe(200);
    expect(await t.db.models.Event.findOne({ eventId: payload.id }).lean()).toMatchObject({ verdict: 'fraud' });
  });

  test('a curl request forging the Origin header is not trusted', async () => {
    const payload = beaconPayload(site.publicKey);
    const res = await postBeacon(t.url, JSON.stringify(payload), {
      'User-Agent': 'curl/8.5.0',
      Accept: '*/*',
      Origin: SITE_ORIGIN,
      'Content-Type': 'text/plain',
    });
    expect(res.status).toBe(200);
    const event = await t.db.models.Event.findOne({ eventId: payload.id }).lean();
    expect(event?.verdict).not.toBe('trusted');
  });

  test('application/json beacons get a CORS preflight answer', async () => {
    const res = await fetch(`${t.url}/v1/collect`, {
      method: 'OPTIONS',
      headers: { Origin: SITE_ORIGIN, 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get('access-control-allow-origin')).toBe('*');
    expect(res.headers.get('access-control-allow-headers')).toContain('content-type');
  });
});

const big = 'x'.repeat(20_000);
const nested = '['.repeat(5000) + ']'.repeat(5000);

describe('hostile input', () => {
  const cases: Array<[string, () => string | Buffer, number, string, Record<string, string>?]> = [
    ['truncated JSON', () => JSON.stringify(beaconPayload(site.publicKey)).slice(0, 40), 400, 'malformed_body'],
    ['not JSON at all', () => 'hello', 400, 'malformed_body'],
    ['wrong types', () => JSON.stringify({ ...beaconPayload(site.publicKey), seq: 'one' }), 400, 'invalid_payload'],
    ['a huge string', () => JSON.stringify({ ...beaconPayload(site.publicKey), url: big }), 413, 'body_too_large'],
    ['a long but in-cap string', () => JSON.stringify({ ...beaconPayload(site.publicKey), url: `https://shop.example/${'a'.repeat(5000)}` }), 400, 'invalid_payload'],
    ['deep nesting', () => nested, 400, 'invalid_payload'],
    ['invalid UTF-8', () => Buffer.concat([Buffer.from('{"v":1,"key":"'), Buffer.from([0xc3, 0x28]), Buffer.from('"}')]), 400, 'malformed_body'],
    ['a __proto__ key', () => JSON.stringify(beaconPayload(site.publicKey)).replace('{', '{"__proto__":{"admin":true},'), 400, 'invalid_payload'],
    ['a constructor key', () => JSON.stringify({ ...beaconPayload(site.publicKey), constructor: { prototype: 1 } }), 400, 'invalid_payload'],
    ['a NUL byte in a string', () => JSON.stringify({ ...beaconPayload(site.publicKey), ref: 'a\u0000b' }), 400, 'invalid_payload'],
    ['a raw NUL byte', () => Buffer.from('{"v":1,\u0000}'), 400, 'malformed_body'],
    ['a 1 MB body', () => Buffer.alloc(1024 * 1024, 0x61), 413, 'body_too_large'],
    ['an unknown key', () => JSON.stringify(beaconPayload('pk_live_ZZZZZZZZZZZZZZZZZZZZ')), 401, 'unknown_key'],
    ['a javascript: page URL', () => JSON.stringify({ ...beaconPayload(site.publicKey), url: 'javascript:alert(1)' }), 400, 'invalid_payload'],
    ['two results for one check id', () => JSON.stringify({ ...beaconPayload(site.publicKey), checks: [{ id: 'title', pass: true }, { id: 'title', pass: false }] }), 400, 'invalid_payload'],
    ['a check id that would become a $ key', () => JSON.stringify({ ...beaconPayload(site.publicKey), checks: [{ id: '$where', pass: true }] }), 400, 'invalid_payload'],
    ['a form content type', () => JSON.stringify(beaconPayload(site.publicKey)), 415, 'unsupported_media_type', { 'Content-Type': 'application/x-www-form-urlencoded' }],
  ];

  test.each(cases)('%s gets its 4xx and stores nothing', async (_name, body, status, code, headers) => {
    const before = await t.db.models.Event.countDocuments();
    const res = await postBeacon(t.url, body(), { ...chromiumBeaconHeaders(), ...headers });
    expect(res.status).toBe(status);
    expect(res.body.error?.code).toBe(code);
    expect(await t.db.models.Event.countDocuments()).toBe(before);
    const health = await fetch(`${t.url}/healthz`);
    expect(health.status).toBe(200);
  });

  test('a body trickled slower than the timeout is cut off and the server stays up', async () => {
    const slow = await startTestBeacon('collect_slow', { bodyTimeoutMs: 300 }, t.db);
    try {
      const port = new URL(slow.url).port;
      const reply = await new Promise<string>((resolve) => {
        const socket = net.connect(Number(port), '127.0.0.1', () => {
          socket.write(`POST /v1/collect HTTP/1.1\r\nHost: x\r\nContent-Type: text/plain\r\nContent-Length: 500\r\n\r\n{"v":`);
        });
        let data = '';
        socket.on('data', (chunk) => (data += chunk.toString()));
        socket.on('close', () => resolve(data));
        socket.on('error', () => resolve(data));
      });
      expect(reply).toMatch(/^HTTP\/1\.1 408/);
      expect(reply).toContain('request_timeout');
      expect((await fetch(`${slow.url}/healthz`)).status).toBe(200);
    } finally {
      await slow.close();
    }
  });
});

describe('limits and operations', () => {
  test('a visitor over the per-visitor limit gets 429 with Retry-After', async () => {
    // A fixed clock (in the future, past the TTL of anything it writes): one window, whenever it runs.
    const limited = await startTestBeacon('collect_limit', { visitorLimitPerWindow: 5 }, t.db, undefined, () => Date.parse('2030-06-01T12:00:30Z'));
    try {
      const statuses: number[] = [];
      let retryAfter: string | string[] | undefined;
      for (let i = 0; i < 8; i++) {
        const res = await postBeacon(limited.url, JSON.stringify(beaconPayload(site.publicKey)));
        statuses.push(res.status);
        if (res.status === 429) {
          retryAfter = res.headers['retry-after'];
          expect(res.body.error?.code).toBe('rate_limited');
        }
      }
      expect(statuses).toEqual([200, 200, 200, 200, 200, 429, 429, 429]);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    } finally {
      await limited.close();
    }
  });

  test('health and readiness answer on the public port; metrics do not, and count rejections by reason', async () => {
    expect((await fetch(`${t.url}/healthz`)).status).toBe(200);
    const ready = await fetch(`${t.url}/readyz`);
    expect(ready.status).toBe(200);
    // The counters tell which forgeries pass: never on the public port (metrics-server.test.ts).
    expect((await fetch(`${t.url}/metrics`)).status).toBe(404);
    const metrics = await t.beacon.metrics.registry.metrics();
    expect(metrics).toMatch(/tagward_beacon_requests_total\{status="400",code="malformed_body"\} [1-9]/);
    expect(metrics).toMatch(/tagward_beacon_requests_total\{status="200",code="accepted"\} [1-9]/);
    expect(metrics).toContain('tagward_beacon_batch_size_bucket');
    expect(metrics).toContain('tagward_beacon_flush_seconds_bucket');
  });
});

describe('single-page apps', () => {
  test('a soft navigation (seq > 0) with the fresh token the app pushed scores the token as valid', async () => {
    const first = beaconPayload(site.publicKey, { token: await mintAgedToken(site), seq: 0 });
    const next = beaconPayload(site.publicKey, { token: await mintAgedToken(site), seq: 1 });
    expect((await postBeacon(t.url, JSON.stringify(first))).status).toBe(200);
    expect((await postBeacon(t.url, JSON.stringify(next))).status).toBe(200);
    const stored = await t.db.models.Event.findOne({ eventId: next.id }).lean();
    expect((stored?.signals as { token: { status: string } }).token.status).toBe('valid');
    expect(stored?.spentNonces).toHaveLength(1);
  });

  test.each([
    ['as the first beacon of a new page view (seq 0)', 0],
    ['as another soft navigation (seq 2)', 2],
  ])("a soft navigation's token sent again %s is a replay", async (_label, seq) => {
    const token = await mintAgedToken(site);
    const navigation = beaconPayload(site.publicKey, { token, seq: 1 });
    expect((await postBeacon(t.url, JSON.stringify(navigation))).status).toBe(200);
    const replay = beaconPayload(site.publicKey, { token, seq });
    expect((await postBeacon(t.url, JSON.stringify(replay))).status).toBe(200);
    const stored = await t.db.models.Event.findOne({ eventId: replay.id }).lean();
    expect((stored?.signals as { token: { status: string } }).token.status).toBe('replayed');
    expect(stored?.reasons.map((r: { code: string }) => r.code)).toContain('page_token_replayed');
    expect(stored?.verdict).toBe('fraud');
  });

  test('the same beacon retried (same id, same token) is stored once and is not a replay', async () => {
    const payload = beaconPayload(site.publicKey, { token: await mintAgedToken(site), seq: 1 });
    const [a, b] = await Promise.all([postBeacon(t.url, JSON.stringify(payload)), postBeacon(t.url, JSON.stringify(payload))]);
    expect([a.status, b.status]).toEqual([200, 200]);
    const stored = await t.db.models.Event.find({ eventId: payload.id }).lean();
    expect(stored).toHaveLength(1);
    expect((stored[0]?.signals as { token: { status: string } }).token.status).toBe('valid');
  });

});
