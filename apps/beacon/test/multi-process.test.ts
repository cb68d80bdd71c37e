import { Types } from 'mongoose';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { generateMasterKey } from '@tagward/keys';
import { startBeaconProcess, type ListeningProcess } from './beacon-process.js';
import { beaconPayload, mintAgedToken, chromiumBeaconHeaders, postBeacon, seedSite, type TestSite } from './helpers.js';

const KEY_LIMIT = 40;
const WINDOW_MS = 86_400_000;
let db: TestDatabase;
let site: TestSite;
/** The running processes; `urls[i]` is the URL of `processes[i]`. */
const processes: ListeningProcess[] = [];
const urls: string[] = [];

function startProcess(masterKey: string): Promise<ListeningProcess> {
  return startBeaconProcess(db, masterKey, {
    BEACON_KEY_LIMIT: String(KEY_LIMIT),
    BEACON_VISITOR_LIMIT: '1000',
    BEACON_RATE_WINDOW_MS: String(WINDOW_MS),
  });
}

const masterKey = generateMasterKey();

beforeAll(async () => {
  db = await createTestDatabase('multi_process');
  site = await seedSite(db, masterKey);
  // Each recorded as soon as it listens: if the other fails to start, afterAll still stops it.
  await Promise.all(
    [0, 1].map(async (i) => {
      processes[i] = await startProcess(masterKey);
      urls[i] = processes[i].url;
    }),
  );
});

afterAll(async () => {
  await Promise.all(processes.map((beacon) => beacon.stop()));
  await db?.dispose();
});

test('two processes run as separate servers on their own ports', () => {
  expect(urls).toHaveLength(2);
  expect(urls[0]).not.toBe(urls[1]);
});

test('a token spent on one process is caught as a replay on the other', async () => {
  const token = await mintAgedToken(site);
  const first = beaconPayload(site.publicKey, { token });
  const second = beaconPayload(site.publicKey, { token });
  expect((await postBeacon(urls[0]!, JSON.stringify(first))).status).toBe(200);
  expect((await postBeacon(urls[1]!, JSON.stringify(second))).status).toBe(200);
  const [a, b] = await Promise.all([
    db.models.Event.findOne({ eventId: first.id }).lean(),
    db.models.Event.findOne({ eventId: second.id }).lean(),
  ]);
  expect(a?.tokenValid).toBe(true);
  expect(b?.tokenValid).toBe(false);
  expect(b?.verdict).toBe('fraud');
});

test("a soft navigation's token spent on one process is a replay on the other, sent as a new page view", async () => {
  const token = await mintAgedToken(site);
  const navigation = beaconPayload(site.publicKey, { token, seq: 3 });
  const replay = beaconPayload(site.publicKey, { token, seq: 0 });
  expect((await postBeacon(urls[0]!, JSON.stringify(navigation))).status).toBe(200);
  expect((await postBeacon(urls[1]!, JSON.stringify(replay))).status).toBe(200);
  const stored = await db.models.Event.findOne({ eventId: replay.id }).lean();
  expect((stored?.signals as { token: { status: string } }).token.status).toBe('replayed');
  expect(stored?.verdict).toBe('fraud');
});

test('the same token sent to both processes at the same moment is accepted once, whichever wins', async () => {
  for (let round = 0; round < 5; round++) {
    const token = await mintAgedToken(site, '/products/widget', 0);
    const payloads = [beaconPayload(site.publicKey, { token }), beaconPayload(site.publicKey, { token })];
    await Promise.all(payloads.map((p, i) => postBeacon(urls[i]!, JSON.stringify(p))));
    const stored = await db.models.Event.find({ eventId: { $in: payloads.map((p) => p.id) } }).lean();
    expect(stored.map((e) => (e.signals as { token: { status: string } }).token.status).sort()).toEqual(['replayed', 'valid']);
  }
});

test('a token spent before a beacon restart is still a replay after it', async () => {
  const token = await mintAgedToken(site);
  const before = beaconPayload(site.publicKey, { token, seq: 1 });
  expect((await postBeacon(urls[0]!, JSON.stringify(before))).status).toBe(200);
  await processes[0]!.stop();
  processes[0] = await startProcess(masterKey);
  urls[0] = processes[0].url;
  const after = beaconPayload(site.publicKey, { token });
  expect((await postBeacon(urls[0]!, JSON.stringify(after))).status).toBe(200);
  const stored = await db.models.Event.findOne({ eventId: after.id }).lean();
  expect((stored?.signals as { token: { status: string } }).token.status).toBe('replayed');
});

test('the per-key limit holds across both processes', async () => {
  // Stay inside one window (a day long here): if the current one ends within seconds, wait.
  const remaining = WINDOW_MS - (Date.now() % WINDOW_MS);
  if (remaining < 10_000) await new Promise((r) => setTimeout(r, remaining + 100));
  const own = await seedSite(db, masterKey);
  const statuses: number[] = [];
  await Promise.all(
    Array.from({ length: 120 }, async (_, i) => {
      const headers = { ...chromiumBeaconHeaders(), 'User-Agent': `Mozilla/5.0 visitor-${i}` };
      const res = await postBeacon(urls[i % 2]!, JSON.stringify(beaconPayload(own.publicKey)), headers);
      statuses.push(res.status);
    }),
  );
  const accepted = statuses.filter((s) => s === 200).length;
  expect(await db.models.Event.countDocuments({ siteId: new Types.ObjectId(own.siteId) })).toBe(accepted);
  expect(accepted).toBeGreaterThan(0);
  expect(statuses.filter((s) => s === 200).length).toBeLessThanOrEqual(KEY_LIMIT);
  expect(statuses.filter((s) => s === 429).length).toBeGreaterThanOrEqual(120 - KEY_LIMIT);
});
