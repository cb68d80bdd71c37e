/**
 * The read and write paths of issue 17 use indexes: the REST API, exports (REST and dashboard),
 * restricted keys and their use counts, webhook endpoints, the outbox, deliveries (fan-out,
 * claims, retries, the delivery log, disabling), the alert sweep and the purge of a deleted site.
 * Same method as query-plans.test.ts: record what the real code sends, explain each shape.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { planStages, recordQueries, type QueryShape } from '@tagward/db/testing';
import { signedUpClient, type TestApi, type TestClient } from './helpers.js';
import { HOUR_MS, recordEvents } from './support/record-events.js';
import { FAST_WEBHOOKS, ownedSite, rest, startIntegrationsApi, startReceiver, type Receiver } from './support/integrations.js';
import { sweepAlerts } from '../src/services/webhooks/alerts.js';
import { disableFailingEndpoint } from '../src/services/webhooks/deliveries.js';

let api: TestApi;
let owner: TestClient;
let receiver: Receiver;
let shapes: QueryShape[] = [];

beforeAll(async () => {
  api = await startIntegrationsApi('integrations_plans', { webhooks: { ...FAST_WEBHOOKS, giveUpAfterMs: 300 } });
  receiver = await startReceiver((n) => ({ status: n % 2 ? 204 : 500 }));
  owner = await signedUpClient(api);
  const { siteId, secretKey } = await ownedSite(owner);
  const id = new Types.ObjectId(siteId);
  await recordEvents(
    api.db,
    id,
    Array.from({ length: 40 }, (_, i) => ({ receivedAt: new Date(Date.now() - i * HOUR_MS), path: i % 2 ? '/a' : '/b', verdict: i % 3 ? 'trusted' : 'fraud', score: 0.5, reasons: [{ code: 'origin_missing', weight: -0.2 }] })),
  );
  const recorder = recordQueries(api.db);

  const t = owner.trpc;
  const created = await t.apiKeys.create.mutate({ siteId, name: 'plans', scopes: ['stats:read', 'events:read'] });
  const key = created.restrictedKey;
  for (const period of ['24h', '7d', '30d']) {
    await rest(api, `/stats/aggregate?period=${period}&include=suspect`, key);
    await rest(api, `/stats/timeseries?period=${period}&interval=day`, key);
    for (const property of ['path', 'verdict', 'reason', 'check']) await rest(api, `/stats/breakdown?period=${period}&property=${property}`, key);
  }
  const page = (await rest(api, '/events?limit=5', key)).body as { nextCursor: string };
  await rest(api, `/events?limit=5&cursor=${page.nextCursor}`, key);
  await rest(api, '/events?verdict=fraud&reason=origin_missing&path=/a', secretKey);
  const from = new Date(Date.now() - 50 * HOUR_MS).toISOString();
  const to = new Date().toISOString();
  await rest(api, `/events/export?from=${from}&to=${to}`, key);
  await rest(api, `/events/export?format=ndjson&verdict=fraud&from=${from}&to=${to}`, key);
  await fetch(`${api.url}/exports/sites/${siteId}/events?from=${from}&to=${to}`, { headers: { cookie: [...owner.cookies].map(([k, v]) => `${k}=${v}`).join('; ') } }).then((r) => r.text());
  await new Promise((resolve) => setTimeout(resolve, 1200)); // key use counts flush
  await t.apiKeys.list.query({ siteId });
  await t.apiKeys.revoke.mutate({ siteId, kid: created.key.kid });

  const { endpoint } = await t.webhooks.create.mutate({ siteId, url: receiver.url, events: ['key.rotated', 'fraud.spike', 'integration.silent'] });
  await t.webhooks.list.query({ siteId });
  await t.webhooks.update.mutate({ siteId, endpointId: endpoint.id, description: 'plans' });
  await t.webhooks.rollSecret.mutate({ siteId, endpointId: endpoint.id });
  await t.webhooks.sendTest.mutate({ siteId, endpointId: endpoint.id });
  for (let i = 0; i < 3; i++) await t.keys.rotate.mutate({ siteId, graceHours: 1 });
  for (let waited = 0; receiver.requests.length < 4 && waited < 10_000; waited += 50) await new Promise((resolve) => setTimeout(resolve, 50));
  const log = await t.webhooks.deliveries.query({ siteId, endpointId: endpoint.id, limit: 2 });
  await t.webhooks.deliveries.query({ siteId, endpointId: endpoint.id, limit: 2, cursor: log.nextCursor });
  await t.webhooks.saveAlertSettings.mutate({ siteId, fraudSpikePct: 10, fraudSpikeWindowHours: 2, fraudSpikeMinEvents: 1, silentHours: 1 });
  await t.webhooks.alertSettings.query({ siteId });
  await sweepAlerts(api.db, new Date());
  await disableFailingEndpoint(api.db, new Types.ObjectId(endpoint.id), new Date());
  await t.webhooks.remove.mutate({ siteId, endpointId: endpoint.id });
  await t.sites.delete.mutate({ siteId, confirmName: 'Shop' });
  shapes = recorder.stop();
}, 120_000);

afterAll(async () => {
  await api?.close();
  await receiver?.close();
});

test('the workload reached every collection of the integrations', () => {
  const collections = new Set(shapes.map((s) => s.collection));
  for (const name of ['events', 'rollups_hourly', 'rollups_daily', 'rollups_paths', 'restricted_keys', 'api_key_usage', 'webhook_endpoints', 'webhook_events', 'webhook_deliveries', 'rate_counters']) {
    expect(collections, name).toContain(name);
  }
  expect(shapes.length).toBeGreaterThan(30);
});

/** A bulk of updates (the key-use counter's) is explained one statement at a time. */
function single(shape: QueryShape): QueryShape[] {
  for (const field of ['updates', 'deletes'] as const) {
    const batch = shape.command[field];
    if (Array.isArray(batch) && batch.length > 1) return batch.map((statement) => ({ ...shape, command: { ...shape.command, [field]: [statement] } }));
  }
  return [shape];
}

test('no query of a growing collection scans it', async () => {
  const scans: string[] = [];
  for (const shape of shapes.flatMap(single)) {
    const stages = await planStages(api.db, shape);
    if (stages.includes('COLLSCAN')) scans.push(`${shape.name} ${shape.collection} ${JSON.stringify(shape.command).slice(0, 300)}`);
  }
  expect(scans).toEqual([]);
});
