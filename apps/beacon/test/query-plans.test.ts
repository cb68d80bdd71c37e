/**
 * The beacon's queries on growing collections (events, spent nonces, limiter slots) use indexes:
 * beacons with tokens, a replay, a retry and a verify-API call are sent while the commands are
 * recorded, then each distinct query shape is explained.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createVerifyClient } from '@tagward/sdk-node';
import { planStages, recordQueries, type QueryShape } from '@tagward/db/testing';
import { beaconPayload, mintAgedToken, postBeacon, seedSite, startTestBeacon, type TestBeacon, type TestSite } from './helpers.js';

let t: TestBeacon;
let site: TestSite;
let shapes: QueryShape[] = [];

beforeAll(async () => {
  t = await startTestBeacon('beacon_plans');
  site = await seedSite(t.db, t.masterKey);
  const recorder = recordQueries(t.db);
  const token = await mintAgedToken(site);
  const first = beaconPayload(site.publicKey, { token });
  expect((await postBeacon(t.url, JSON.stringify(first))).status).toBe(200);
  // The same beacon again (a retry), and its token on a new beacon (a replay).
  await postBeacon(t.url, JSON.stringify(first));
  await postBeacon(t.url, JSON.stringify(beaconPayload(site.publicKey, { token })));
  for (let i = 0; i < 5; i++) await postBeacon(t.url, JSON.stringify(beaconPayload(site.publicKey)));
  await createVerifyClient({ secretKey: site.secretKey, endpoint: t.url }).getBeacon(first.id);
  await t.beacon.writer.drain();
  shapes = recorder.stop();
});

afterAll(async () => {
  await t?.close();
});

test('the beacon queried the events (a retry and a replay make it look its duplicates up)', () => {
  expect(shapes.filter((s) => s.collection === 'events').length).toBeGreaterThan(0);
});

test('no beacon query of a growing collection scans it', async () => {
  const scans: string[] = [];
  for (const shape of shapes) {
    if ((await planStages(t.db, shape)).includes('COLLSCAN')) scans.push(`${shape.name} ${shape.collection} ${JSON.stringify(shape.command).slice(0, 300)}`);
  }
  expect(scans).toEqual([]);
});
