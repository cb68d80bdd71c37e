/**
 * Bursts as the held-out evaluation sent them (issue 13): one address, a Chromium header set, a
 * fresh id and fresh timings per beacon, no token. Before this change the first ~120 beacons of
 * such a burst were trusted: cadence kept 9 arrivals, so its per-minute count never reached its
 * threshold. Now each beacon is judged on every earlier arrival, refused ones included. The same
 * holds for a burst spread over the addresses of one network.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { beaconPayload, chromiumBeaconHeaders, freshTimings, postBeacon, seedSite, startTestBeacon, type TestBeacon } from './helpers.js';

let t: TestBeacon;

beforeAll(async () => {
  t = await startTestBeacon('bursts');
});
afterAll(async () => {
  await t?.close();
});

async function burst(publicKey: string, n: number, address: string | ((i: number) => string), userAgent: (i: number) => string) {
  const one = async (i: number) => {
    const payload = beaconPayload(publicKey, { timing: freshTimings(i) });
    const localAddress = typeof address === 'string' ? address : address(i);
    const res = await postBeacon(t.url, JSON.stringify(payload), { ...chromiumBeaconHeaders(), 'User-Agent': userAgent(i) }, { localAddress });
    return { id: payload.id, status: res.status };
  };
  // Waves of 8 at once, under the beacon's cap on connections per address.
  const sent: Array<{ id: string; status: number }> = [];
  for (let i = 0; i < n; i += 8) sent.push(...(await Promise.all(Array.from({ length: Math.min(8, n - i) }, (_, k) => one(i + k)))));
  // The burst's first beacons are revised in hindsight once it shows (hindsight.test.ts).
  await t.beacon.reviser.idle();
  const stored = await t.db.models.Event.find({ eventId: { $in: sent.map((s) => s.id) } }).lean();
  return { sent, stored };
}

const chrome = (minor: number) => `Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.${minor}.0 Safari/537.36`;

test('200 beacons in a burst from one visitor: none stays trusted', async () => {
  const site = await seedSite(t.db, t.masterKey);
  const { sent, stored } = await burst(site.publicKey, 200, '127.0.8.1', () => chrome(0));
  // The per-visitor limit (120 a minute) refuses the rest, after they were counted.
  expect(sent.filter((s) => s.status === 429).length).toBe(80);
  expect(stored.filter((e) => e.verdict === 'trusted')).toEqual([]);
  // The first five at arrival looked like anyone's; the sixth showed the burst and revised them.
  expect(stored.filter((e) => e.revision).length).toBe(5);
  expect(stored.filter((e) => e.reasons.some((r) => r.code === 'cadence_burst')).length).toBe(120);
});

test('a burst rotating user agents is a new visitor each time, but one address: flagged from the eleventh, the first ten in hindsight', async () => {
  const site = await seedSite(t.db, t.masterKey);
  const { stored } = await burst(site.publicKey, 100, '127.0.8.2', chrome);
  expect(stored).toHaveLength(100);
  expect(stored.filter((e) => e.verdict === 'trusted')).toEqual([]);
  expect(stored.filter((e) => e.revision).length).toBe(10);
  expect(stored.filter((e) => e.reasons.some((r) => r.code === 'cadence_address_burst')).length).toBe(100);
});

test('a burst spread over the addresses of one network: flagged from the 21st, the first 20 in hindsight', async () => {
  const site = await seedSite(t.db, t.masterKey);
  const { stored } = await burst(site.publicKey, 100, (i) => `127.0.9.${i + 1}`, () => chrome(0));
  expect(stored).toHaveLength(100);
  expect(stored.filter((e) => e.verdict === 'trusted')).toEqual([]);
  expect(stored.filter((e) => e.revision).length).toBe(20);
  expect(stored.filter((e) => e.reasons.some((r) => r.code === 'cadence_network_burst')).length).toBe(100);
  expect(stored.filter((e) => e.reasons.some((r) => r.code === 'cadence_address_burst' || r.code === 'cadence_burst'))).toEqual([]);
});

test('fifteen visitors of one network arriving together are not a burst', async () => {
  const site = await seedSite(t.db, t.masterKey);
  const { stored } = await burst(site.publicKey, 15, (i) => `127.0.10.${i + 1}`, () => chrome(0));
  expect(stored.map((e) => e.verdict)).toEqual(Array(15).fill('trusted'));
});

test('two visitors on two addresses a few seconds apart are not a burst', async () => {
  const site = await seedSite(t.db, t.masterKey);
  const a = await burst(site.publicKey, 1, '127.0.8.3', () => chrome(0));
  const b = await burst(site.publicKey, 1, '127.0.8.4', () => chrome(0));
  expect([...a.stored, ...b.stored].map((e) => e.verdict)).toEqual(['trusted', 'trusted']);
});
