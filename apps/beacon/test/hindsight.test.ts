/**
 * Hindsight for cadence (issue 13): a timer's first beacons look like anyone's until the fifth
 * shows the pattern. The beacon then re-scores the trusted beacons the finding reaches back to,
 * once, keeping their old scoring, and moves their counts in the rollups.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { pino } from 'pino';
import { connectDatabase, incrementsOf, type EventRecord } from '@tagward/db';
import { testDatabaseUri } from '@tagward/db/testing';
import { createMetrics } from '../src/metrics.js';
import { CadenceReviser } from '../src/collect/reviser.js';
import { beaconPayload, chromiumBeaconHeaders, freshTimings, postBeacon, seedSite, startTestBeacon, type TestBeacon, type TestSite } from './helpers.js';

let t: TestBeacon;
// The next whole hour of real time: the beacon's TTL-indexed records (salts, spent nonces,
// counters) written at a date gone by would be deleted by the database under the test.
let clock = Math.ceil(Date.now() / 3_600_000) * 3_600_000;
const at = () => clock;

beforeAll(async () => {
  t = await startTestBeacon('hindsight', {}, undefined, undefined, at);
});
afterAll(async () => {
  await t?.close();
});

/** One beacon per gap (ms after the previous one), from one address, as a script copying Chromium's headers sends them. */
async function paced(site: TestSite, address: string, gapsMs: number[]) {
  const ids: string[] = [];
  for (const [i, gap] of gapsMs.entries()) {
    clock += gap;
    const payload = beaconPayload(site.publicKey, { timing: freshTimings(i) });
    const res = await postBeacon(t.url, JSON.stringify(payload), chromiumBeaconHeaders(), { localAddress: address });
    expect(res.status).toBe(200);
    ids.push(payload.id);
  }
  await t.beacon.reviser.idle();
  await t.beacon.writer.drain();
  const stored = await t.db.models.Event.find({ eventId: { $in: ids } }).lean<EventRecord[]>();
  return ids.map((id) => stored.find((e) => e.eventId === id)!);
}

/** A rollup document's counters as dotted paths, zeros left out (what `$inc` made of it). */
function counters(doc: Record<string, unknown>, prefix = '', out: Record<string, number> = {}): Record<string, number> {
  for (const [key, value] of Object.entries(doc)) {
    if (typeof value === 'number' && value !== 0) out[prefix + key] = value;
    else if (value && typeof value === 'object' && !(value instanceof Date) && key !== '_id' && key !== 'siteId') counters(value as Record<string, unknown>, `${prefix}${key}.`, out);
  }
  return out;
}

test('a 700 ms timer: its first four beacons, trusted at arrival, are revised when the fifth shows the timer', async () => {
  const site = await seedSite(t.db, t.masterKey);
  const events = await paced(site, '127.0.9.1', Array.from({ length: 30 }, () => 700));
  expect(events.map((e) => e.verdict).filter((v) => v === 'trusted')).toEqual([]);
  const fifth = events[4]!;
  for (const early of events.slice(0, 4)) {
    expect(early.revision).toMatchObject({ by: fifth.eventId, before: { verdict: 'trusted' } });
    expect(early.revision!.before.reasons.map((r) => r.code)).not.toContain('cadence_regular');
    const reason = early.reasons.find((r) => r.code === 'cadence_regular');
    expect(reason?.detail).toMatch(new RegExp(`^seen at a later beacon \\(${fifth.eventId}\\): 4 intervals of ~700 ms`));
    expect(early.score).toBeLessThan(early.revision!.before.score);
  }
  // The client's backend asking about the first beacon sees its current verdict, and that it changed.
  const verified = await fetch(`${t.url}/v1/verify/beacons/${events[0]!.eventId}`, { headers: { authorization: `Bearer ${site.secretKey}` } });
  expect(await verified.json()).toMatchObject({ verdict: events[0]!.verdict, revisedAt: events[0]!.revision!.at.toISOString() });
  // The fifth and later were flagged at arrival, so nothing revised them.
  expect(events.slice(4).filter((e) => e.revision)).toEqual([]);
  const revisions = await t.beacon.metrics.revisions.get();
  expect(revisions.values.reduce((a, v) => a + v.value, 0)).toBe(4);
  // The rollups count the revised events exactly as counting them afresh would.
  const [day] = await t.db.models.DailyRollup.find({ siteId: new Types.ObjectId(site.siteId) }).lean();
  const [fresh] = [...incrementsOf(events).daily.values()];
  expect(counters(day as Record<string, unknown>)).toEqual(counters(fresh!.inc));
  expect(counters(fresh!.inc)['verdicts.trusted']).toBeUndefined();
});

test('a reader whose pace turns into a timer: only the beacons of the run are revised', async () => {
  const site = await seedSite(t.db, t.masterKey);
  // Three page views at a reader's pace, then a timer of ten. Regularity is judged on the last
  // eight intervals, so the timer shows once all eight are its own: at its ninth beacon.
  const events = await paced(site, '127.0.9.2', [0, 14_000, 31_000, 9_000, ...Array<number>(9).fill(700)]);
  const reading = events.slice(0, 3);
  expect(reading.map((e) => [e.verdict, e.revision ?? null])).toEqual([['trusted', null], ['trusted', null], ['trusted', null]]);
  expect(events.slice(3).map((e) => e.verdict)).not.toContain('trusted');
});

test('several tabs opened at once, then quiet: nothing is found, nothing is revised', async () => {
  const site = await seedSite(t.db, t.masterKey);
  const events = await paced(site, '127.0.9.3', [0, 180, 420, 90, 30_000, 47_000]);
  expect(events.map((e) => [e.verdict, e.revision ?? null])).toEqual(events.map(() => ['trusted', null]));
});

test('a revision that cannot reach the database is logged and dropped: the beacon goes on, the events keep their verdicts', async () => {
  const site = await seedSite(t.db, t.masterKey);
  const [event] = await paced(site, '127.0.9.4', [0]);
  const gone = await connectDatabase(testDatabaseUri(), t.db.dbName, { bufferCommands: false, serverSelectionTimeoutMS: 300 });
  await gone.close();
  const lines: string[] = [];
  const metrics = createMetrics();
  const added: unknown[] = [];
  const reviser = new CadenceReviser({
    db: gone,
    rules: t.beacon.rules,
    writes: { settled: async () => undefined },
    rollups: { add: (i) => added.push(i), idle: async () => undefined },
    metrics,
    log: pino({ level: 'warn' }, { write: (line: string) => lines.push(line) }),
    now: at,
  });
  reviser.revise({ ...event!, eventId: 'a-later-one' }, [event!.eventId]);
  await reviser.idle();
  expect((await metrics.dbErrors.get()).values[0]?.value).toBe(1);
  expect(lines.join('')).toContain('hindsight revision failed');
  expect(added).toEqual([]);
  expect(await t.db.models.Event.findOne({ eventId: event!.eventId }).lean()).toMatchObject({ verdict: 'trusted' });
});
