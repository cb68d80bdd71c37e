/**
 * A backtest reads its window in time slices sized from the estimate, then from what each slice
 * held, with the next slice asked for ahead: whatever the slicing, every event of the window is
 * read once, and nothing outside it.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { firstSpan, nextSpan, readEventBatches } from '../src/services/moderation/backtest-reader.js';
import { eventDocument, scenarioPicker } from './moderation-support.js';

const HOUR = 3_600_000;
const from = new Date('2026-03-01T00:00:00Z');
const to = new Date(from.getTime() + 48 * HOUR);
let db: TestDatabase;
const shopA = new Types.ObjectId();
const shopB = new Types.ObjectId();
const inWindow = new Map<string, string>();

beforeAll(async () => {
  db = await createTestDatabase('backtest_reader');
  const pick = scenarioPicker(3);
  const at = (ms: number) => new Date(from.getTime() + ms);
  // Bursty traffic: a quiet first day, a burst in one minute, a few at the very edges.
  const times = [
    ...Array.from({ length: 5 }, (_, i) => at(i * 4 * HOUR)),
    ...Array.from({ length: 60 }, (_, i) => at(30 * HOUR + i * 1_000)),
    ...Array.from({ length: 20 }, (_, i) => at(40 * HOUR + i * 20 * 60_000)),
    at(0),
    at(48 * HOUR - 1),
  ];
  const docs = times.map((receivedAt, i) => eventDocument({ siteId: i % 3 ? shopA : shopB, receivedAt, signals: pick().signals }));
  for (const doc of docs) inWindow.set(String(doc._id), String(doc.siteId));
  // Just outside the window on both sides.
  const outside = [new Date(from.getTime() - 1), to].map((receivedAt) => eventDocument({ siteId: shopA, receivedAt, signals: pick().signals }));
  await db.models.Event.collection.insertMany([...docs, ...outside]);
});
afterAll(async () => {
  await db?.dispose();
});

async function readAll(plan: { estimate: number; sliceEvents: number; batchSize: number; readAhead?: number; siteId?: Types.ObjectId }) {
  const ids: string[] = [];
  let batches = 0;
  for await (const rows of readEventBatches(db, { from, to, ...plan })) {
    expect(rows.length).toBeLessThanOrEqual(plan.batchSize);
    batches += 1;
    ids.push(...rows.map((r) => String(r._id)));
  }
  return { ids, batches };
}

test.each([
  { estimate: 0, sliceEvents: 7, batchSize: 3 },
  { estimate: 87, sliceEvents: 7, batchSize: 5 },
  { estimate: 87, sliceEvents: 7, batchSize: 5, readAhead: 0 },
  { estimate: 87, sliceEvents: 3, batchSize: 2, readAhead: 6 },
  { estimate: 87, sliceEvents: 1_000, batchSize: 1_000 },
  // A wrong estimate (the rollups are derived data) only changes the slicing.
  { estimate: 1_000_000, sliceEvents: 10, batchSize: 4 },
])('every event of the window is read once (%j)', async (plan) => {
  const { ids, batches } = await readAll(plan);
  expect(ids.slice().sort()).toEqual([...inWindow.keys()].sort());
  expect(batches).toBeGreaterThanOrEqual(Math.ceil(inWindow.size / plan.batchSize));
});

test("a site's backtest reads that site's events only", async () => {
  const { ids } = await readAll({ estimate: 0, sliceEvents: 10, batchSize: 10, siteId: shopB });
  expect(ids.slice().sort()).toEqual([...inWindow].filter(([, site]) => site === String(shopB)).map(([id]) => id).sort());
});

test('stopping part-way ends the read', async () => {
  const batches = readEventBatches(db, { from, to, estimate: 0, sliceEvents: 5, batchSize: 2 });
  const first = await batches.next();
  expect(first.done).toBe(false);
  await batches.return(undefined);
  expect((await batches.next()).done).toBe(true);
});

test.each([
  // [window hours, estimate, per slice, first span in hours]
  [48, 0, 20_000, 1],
  [0.5, 0, 20_000, 0.5],
  [168, 1_000_000, 20_000, 168 / 50],
  [168, 10_000, 20_000, 168],
])('a %d-hour window estimated at %d events, %d a slice, starts with %d-hour slices', (hours, estimate, sliceEvents, spanHours) => {
  const span = firstSpan({ from, to: new Date(from.getTime() + hours * HOUR), estimate, sliceEvents });
  expect(span).toBeCloseTo(spanHours * HOUR, -3);
});

test.each([
  // [span, held, per slice, next span]
  [HOUR, 20_000, 20_000, HOUR],
  [HOUR, 10_000, 20_000, 2 * HOUR],
  [HOUR, 0, 20_000, 4 * HOUR],
  [HOUR, 1_000_000, 20_000, HOUR / 4],
  [2_000, 1_000_000, 20_000, 1_000],
])('a slice of %d ms that held %d events (aiming at %d) is followed by one of %d ms', (span, held, sliceEvents, next) => {
  expect(nextSpan(span, held, sliceEvents)).toBe(next);
});
