import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { takeLease } from '@tagward/db';
import { DAY_MS, recordEvents } from './support/record-events.js';
import { enforceRetention } from '../src/services/retention.js';
import { signedUpClient, startTestApi, type TestApi, type TestClient } from './helpers.js';

let api: TestApi;
let owner: TestClient;
const NOW = new Date('2031-03-01T12:00:00Z');

beforeAll(async () => {
  api = await startTestApi('retention');
  owner = await signedUpClient(api);
});
afterAll(async () => {
  await api?.close();
});

const at = (daysAgo: number) => ({ receivedAt: new Date(NOW.getTime() - daysAgo * DAY_MS), path: '/', verdict: 'trusted' as const, score: 0.9 });

test('each site keeps its raw events for its own retention; hourly rollups two years longer; daily rollups stay', async () => {
  const short = (await owner.trpc.sites.create.mutate({ name: 'Short memory', mode: 'live' })).site.id;
  const usual = (await owner.trpc.sites.create.mutate({ name: 'Usual memory', mode: 'live' })).site.id;
  const updated = await owner.trpc.sites.updateSettings.mutate({ siteId: short, retentionMonths: 1 });
  expect(updated.retentionMonths).toBe(1);
  expect((await owner.trpc.sites.get.query({ siteId: usual })).retentionMonths).toBe(13);
  for (const siteId of [short, usual]) {
    await recordEvents(api.db, new Types.ObjectId(siteId), [at(5), at(40), at(400), at(1200)]);
  }
  const deleted = await enforceRetention(api.db, NOW);
  const kept = async (siteId: string) =>
    (await api.db.models.Event.find({ siteId: new Types.ObjectId(siteId) }, { receivedAt: 1 }).lean()).map((e) => Math.round((NOW.getTime() - e.receivedAt.getTime()) / DAY_MS)).sort((a, b) => a - b);
  expect(await kept(short)).toEqual([5]);
  // 13 months are about 396 days: the 400-day-old event goes too.
  expect(await kept(usual)).toEqual([5, 40]);
  expect(deleted.events).toBe(3 + 2);
  // Hourly rollups of the 1,200-day-old events are past 1 (or 13) + 24 months; the 400-day-old
  // ones of the usual site are not. Daily rollups are all still there.
  const hours = async (siteId: string) => (await api.db.models.HourlyRollup.find({ siteId: new Types.ObjectId(siteId) }, { hour: 1 }).lean()).length;
  expect(await hours(short)).toBe(3);
  expect(await hours(usual)).toBe(3);
  expect(await api.db.models.DailyRollup.countDocuments({ siteId: new Types.ObjectId(short) })).toBe(4);
});

test('the retention job runs in one API process at a time: the lease has one holder until it runs out', async () => {
  const now = new Date();
  expect(await takeLease(api.db, 'retention', 'process-a', 60_000, now)).toBe(true);
  expect(await takeLease(api.db, 'retention', 'process-b', 60_000, now)).toBe(false);
  expect(await takeLease(api.db, 'retention', 'process-a', 60_000, now)).toBe(true);
  expect(await takeLease(api.db, 'retention', 'process-b', 60_000, new Date(now.getTime() + 61_000))).toBe(true);
});
