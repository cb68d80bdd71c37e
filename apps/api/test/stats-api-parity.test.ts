/**
 * The Stats API gives the dashboard's numbers on the same data: totals, series, top pages,
 * reasons and checks, for each preset and a custom range, with and without suspect events.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { signedUpClient, startTestApi, type TestApi, type TestClient } from './helpers.js';
import { DAY_MS, HOUR_MS, recordEvents, type FakeEvent } from './support/record-events.js';
import { ownedSite, rest } from './support/integrations.js';

let api: TestApi;
let owner: TestClient;
let siteId: string;
let key: string;

const VERDICTS = ['trusted', 'suspect', 'fraud'] as const;

function traffic(now: number): FakeEvent[] {
  const events: FakeEvent[] = [];
  for (let i = 0; i < 400; i++) {
    const verdict = VERDICTS[i % 7 === 0 ? 2 : i % 3 === 0 ? 1 : 0]!;
    events.push({
      // Spread over 40 days, denser recently.
      receivedAt: new Date(now - Math.floor((i * i) / 4000) * DAY_MS - (i % 24) * HOUR_MS - 60_000),
      path: ['/', '/pricing', '/blog/a', '/blog/b', '/docs'][i % 5]!,
      verdict,
      score: verdict === 'trusted' ? 0.9 : verdict === 'suspect' ? 0.5 : 0.1,
      reasons: verdict === 'trusted' ? [] : [{ code: i % 2 ? 'origin_missing' : 'ua_headless', weight: -0.3 }],
      checks: [
        { id: 'title_present', pass: i % 4 !== 0 },
        { id: 'meta_description', pass: i % 5 !== 0 },
      ],
      tokenValid: i % 3 === 0,
    });
  }
  return events;
}

beforeAll(async () => {
  api = await startTestApi('stats_parity');
  owner = await signedUpClient(api);
  const site = await ownedSite(owner);
  siteId = site.siteId;
  key = site.secretKey;
  await recordEvents(api.db, new Types.ObjectId(siteId), traffic(Date.now()));
});

afterAll(async () => {
  await api?.close();
});

const customFrom = new Date(Date.now() - 12 * DAY_MS).toISOString();
const customTo = new Date(Date.now() - 2 * DAY_MS).toISOString();
const ranges = [
  { name: '24h', query: 'period=24h', trpc: { preset: '24h' as const } },
  { name: '7d', query: 'period=7d', trpc: { preset: '7d' as const } },
  { name: '30d', query: 'period=30d', trpc: { preset: '30d' as const } },
  { name: 'custom 10 days', query: `period=custom&from=${customFrom}&to=${customTo}`, trpc: { preset: 'custom' as const, from: customFrom, to: customTo } },
];
const cases = ranges.flatMap((r) => [true, false].map((includeSuspect) => [r.name, includeSuspect, r] as const));

describe.each(cases)('range %s, suspect counted: %s', (_name, includeSuspect, range) => {
  const query = `${range.query}${includeSuspect ? '&include=suspect' : ''}`;
  const dashboard = () => owner.trpc.stats.overview.query({ siteId, ...range.trpc, includeSuspect });

  test('aggregate equals the overview totals', async () => {
    const [overview, res] = await Promise.all([dashboard(), rest(api, `/stats/aggregate?${query}`, key)]);
    expect(res.body).toEqual({ range: { from: overview.range.from, to: overview.range.to, granularity: overview.range.granularity }, includeSuspect, totals: overview.totals });
    expect(overview.totals.all).toBeGreaterThan(0);
  });

  test('timeseries equals the overview series, and its days add up to the totals', async () => {
    const [overview, res, days] = await Promise.all([dashboard(), rest(api, `/stats/timeseries?${query}`, key), rest(api, `/stats/timeseries?${query}&interval=day`, key)]);
    const body = res.body as { points: Array<{ start: string; trusted: number; suspect: number; fraud: number; counted: number }> };
    expect(body.points.map(({ start, trusted, suspect, fraud }) => ({ start, trusted, suspect, fraud }))).toEqual(overview.series);
    const daily = (days.body as { points: Array<{ counted: number; all: number }> }).points;
    expect(daily.reduce((n, p) => n + p.counted, 0)).toBe(overview.totals.counted);
    expect(daily.reduce((n, p) => n + p.all, 0)).toBe(overview.totals.all);
  });

  test('breakdowns by verdict, reason and check equal the overview', async () => {
    const overview = await dashboard();
    const [verdict, reason, check] = await Promise.all(['verdict', 'reason', 'check'].map((p) => rest(api, `/stats/breakdown?${query}&property=${p}`, key)));
    expect((verdict!.body as { results: Array<{ value: string; count: number }> }).results.map((r) => [r.value, r.count])).toEqual(VERDICTS.map((v) => [v, overview.totals[v]]));
    expect((reason!.body as { results: unknown[] }).results).toEqual(overview.reasons.map((r) => ({ value: r.code, title: r.title, count: r.count })));
    expect((check!.body as { results: unknown[] }).results).toEqual(overview.checks.map((c) => ({ value: c.id, label: c.label, pass: c.pass, fail: c.fail, passRate: c.passRate })));
  });

  test('the path breakdown equals the top pages', async () => {
    const [top, res] = await Promise.all([owner.trpc.stats.topPages.query({ siteId, ...range.trpc, includeSuspect }), rest(api, `/stats/breakdown?${query}&property=path`, key)]);
    expect((res.body as { results: unknown[] }).results).toEqual(top.pages.map((p) => ({ value: p.path, counted: p.counted, trusted: p.trusted, suspect: p.suspect, fraud: p.fraud })));
  });
});

test('without include=suspect the API counts trusted only, as the dashboard with its toggle off', async () => {
  const res = (await rest(api, '/stats/aggregate?period=30d', key)).body as { totals: { counted: number; trusted: number; suspect: number } };
  expect(res.totals.counted).toBe(res.totals.trusted);
  expect(res.totals.suspect).toBeGreaterThan(0);
});
