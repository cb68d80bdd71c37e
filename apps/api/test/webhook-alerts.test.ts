/**
 * fraud.spike and integration.silent: raised from the rollups when the site's threshold is
 * crossed, once per crossing, re-armed when the condition ends; only for sites with an endpoint
 * subscribed to them.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { signedUpClient, startTestApi, type TestApi, type TestClient } from './helpers.js';
import { HOUR_MS, recordEvents, type FakeEvent } from './support/record-events.js';
import { FAST_WEBHOOKS, ownedSite } from './support/integrations.js';
import { sweepAlerts } from '../src/services/webhooks/alerts.js';

let api: TestApi;
let owner: TestClient;

beforeAll(async () => {
  // The worker is off: this test runs the sweep itself, with its own clock.
  api = await startTestApi('webhook_alerts', { webhooks: { ...FAST_WEBHOOKS, worker: 'off' } });
  owner = await signedUpClient(api);
});
afterAll(async () => {
  await api?.close();
});

const events = (n: number, verdict: FakeEvent['verdict'], at: number): FakeEvent[] =>
  Array.from({ length: n }, (_, i) => ({ receivedAt: new Date(at + i), path: '/', verdict, score: verdict === 'trusted' ? 0.9 : 0.1 }));

async function outbox(siteId: string, type: string) {
  return api.db.models.WebhookEvent.find({ siteId: new Types.ObjectId(siteId), type }).sort({ createdAt: 1 }).lean();
}

async function subscribedSite(name: string) {
  const { siteId } = await ownedSite(owner, name);
  await owner.trpc.webhooks.create.mutate({ siteId, url: 'http://127.0.0.1:9/hooks', events: ['fraud.spike', 'integration.silent'] });
  return siteId;
}

test('fraud.spike fires once when the quarantined share crosses the threshold, and again only after it fell back', async () => {
  const siteId = await subscribedSite('Spiky');
  await owner.trpc.webhooks.saveAlertSettings.mutate({ siteId, fraudSpikePct: 30, fraudSpikeWindowHours: 1, fraudSpikeMinEvents: 50, silentHours: 6 });
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const now = new Date(hour + 30 * 60_000);
  const id = new Types.ObjectId(siteId);
  await recordEvents(api.db, id, [...events(30, 'trusted', hour), ...events(10, 'suspect', hour), ...events(10, 'fraud', hour)]);
  await sweepAlerts(api.db, now);
  await sweepAlerts(api.db, now);
  const raised = await outbox(siteId, 'fraud.spike');
  expect(raised).toHaveLength(1);
  expect(raised[0]!.data).toMatchObject({ total: 50, quarantined: 20, suspect: 10, fraud: 10, sharePct: 40, thresholdPct: 30, window: { hours: 1 } });
  // Diluted below 30%: lowered, no event.
  await recordEvents(api.db, id, events(30, 'trusted', hour + 1000));
  await sweepAlerts(api.db, now);
  expect(await outbox(siteId, 'fraud.spike')).toHaveLength(1);
  // Up again: a second event.
  await recordEvents(api.db, id, events(40, 'fraud', hour + 2000));
  await sweepAlerts(api.db, now);
  expect(await outbox(siteId, 'fraud.spike')).toHaveLength(2);
});

test('too few events never raise fraud.spike', async () => {
  const siteId = await subscribedSite('Quiet');
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  await recordEvents(api.db, new Types.ObjectId(siteId), events(10, 'fraud', hour));
  await sweepAlerts(api.db, new Date(hour + 60_000));
  expect(await outbox(siteId, 'fraud.spike')).toHaveLength(0);
});

test('integration.silent fires once after N hours without a beacon, re-arms when beacons return, never for a site without traffic', async () => {
  const siteId = await subscribedSite('Silent');
  const never = await subscribedSite('Never installed');
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  const id = new Types.ObjectId(siteId);
  await recordEvents(api.db, id, events(5, 'trusted', hour - 10 * HOUR_MS));
  // 5 hours of silence after the hour with traffic ended: not yet (threshold 6).
  await sweepAlerts(api.db, new Date(hour - 4 * HOUR_MS));
  expect(await outbox(siteId, 'integration.silent')).toHaveLength(0);
  await sweepAlerts(api.db, new Date(hour));
  await sweepAlerts(api.db, new Date(hour + 60_000));
  const raised = await outbox(siteId, 'integration.silent');
  expect(raised).toHaveLength(1);
  expect(raised[0]!.data).toMatchObject({ lastBeaconHour: new Date(hour - 10 * HOUR_MS).toISOString(), silentHours: 9, thresholdHours: 6 });
  await recordEvents(api.db, id, events(1, 'trusted', hour));
  await sweepAlerts(api.db, new Date(hour + 120_000));
  await sweepAlerts(api.db, new Date(hour + 8 * HOUR_MS));
  expect(await outbox(siteId, 'integration.silent')).toHaveLength(2);
  expect(await outbox(never, 'integration.silent')).toHaveLength(0);
});

test('sites without a subscribed endpoint are not swept', async () => {
  const { siteId } = await ownedSite(owner, 'Unsubscribed');
  const hour = Math.floor(Date.now() / HOUR_MS) * HOUR_MS;
  await recordEvents(api.db, new Types.ObjectId(siteId), events(100, 'fraud', hour));
  await sweepAlerts(api.db, new Date(hour + 60_000));
  expect(await outbox(siteId, 'fraud.spike')).toHaveLength(0);
});
