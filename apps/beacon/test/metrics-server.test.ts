import { pino } from 'pino';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { generateMasterKey } from '@tagward/keys';
import { startBeacon, type RunningBeacon } from '../src/start.js';
import { testConfig } from './helpers.js';

let db: TestDatabase;
let running: RunningBeacon;
const TOKEN = 'metrics-token-0123456789';

beforeAll(async () => {
  db = await createTestDatabase('metrics_server');
  const config = { ...testConfig(generateMasterKey(), { metricsToken: TOKEN }), mongodbUri: db.uri, dbName: db.dbName };
  running = await startBeacon({ config, log: pino({ level: 'silent' }) });
});
afterAll(async () => {
  await running?.stop();
  await db?.dispose();
});

test('metrics listen on their own loopback port, never on the public one', async () => {
  expect(running.metricsUrl).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
  expect(new URL(running.metricsUrl!).port).not.toBe(new URL(running.url).port);
  expect((await fetch(`${running.url}/metrics`)).status).toBe(404);
});

test('with a token set, /metrics needs it', async () => {
  expect((await fetch(running.metricsUrl!)).status).toBe(401);
  expect((await fetch(running.metricsUrl!, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);
  const res = await fetch(running.metricsUrl!, { headers: { authorization: `Bearer ${TOKEN}` } });
  expect(res.status).toBe(200);
  expect(await res.text()).toContain('tagward_beacon_requests_total');
});
