import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { REASON_CODES } from '@tagward/trust';
import { codeOf, signedUpClient, startTestApi, type TestApi, type TestClient } from './helpers.js';
import { DAY_MS, HOUR_MS, recordEvents, type FakeEvent } from './support/record-events.js';
import { resolveRange } from '../src/services/stats.js';

const NOW = new Date('2030-06-15T12:30:00Z');
let api: TestApi;
let owner: TestClient;
let siteId: string;
let oid: Types.ObjectId;

const ev = (hoursAgo: number, over: Partial<FakeEvent> = {}): FakeEvent => ({
  receivedAt: new Date(NOW.getTime() - hoursAgo * HOUR_MS),
  path: '/',
  verdict: 'trusted',
  score: 0.95,
  checks: [
    { id: 'title', pass: true },
    { id: 'img_alt', pass: false, value: 50 },
  ],
  ...over,
});

beforeAll(async () => {
  api = await startTestApi('api_stats', {}, () => NOW);
  owner = await signedUpClient(api);
  ({ id: siteId } = (await owner.trpc.sites.create.mutate({ name: 'Stats', mode: 'live' })).site);
  oid = new Types.ObjectId(siteId);
});
afterAll(async () => {
  await api?.close();
});

describe('ranges', () => {
  test.each([
    ['24h', '2030-06-14T13:00:00.000Z', '2030-06-15T13:00:00.000Z', 'hour'],
    ['7d', '2030-06-08T13:00:00.000Z', '2030-06-15T13:00:00.000Z', 'hour'],
    ['30d', '2030-05-17T00:00:00.000Z', '2030-06-16T00:00:00.000Z', 'day'],
  ] as const)('preset %s covers %s to %s per %s', (preset, from, to, granularity) => {
    const range = resolveRange(NOW, preset);
    expect([range.from.toISOString(), range.to.toISOString(), range.granularity]).toEqual([from, to, granularity]);
  });

  test.each([
    ['2030-06-01T10:15:00Z', '2030-06-03T09:00:00Z', 'hour', '2030-06-01T10:00:00.000Z', '2030-06-03T09:00:00.000Z'],
    ['2030-05-01T10:15:00Z', '2030-06-01T10:00:00Z', 'day', '2030-05-01T00:00:00.000Z', '2030-06-02T00:00:00.000Z'],
  ] as const)('a custom range %s – %s is drawn per %s, aligned outwards', (from, to, granularity, alignedFrom, alignedTo) => {
    const range = resolveRange(NOW, 'custom', { from: new Date(from), to: new Date(to) });
    expect([range.granularity, range.from.toISOString(), range.to.toISOString()]).toEqual([granularity, alignedFrom, alignedTo]);
  });
});

