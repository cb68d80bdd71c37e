import { countPathPrefix, type Database, type EventDoc } from '@tagward/db';
import type { Types } from 'mongoose';

/**
 * The events explorer's search: the newest events matching the filters, before a position, in
 * (receivedAt, _id) order, newest first.
 *
 * It reads time windows back from the position (a cursor, the end of the filter, or now), each
 * wider than the last, until it has what it needs: 15 minutes, then ×4 or more, up to 180 days,
 * then everything older. One query per window, on `{siteId, verdict, receivedAt}` or
 * `{siteId, receivedAt}`. Why not one query for the page:
 *
 * - the embedded server (SecantusDB) gathers every event a query's index range holds before it
 *   sorts and applies the limit: one query for a first page read all of a site's events (40 s
 *   for a million); a window holds what a page needs, and a busy site's page is one query;
 * - a reason code or a path prefix is checked on each candidate of a window: for a code or a
 *   prefix that few events have, windows would read most of the site. A prefix the daily path
 *   rollups count few events for goes to the path index at once; otherwise, after three windows
 *   the rest is read through `{siteId, reasons.code}` (the code's events) or `{siteId, page.path}`
 *   (the prefix's), whose entries hold only the matches. The reason index is only ever given an
 *   equality: the embedded server bounds a multikey index by one operator of a field, so a time
 *   window on it became "everything since" or "everything before" (seconds, and once 22 GB of
 *   server memory). On MongoDB every one of these is a bounded index scan.
 */

export type EventRow = EventDoc & { _id: Types.ObjectId };

export interface SearchFilters {
  verdict?: 'trusted' | 'suspect' | 'fraud';
  reason?: string;
  /** Path prefix: `/blog` matches `/blog` and `/blog/post`. */
  path?: string;
  from?: Date;
  to?: Date;
}

export interface SearchPosition {
  /** The last event of the previous page: only events after it in the order. */
  after: { receivedAt: Date; id: Types.ObjectId } | null;
  now: Date;
  /** Largest rollup count of a path prefix that skips the windows (default 5,000; tests vary it). */
  directPathEvents?: number;
}

export const FIRST_WINDOW_MS = 15 * 60_000;
/** After this span, one last query reads everything older. */
const LAST_WINDOW_MS = 180 * 86_400_000;
/** Windows read for a reason or a path filter before the rest goes through its own index. */
const RARE_WINDOWS = 3;
/**
 * A path prefix the daily rollups count at most this many events for (in the last 400 days) goes
 * through the path index at once: windows would read thousands of other events to find a few.
 */
const DIRECT_PATH_EVENTS = 5_000;
const DIRECT_PATH_LOOKBACK_MS = 400 * 86_400_000;
/** Above every character a URL path holds (they are percent-encoded ASCII): a prefix's range end. */
const AFTER_PREFIX = '\u{10FFFF}';

const FIELDS = { eventId: 1, receivedAt: 1, 'page.path': 1, verdict: 1, score: 1, reasons: 1, tokenValid: 1 } as const;

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * One query: `routed` is what the index bounds, `checked` what is checked on each candidate.
 * They are two conjuncts of an `$and` (the second itself an `$and`), not one flat filter: the
 * embedded server routes a flat filter with two ranges (time and a path) through `siteId` alone,
 * which is all of the site's events; kept apart, the first conjunct is what it routes. MongoDB's
 * planner flattens the `$and` and plans as it would anyway.
 */
async function read(db: Database, routed: Record<string, unknown>, checked: Array<Record<string, unknown>>, limit: number): Promise<EventRow[]> {
  const filter = checked.length ? { $and: [routed, { $and: checked }] } : routed;
  return (await db.models.Event.find(filter, FIELDS).sort({ receivedAt: -1, _id: -1 }).limit(limit).lean()) as EventRow[];
}

