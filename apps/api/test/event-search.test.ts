/**
 * The explorer's search reads time windows back from the cursor, then (for a rare path prefix,
 * or at once for one the rollups count few events for) the path index: whatever the windows, walking the pages must give every matching event once,
 * newest first, as one sorted filter over all events would.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { listEvents, type EventFilters } from '../src/services/events.js';
import { DAY_MS, HOUR_MS, recordEvents, type FakeEvent } from './support/record-events.js';

const NOW = new Date('2030-06-15T12:30:00Z');
const MINUTE = 60_000;
let db: TestDatabase;
const site = new Types.ObjectId();
const other = new Types.ObjectId();

interface Stored extends FakeEvent {
  id: string;
}
let stored: Stored[] = [];

/** Ages from seconds to past the last window (180 days), dense near now, sparse further back. */
const AGES_MS = [
  0, 5_000, 2 * MINUTE, 14 * MINUTE, 15 * MINUTE, 16 * MINUTE, 50 * MINUTE, 2 * HOUR_MS, 5 * HOUR_MS, 20 * HOUR_MS, 3 * DAY_MS, 9 * DAY_MS,
  40 * DAY_MS, 100 * DAY_MS, 170 * DAY_MS, 200 * DAY_MS, 400 * DAY_MS, 2000 * DAY_MS,
];

function fake(ageMs: number, i: number): FakeEvent {
  const fraud = i % 3 === 0;
  return {
    receivedAt: new Date(NOW.getTime() - ageMs),
    // A path only old events have, one every event has a share of, and the home page.
    path: ageMs > 30 * DAY_MS && i % 2 === 0 ? '/archive/old-post' : i % 4 === 1 ? '/blog/post-' + i : '/',
    verdict: fraud ? 'fraud' : 'trusted',
    score: fraud ? 0.1 : 0.9,
    // A reason every fraud event has, and one only a few old events have.
    reasons: fraud ? [{ code: 'origin_missing', weight: -0.4 }] : ageMs > 30 * DAY_MS && i % 3 === 1 ? [{ code: 'page_token_replayed', weight: -0.7 }] : [],
  };
}

beforeAll(async () => {
  db = await createTestDatabase('event_search');
  // Each age twice (an exact tie on the timestamp), and 30 more in the last minute.
  const events = AGES_MS.flatMap((age, i) => [fake(age, 2 * i), fake(age, 2 * i + 1)]);
  for (let i = 0; i < 30; i += 1) events.push(fake(i * 1_000, 100 + i));
  const ids = await recordEvents(db, site, events);
  stored = events.map((e, i) => ({ ...e, id: ids[i]!.toHexString() }));
  // Another site's events in the same windows must never show.
  await recordEvents(db, other, events.slice(0, 10));
});
afterAll(async () => {
  await db?.dispose();
});

function expected(filters: EventFilters): string[] {
  return stored
    .filter((e) => !filters.verdict || e.verdict === filters.verdict)
    .filter((e) => !filters.reason || (e.reasons ?? []).some((r) => r.code === filters.reason))
    .filter((e) => !filters.path || e.path.startsWith(filters.path))
    .filter((e) => !filters.from || e.receivedAt >= filters.from)
    .filter((e) => !filters.to || e.receivedAt < filters.to)
    .sort((a, b) => b.receivedAt.getTime() - a.receivedAt.getTime() || (a.id < b.id ? 1 : -1))
    .map((e) => e.id);
}

async function walk(filters: EventFilters, limit: number, directPathEvents?: number): Promise<string[]> {
  const seen: string[] = [];
  let cursor: string | null = null;
  for (let pages = 0; pages < 100; pages += 1) {
    const page = await listEvents(db, site, filters, { cursor, limit, now: NOW, directPathEvents });
    seen.push(...page.items.map((e) => e.id));
    if (!page.nextCursor) return seen;
    expect(page.items).toHaveLength(limit);
    cursor = page.nextCursor;
  }
  throw new Error('more than 100 pages');
}

test.each([
  [{}, 3],
  [{}, 50],
  [{ verdict: 'fraud' as const }, 2],
  [{ reason: 'origin_missing' }, 4],
  // Only events older than the first windows: read through the reason index.
  [{ reason: 'page_token_replayed' }, 2],
  [{ reason: 'origin_missing', path: '/' }, 3],
  [{ reason: 'origin_missing', verdict: 'trusted' as const }, 2],
  [{ reason: 'page_token_replayed', to: new Date(NOW.getTime() - 150 * DAY_MS) }, 1],
  [{ path: '/blog' }, 2],
  // Only events older than the first windows: read through the path index.
  [{ path: '/archive' }, 2],
  [{ path: '/archive/old-post', verdict: 'fraud' as const }, 1],
  [{ path: '/nothing-here' }, 5],
  [{ from: new Date(NOW.getTime() - 3 * HOUR_MS) }, 4],
  [{ to: new Date(NOW.getTime() - 10 * DAY_MS) }, 3],
  [{ from: new Date(NOW.getTime() - 500 * DAY_MS), to: new Date(NOW.getTime() - 20 * MINUTE), path: '/' }, 3],
])('walking the pages of %j (%i a page) gives every match once, newest first', async (filters, limit) => {
  const all = expected(filters);
  // A path prefix goes to the path index at once when the rollups count few events for it (all
  // of them here), or through the windows first when they count many (-1: never at once).
  expect(await walk(filters, limit)).toEqual(all);
  if ('path' in filters) expect(await walk(filters, limit, -1)).toEqual(all);
});