describe('overview', () => {
  test('a site with no beacons yet says so, so the dashboard can show the install steps', async () => {
    const overview = await owner.trpc.stats.overview.query({ siteId, preset: '24h' });
    expect(overview).toMatchObject({ empty: true, everReceived: false, totals: { all: 0 } });
    expect(overview.series).toHaveLength(24);
  });

  test('totals, series, histogram, checks, reasons and top pages come from the rollups', async () => {
    await recordEvents(api.db, oid, [
      ev(1, { path: '/a', tokenValid: true }),
      ev(1, { path: '/a' }),
      ev(2, { path: '/b', verdict: 'suspect', score: 0.55, reasons: [{ code: 'referrer_absent', weight: -0.1 }] }),
      ev(2, { path: '/b', verdict: 'fraud', score: 0.05, reasons: [{ code: 'origin_not_allowed', weight: -0.6 }, { code: 'referrer_absent', weight: -0.1 }] }),
      ev(30, { path: '/old', attestationCohort: true }),
    ]);
    const overview = await owner.trpc.stats.overview.query({ siteId, preset: '24h', includeSuspect: true });
    expect(overview.totals).toEqual({ all: 4, trusted: 2, suspect: 1, fraud: 1, counted: 3, quarantined: 1, tokens: 1, cohort: 0 });
    expect(overview.series.reduce((n, p) => n + p.trusted + p.suspect + p.fraud, 0)).toBe(4);
    const elevenToTwelve = overview.series.find((p) => p.start === '2030-06-15T11:00:00.000Z');
    expect(elevenToTwelve).toEqual({ start: '2030-06-15T11:00:00.000Z', trusted: 2, suspect: 0, fraud: 0 });
    expect(overview.scoreHistogram.map((b) => b.count)).toEqual([1, 0, 0, 0, 0, 1, 0, 0, 0, 2]);
    expect(overview.checks).toEqual([
      { id: 'img_alt', label: 'Every image has alt text', pass: 0, fail: 4, passRate: 0 },
      { id: 'title', label: 'Page has a title', pass: 4, fail: 0, passRate: 1 },
    ]);
    expect(overview.reasons).toEqual([
      { code: 'referrer_absent', title: REASON_CODES.referrer_absent.title, count: 2 },
      { code: 'origin_not_allowed', title: REASON_CODES.origin_not_allowed.title, count: 1 },
    ]);
    expect((await owner.trpc.stats.topPages.query({ siteId, preset: '24h', includeSuspect: true })).pages).toEqual([
      { path: '/a', counted: 2, trusted: 2, suspect: 0, fraud: 0 },
      { path: '/b', counted: 1, trusted: 0, suspect: 1, fraud: 1 },
    ]);
    expect(overview.empty).toBe(false);
  });

  test('excluding suspect events moves them from the headline to the quarantine', async () => {
    const overview = await owner.trpc.stats.overview.query({ siteId, preset: '24h', includeSuspect: false });
    expect(overview.totals).toMatchObject({ counted: 2, quarantined: 2 });
    const top = await owner.trpc.stats.topPages.query({ siteId, preset: '24h', includeSuspect: false });
    expect(top.pages.find((p) => p.path === '/b')).toMatchObject({ counted: 0, suspect: 1, fraud: 1 });
  });

  test('30 days read the daily rollups, one point per day', async () => {
    const overview = await owner.trpc.stats.overview.query({ siteId, preset: '30d' });
    expect(overview.series).toHaveLength(30);
    expect(overview.totals.all).toBe(5);
    expect(overview.series.at(-1)).toEqual({ start: '2030-06-15T00:00:00.000Z', trusted: 2, suspect: 1, fraud: 1 });
    expect(overview.series.at(-2)).toEqual({ start: '2030-06-14T00:00:00.000Z', trusted: 1, suspect: 0, fraud: 0 });
    expect((await owner.trpc.stats.topPages.query({ siteId, preset: '30d' })).pages.map((p) => p.path)).toEqual(['/a', '/b', '/old']);
  });

  test('a custom range must end after it starts', async () => {
    expect(await codeOf(owner.trpc.stats.overview.query({ siteId, preset: 'custom', from: '2030-06-02T00:00:00Z', to: '2030-06-01T00:00:00Z' }))).toBe('BAD_REQUEST');
    expect(await codeOf(owner.trpc.stats.overview.query({ siteId, preset: 'custom' }))).toBe('BAD_REQUEST');
  });

  test('the integration status counts the last 24 hours', async () => {
    const status = await owner.trpc.sites.integrationStatus.query({ siteId });
    expect(status).toMatchObject({ beacons24h: 4, tokens24h: 1, cohort24h: 0, verdicts24h: { trusted: 2, suspect: 1, fraud: 1 } });
    expect(status.lastBeaconHour).toBe('2030-06-15T11:00:00.000Z');
  });
});

