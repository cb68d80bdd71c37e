/**
 * Top pages over an hourly range read whole UTC days from the daily path rollups and only the
 * hours at either end from the hourly ones. Whatever the split, the totals must equal a count of
 * the events themselves, for ranges that start and end anywhere.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { createTestDatabase, type TestDatabase } from '../src/testing.js';
import { incrementsOf, type RollupSource } from '../src/rollups/increments.js';
import { readTopPaths, writeRollups } from '../src/rollups/store.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** 10 days and 5 hours of events, starting 7 hours into a UTC day. */
const START = Date.UTC(2026, 10, 1, 7);
const END = START + 10 * DAY + 5 * HOUR;
const PATHS = ['/', '/a', '/b', '/c/d', '/e'];
const VERDICTS = ['trusted', 'suspect', 'fraud'] as const;

let db: TestDatabase;
const siteId = new Types.ObjectId();
const events: RollupSource[] = [];

beforeAll(async () => {
  db = await createTestDatabase('top_paths');
  // Deterministic and uneven: one event every 37 minutes, paths and verdicts in different cycles.
  for (let t = START, i = 0; t < END; t += 37 * 60_000, i++) {
    events.push({
      siteId,
      receivedAt: new Date(t),
      page: { path: PATHS[(i * 7) % PATHS.length]!, url: 'https://shop.example/' },
      verdict: VERDICTS[i % 5 === 0 ? 2 : i % 3 === 0 ? 1 : 0]!,
      score: 0.5,
      reasons: [],
      checks: [],
      tokenValid: false,
      attestationCohort: false,
    });
  }
  // Another site's events in the same buckets must not count.
  const other = events.slice(0, 50).map((e) => ({ ...e, siteId: new Types.ObjectId() }));
  await writeRollups(db, incrementsOf([...events, ...other]));
}, 120_000);

afterAll(async () => {
  await db?.dispose();
});

function expected(from: number, to: number, includeSuspect: boolean) {
  const byPath = new Map<string, { total: number; trusted: number; suspect: number; fraud: number }>();
  // Hour buckets: an event counts when its hour starts inside [from, to) (as the hourly reads do).
  for (const e of events) {
    const hour = Math.floor(e.receivedAt.getTime() / HOUR) * HOUR;
    if (hour < from || hour >= to) continue;
    const sum = byPath.get(e.page.path) ?? { total: 0, trusted: 0, suspect: 0, fraud: 0 };
    sum.total++;
    sum[e.verdict as (typeof VERDICTS)[number]]++;
    byPath.set(e.page.path, sum);
  }
  return [...byPath.entries()]
    .map(([path, s]) => ({ path, ...s, counted: includeSuspect ? s.trusted + s.suspect : s.trusted }))
    .sort((a, b) => b.counted - a.counted || b.fraud - a.fraud || (a.path < b.path ? -1 : 1));
}

test.each([
  ['a week ending mid-day', END - 7 * DAY, END],
  ['hour-aligned, several whole days inside', START + 3 * HOUR, START + 8 * DAY + 2 * HOUR],
  ['exactly whole days', Date.UTC(2026, 10, 3), Date.UTC(2026, 10, 8)],
  ['less than a day, across midnight', Date.UTC(2026, 10, 4, 20), Date.UTC(2026, 10, 5, 6)],
  ['one whole day and a bit', Date.UTC(2026, 10, 4, 23), Date.UTC(2026, 10, 6, 1)],
  ['the whole span', START, END],
])('%s: the same totals as counting the events', async (_name, from, to) => {
  for (const includeSuspect of [true, false]) {
    const top = await readTopPaths(db, siteId, { from: new Date(from), to: new Date(to), granularity: 'hour' }, { includeSuspect, limit: 100 });
    expect(top).toEqual(expected(from, to, includeSuspect));
  }
});

test('the limit keeps the top ones', async () => {
  const top = await readTopPaths(db, siteId, { from: new Date(START), to: new Date(END), granularity: 'hour' }, { includeSuspect: true, limit: 2 });
  expect(top).toEqual(expected(START, END, true).slice(0, 2));
});
