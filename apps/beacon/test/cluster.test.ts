import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { generateMasterKey } from '@tagward/keys';
import { startBeaconProcess, type ListeningProcess } from './beacon-process.js';
import { beaconPayload, chromiumBeaconHeaders, postBeacon, seedSite, type TestSite } from './helpers.js';

let db: TestDatabase;
let site: TestSite;
let beacon: ListeningProcess;
let url: string;

beforeAll(async () => {
  db = await createTestDatabase('cluster');
  const masterKey = generateMasterKey();
  site = await seedSite(db, masterKey);
  beacon = await startBeaconProcess(
    db,
    masterKey,
    {
      // 200 visitors at once, all from 127.0.0.1.
      BEACON_MAX_CONNECTIONS_PER_ADDRESS: '1000',
      BEACON_ADDRESS_LIMIT: '100000',
      BEACON_NETWORK_LIMIT: '100000',
      BEACON_WORKERS: '2',
    },
    // Each worker logs its own 'beacon listening': wait for both.
    { listeners: 2 },
  );
  url = beacon.url;
});

afterAll(async () => {
  await beacon?.stop();
  await db?.dispose();
});

test('with two workers, the rollups count every stored event exactly once (each worker writes its own increments)', async () => {
  const n = 200;
  const results = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      postBeacon(url, JSON.stringify(beaconPayload(site.publicKey)), {
        ...chromiumBeaconHeaders(),
        'User-Agent': `Mozilla/5.0 visitor-${i % 50}`,
      }),
    ),
  );
  expect(results.filter((r) => r.status !== 200).map((r) => `${r.status} ${r.body.error?.code}`)).toEqual([]);
  const stored = await db.models.Event.countDocuments({});
  expect(stored).toBe(n);
  let total = 0;
  for (let i = 0; i < 50 && total !== n; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const rollups = await db.models.HourlyRollup.find({}).lean();
    total = rollups.reduce((sum, r) => sum + (r.total ?? 0), 0);
  }
  expect(total).toBe(n);
});

test('SIGTERM stops the workers and the primary cleanly', async () => {
  const code = await new Promise<number | null>((resolve) => {
    beacon.child.once('exit', (c) => resolve(c));
    beacon.child.kill('SIGTERM');
  });
  expect(code).toBe(0);
});