describe('events explorer', () => {
  let exploreSite: string;
  let ids: Types.ObjectId[];
  beforeAll(async () => {
    exploreSite = (await owner.trpc.sites.create.mutate({ name: 'Explore', mode: 'live' })).site.id;
    const events: FakeEvent[] = [];
    for (let i = 0; i < 25; i++) {
      events.push(
        ev(i / 4, {
          path: i % 2 ? '/blog/post-' + i : '/shop',
          verdict: i % 5 === 0 ? 'fraud' : 'trusted',
          score: i % 5 === 0 ? 0.1 : 0.9,
          reasons: i % 5 === 0 ? [{ code: 'page_token_replayed', weight: -0.7, detail: 'nonce seen before' }, { code: 'referrer_absent', weight: -0.1 }] : [{ code: 'page_token_valid', weight: 0.3 }],
        }),
      );
    }
    // Three events in the very same millisecond: pagination must not lose or repeat any.
    for (let i = 0; i < 3; i++) events.push(ev(10, { path: '/same-ms' }));
    ids = await recordEvents(api.db, new Types.ObjectId(exploreSite), events);
  });

  test('pages walk every event once, newest first, including ties on the timestamp', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let times: number[] = [];
    do {
      const page = await owner.trpc.events.list.query({ siteId: exploreSite, limit: 4, cursor });
      seen.push(...page.items.map((e) => e.id));
      times = times.concat(page.items.map((e) => Date.parse(e.receivedAt)));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toHaveLength(28);
    expect(new Set(seen).size).toBe(28);
    expect(new Set(seen)).toEqual(new Set(ids.map((id) => id.toHexString())));
    expect(times).toEqual([...times].sort((a, b) => b - a));
  });

  test.each([
    [{ verdict: 'fraud' as const }, 5],
    [{ reason: 'page_token_replayed' }, 5],
    [{ path: '/blog' }, 12],
    [{ path: '/blog/post-1' }, 6],
    [{ path: '.*' }, 0],
    [{ verdict: 'fraud' as const, path: '/shop' }, 3],
    [{ from: new Date(NOW.getTime() - 2 * HOUR_MS).toISOString() }, 9],
    [{ to: new Date(NOW.getTime() - 2 * HOUR_MS).toISOString() }, 19],
  ])('filter %j finds %i events', async (filter, count) => {
    const page = await owner.trpc.events.list.query({ siteId: exploreSite, limit: 100, ...filter });
    expect(page.items).toHaveLength(count);
  });

  test('a list row names the reasons that lowered the score, in words', async () => {
    const page = await owner.trpc.events.list.query({ siteId: exploreSite, verdict: 'fraud', limit: 1 });
    expect(page.items[0]?.reasons).toEqual([
      { code: 'page_token_replayed', title: REASON_CODES.page_token_replayed.title },
      { code: 'referrer_absent', title: REASON_CODES.referrer_absent.title },
    ]);
  });

  test('the detail page explains every reason and every signal', async () => {
    const page = await owner.trpc.events.list.query({ siteId: exploreSite, verdict: 'fraud', limit: 1 });
    const detail = await owner.trpc.events.get.query({ siteId: exploreSite, eventId: page.items[0]!.id });
    expect(detail.reasons[0]).toEqual({
      code: 'page_token_replayed',
      weight: -0.7,
      detail: 'nonce seen before',
      title: REASON_CODES.page_token_replayed.title,
      description: REASON_CODES.page_token_replayed.description,
      forgery: REASON_CODES.page_token_replayed.forgery,
      kind: 'penalty',
    });
    const origin = detail.signals.find((g) => g.group === 'origin');
    expect(origin?.title).toBe('Origin header');
    expect(origin?.items.find((i) => i.key === 'origin.status')).toMatchObject({ label: 'Allowlist check', value: 'allowed' });
    expect(detail.checks).toContainEqual({ id: 'img_alt', label: 'Every image has alt text', pass: false, value: '50' });
  });

  test('an event re-scored in hindsight shows what it was, when and why it changed', async () => {
    const [plain, revisedId] = await recordEvents(api.db, new Types.ObjectId(exploreSite), [ev(2), ev(2, { verdict: 'suspect', score: 0.45 })]);
    const at = new Date(NOW.getTime() - HOUR_MS);
    await api.db.models.Event.updateOne(
      { _id: revisedId },
      { $set: { 'signals.cadence.later': { eventId: 'later-beacon' }, 'signals.cadence.network': { lastSecond: 20, lastTenSeconds: 31, lastMinute: 40 }, revision: { at, by: 'later-beacon', before: { score: 0.75, verdict: 'trusted', reasons: [], signals: {} } } } },
    );
    const detail = await owner.trpc.events.get.query({ siteId: exploreSite, eventId: revisedId!.toHexString() });
    expect(detail.revision).toEqual({ at: at.toISOString(), by: 'later-beacon', before: { verdict: 'trusted', score: 0.75 } });
    const cadence = detail.signals.find((g) => g.group === 'cadence');
    expect(cadence?.items.find((i) => i.key === 'cadence.later')).toMatchObject({ label: 'Figures of a later beacon', value: 'beacon later-beacon' });
    expect(cadence?.items.find((i) => i.key === 'cadence.network')).toMatchObject({
      label: 'Other addresses of this network',
      value: '20 in 1 s · 31 in 10 s · 40 in 1 min',
    });
    expect((await owner.trpc.events.get.query({ siteId: exploreSite, eventId: plain!.toHexString() })).revision).toBeNull();
  });

  test('an event stored with two results for one check id, and a check id `constructor`, still shows: one row per id, plain labels', async () => {
    const [id] = await recordEvents(api.db, new Types.ObjectId(exploreSite), [
      ev(1, { checks: [{ id: 'title', pass: true }, { id: 'title', pass: false }, { id: 'constructor', pass: true }, { id: '__proto__', pass: false }] }),
    ]);
    const detail = await owner.trpc.events.get.query({ siteId: exploreSite, eventId: id!.toHexString() });
    expect(detail.checks.map((c) => c.id)).toEqual(['title', 'constructor', '__proto__']);
    expect(detail.checks.map((c) => c.label)).toEqual(['Page has a title', 'constructor', '  proto  ']);
    expect(detail.checks.every((c) => typeof c.label === 'string')).toBe(true);
  });

  test('a forged cursor is refused with a readable message', async () => {
    expect(await codeOf(owner.trpc.events.list.query({ siteId: exploreSite, cursor: 'bm90IGEgY3Vyc29y' }))).toBe('BAD_REQUEST');
  });

  test('an event id from another site reads as not found', async () => {
    expect(await codeOf(owner.trpc.events.get.query({ siteId, eventId: ids[0]!.toHexString() }))).toBe('NOT_FOUND');
  });

  test('the reason catalogue for the filter comes from the trust engine', async () => {
    const codes = await owner.trpc.events.reasonCodes.query();
    expect(codes.map((c) => c.code)).toEqual(Object.keys(REASON_CODES));
  });
});

test('day arithmetic used by the fixtures matches the service', () => {
  expect(DAY_MS).toBe(24 * HOUR_MS);
});
