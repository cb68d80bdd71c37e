/**
 * Exports: the rows and columns of CSV and NDJSON, the window and verdict filters, CSV injection
 * neutralised, and the dashboard's download route (session cookie, site members only).
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { parse } from 'csv-parse/sync';
import { addMemberByInvitation, signedUpClient, startTestApi, type TestApi, type TestClient } from './helpers.js';
import { HOUR_MS, recordEvents } from './support/record-events.js';
import { errorCode, ownedSite, rest } from './support/integrations.js';
import { CSV_COLUMNS } from '../src/services/exports.js';

let api: TestApi;
let owner: TestClient;
let siteId: string;
let key: string;
const t0 = Date.now() - 10 * HOUR_MS;

beforeAll(async () => {
  api = await startTestApi('exports', { apiRateLimit: { perKey: 1000, windowMs: 60_000, exportsPerHour: 1000 } });
  owner = await signedUpClient(api);
  ({ siteId, secretKey: key } = await ownedSite(owner));
  await recordEvents(api.db, new Types.ObjectId(siteId), [
    { receivedAt: new Date(t0 + 1 * HOUR_MS), path: '/a,b "quoted"', verdict: 'trusted', score: 0.9, checks: [{ id: 'title_present', pass: true }] },
    { receivedAt: new Date(t0 + 2 * HOUR_MS), path: '=HYPERLINK("http://evil.example")', verdict: 'fraud', score: 0.05, reasons: [{ code: 'origin_missing', weight: -0.4 }, { code: 'token_valid', weight: 0.1 }], checks: [{ id: 'title_present', pass: false }] },
    { receivedAt: new Date(t0 + 3 * HOUR_MS), path: '/line\nbreak', verdict: 'suspect', score: 0.5 },
    { receivedAt: new Date(t0 + 20 * HOUR_MS), path: '/outside-the-window', verdict: 'trusted', score: 0.9 },
  ]);
});

afterAll(async () => {
  await api?.close();
});

const window = (over = '') => `from=${new Date(t0).toISOString()}&to=${new Date(t0 + 5 * HOUR_MS).toISOString()}${over}`;

describe('the REST export', () => {
  test('CSV: a header row, then the window\'s events newest first, quoted per RFC 4180, formulas neutralised', async () => {
    const res = await rest(api, `/events/export?format=csv&${window()}`, key);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="tagward-shop-events-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv"$/);
    const rows = parse(res.text) as string[][];
    expect(rows[0]).toEqual([...CSV_COLUMNS]);
    expect(rows.slice(1).map((r) => r[4])).toEqual(['/line\nbreak', `'=HYPERLINK("http://evil.example")`, '/a,b "quoted"']);
    const fraud = Object.fromEntries(CSV_COLUMNS.map((c, i) => [c, rows[2]![i]]));
    expect(fraud).toMatchObject({ verdict: 'fraud', score: '0.05', reasons: 'origin_missing', failed_checks: 'title_present', token_valid: 'false' });
  });

  test('NDJSON: one JSON object per line, with every reason', async () => {
    const res = await rest(api, `/events/export?format=ndjson&${window()}`, key);
    expect(res.headers.get('content-type')).toBe('application/x-ndjson; charset=utf-8');
    const lines = res.text.trimEnd().split('\n').map((l) => JSON.parse(l) as { page: { path: string }; reasons: unknown[]; verdict: string });
    expect(lines.map((l) => l.page.path)).toEqual(['/line\nbreak', '=HYPERLINK("http://evil.example")', '/a,b "quoted"']);
    expect(lines[1]!.reasons).toEqual([
      { code: 'origin_missing', weight: -0.4, detail: '' },
      { code: 'token_valid', weight: 0.1, detail: '' },
    ]);
  });

  test('the verdict filter', async () => {
    const res = await rest(api, `/events/export?format=ndjson&${window('&verdict=suspect')}`, key);
    expect(res.text.trimEnd().split('\n').map((l) => (JSON.parse(l) as { verdict: string }).verdict)).toEqual(['suspect']);
  });

  test('an empty window is a header only', async () => {
    const res = await rest(api, `/events/export?format=csv&from=2020-01-01T00:00:00Z&to=2020-01-02T00:00:00Z`, key);
    expect(parse(res.text)).toEqual([[...CSV_COLUMNS]]);
  });

  test('exports have their own hourly limit per key', async () => {
    // The clock holds still: the hourly export window cannot roll over mid-test.
    const at = new Date();
    const tight = await startTestApi('exports_limit', { apiRateLimit: { perKey: 1000, windowMs: 60_000, exportsPerHour: 2 } }, () => at);
    try {
      const o = await signedUpClient(tight);
      const site = await ownedSite(o);
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await rest(tight, `/events/export?${window()}`, site.secretKey)).status);
      expect(statuses).toEqual([200, 200, 429]);
      expect((await rest(tight, '/events?limit=1', site.secretKey)).status).toBe(200);
    } finally {
      await tight.close();
    }
  });
});

describe('the dashboard download', () => {
  const download = (client: TestClient | null, id: string, query: string, headers: Record<string, string> = {}) =>
    fetch(`${api.url}/exports/sites/${id}/events?${query}`, {
      headers: { ...(client ? { cookie: [...client.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}), ...headers },
    });

  test('a member downloads with the session cookie; the same rows as the API', async () => {
    const [viaCookie, viaKey] = await Promise.all([download(owner, siteId, `format=ndjson&${window()}`), rest(api, `/events/export?format=ndjson&${window()}`, key)]);
    expect(viaCookie.status).toBe(200);
    expect(await viaCookie.text()).toBe(viaKey.text);
  });

  test('a viewer may export too (they can read the events anyway)', async () => {
    const viewer = await signedUpClient(api);
    await addMemberByInvitation(owner, siteId, viewer, 'viewer');
    expect((await download(viewer, siteId, window())).status).toBe(200);
  });

  test.each([
    ['no session', null, 401, 'unauthorized'],
    ['another tenant', 'stranger', 404, 'not_found'],
  ] as const)('%s is refused (%i)', async (_name, who, status, code) => {
    const client = who === 'stranger' ? await signedUpClient(api) : null;
    const res = await download(client, siteId, window());
    expect(res.status).toBe(status);
    expect(errorCode(await res.json())).toBe(code);
  });

  test('a download started from another site is refused', async () => {
    const res = await download(owner, siteId, window(), { 'sec-fetch-site': 'cross-site' });
    expect(res.status).toBe(401);
  });

  test('a bad window is invalid_request', async () => {
    const res = await download(owner, siteId, 'from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z');
    expect(res.status).toBe(400);
    expect(errorCode(await res.json())).toBe('invalid_request');
  });
});