/** Whether the rollups say the path prefix has few events up to the search's position. */
async function fewWithPrefix(db: Database, siteId: Types.ObjectId, filters: SearchFilters, position: SearchPosition): Promise<boolean> {
  const to = position.after?.receivedAt ?? filters.to ?? position.now;
  const from = new Date(Math.max(filters.from?.getTime() ?? -Infinity, to.getTime() - DIRECT_PATH_LOOKBACK_MS));
  const limit = position.directPathEvents ?? DIRECT_PATH_EVENTS;
  return limit >= 0 && (await countPathPrefix(db, siteId, filters.path!, { from, to: new Date(to.getTime() + 1) })) <= limit;
}

/** What the second route reads: the events with that reason code, or with that path prefix. */
function rareRoute(siteId: Types.ObjectId, filters: SearchFilters): Record<string, unknown> | null {
  if (filters.reason) return { siteId, 'reasons.code': filters.reason };
  if (filters.path) return { siteId, 'page.path': { $gte: filters.path, $lt: filters.path + AFTER_PREFIX } };
  return null;
}

export async function searchEvents(db: Database, siteId: Types.ObjectId, filters: SearchFilters, position: SearchPosition, wanted: number): Promise<EventRow[]> {
  // Windows go through {siteId, verdict, receivedAt} or {siteId, receivedAt}; the reason and the
  // path are checked on each candidate.
  const bounds: Record<string, unknown> = filters.verdict ? { siteId, verdict: filters.verdict } : { siteId };
  const checks: Array<Record<string, unknown>> = [];
  if (filters.reason) checks.push({ 'reasons.code': filters.reason });
  // Paths are user text: matched as an anchored, escaped prefix, never as a pattern.
  if (filters.path) checks.push({ 'page.path': { $regex: `^${escapeRegex(filters.path)}` } });
  const rare = rareRoute(siteId, filters);
  const { after } = position;
  const direct = rare !== null && filters.path !== undefined && !filters.reason && (await fewWithPrefix(db, siteId, filters, position));
  // Ties on the cursor's instant go by _id; only the first window holds that instant.
  const tie = after ? { $or: [{ receivedAt: { $lt: after.receivedAt } }, { _id: { $lt: after.id } }] } : null;
  const floor = filters.from?.getTime() ?? -Infinity;
  let top = after ? after.receivedAt.getTime() : filters.to ? filters.to.getTime() : null;
  let span = FIRST_WINDOW_MS;
  const rows: EventRow[] = [];
  for (let windows = 0; rows.length < wanted; windows += 1) {
    const first = windows === 0;
    const time: Record<string, Date> = {};
    if (top !== null) time[first && tie ? '$lte' : '$lt'] = new Date(top);
    const checked = first && tie ? [...checks, tie] : checks;
    if (rare && (windows === RARE_WINDOWS || direct)) {
      if (Number.isFinite(floor)) time.$gte = new Date(floor);
      const verdict = filters.verdict ? [{ verdict: filters.verdict }] : [];
      // At once (a few events) there may be no time bound at all yet.
      const since = Object.keys(time).length ? [{ receivedAt: time }] : [];
      rows.push(...(await read(db, rare, [...since, ...verdict, ...checked], wanted - rows.length)));
      break;
    }
    const last = span > LAST_WINDOW_MS;
    const start = last ? floor : Math.max(floor, (top ?? position.now.getTime()) - span);
    if (Number.isFinite(start)) time.$gte = new Date(start);
    const found = await read(db, Object.keys(time).length ? { ...bounds, receivedAt: time } : bounds, checked, wanted - rows.length);
    rows.push(...found);
    if (last || start <= floor) break;
    top = start;
    // Sparse matches: widen by what the density says is still needed, ×4 at least, ×16 at most.
    const needed = wanted - rows.length;
    span *= found.length === 0 ? 4 : Math.min(16, Math.max(4, (1.25 * needed) / found.length));
  }
  return rows;
}
