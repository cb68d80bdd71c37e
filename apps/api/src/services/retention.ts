/**
 * Data lifecycle. Raw events are kept per site for `retentionMonths` (default 13); the hourly
 * rollups for two years beyond the longest retention (charts of the last 30 days and 7 days read
 * them); daily rollups, a few hundred small documents per site and year, are kept. Visitor salts,
 * spent proof-of-work solutions, limiter slots and sessions expire by TTL indexes (packages/db).
 *
 * The job runs in the API, every hour, in one API process at a time (a lease on a lock
 * document), and deletes in bounded chunks through the `{siteId, receivedAt}` index, so it never
 * holds a long operation on a busy database.
 */
import { DAY_MS, takeLease, type Database } from '@tagward/db';
import type { Logger } from 'pino';
import { Types } from 'mongoose';

export const DEFAULT_RETENTION_MONTHS = 13;
/** Hourly rollups outlive the longest possible event retention by this much. */
export const HOURLY_ROLLUP_EXTRA_MONTHS = 24;
const MONTH_MS = 30.4375 * DAY_MS;
const CHUNK = 5_000;

export function retentionCutoff(now: Date, months: number): Date {
  return new Date(now.getTime() - months * MONTH_MS);
}

async function deleteInChunks(db: Database, siteId: Types.ObjectId, before: Date): Promise<number> {
  let deleted = 0;
  for (;;) {
    const ids = await db.models.Event.find({ siteId, receivedAt: { $lt: before } }, { _id: 1 }).sort({ receivedAt: -1, _id: -1 }).limit(CHUNK).lean();
    if (ids.length === 0) return deleted;
    const result = await db.models.Event.deleteMany({ _id: { $in: ids.map((d) => d._id) } });
    deleted += result.deletedCount;
  }
}

/** One pass over every site; returns what was deleted. */
export async function enforceRetention(db: Database, now: Date): Promise<{ events: number; hourlyRollups: number }> {
  let events = 0;
  let hourlyRollups = 0;
  const sites = await db.models.Site.find({}, { retentionMonths: 1 }).lean();
  for (const site of sites) {
    const months = site.retentionMonths ?? DEFAULT_RETENTION_MONTHS;
    events += await deleteInChunks(db, site._id, retentionCutoff(now, months));
    const rollupCutoff = retentionCutoff(now, months + HOURLY_ROLLUP_EXTRA_MONTHS);
    const [hourly, paths] = await Promise.all([
      db.models.HourlyRollup.deleteMany({ siteId: site._id, hour: { $lt: rollupCutoff } }),
      db.models.PathRollup.deleteMany({ siteId: site._id, hour: { $lt: rollupCutoff } }),
    ]);
    hourlyRollups += hourly.deletedCount + paths.deletedCount;
  }
  return { events, hourlyRollups };
}

/** Runs the job every `everyMs` in whichever API process holds the lease. Returns a stop function. */
export function scheduleRetention(db: Database, log: Logger, options: { everyMs?: number; now?: () => Date } = {}): () => void {
  const everyMs = options.everyMs ?? 3_600_000;
  const now = options.now ?? (() => new Date());
  const holder = `${process.pid}-${new Types.ObjectId().toHexString()}`;
  let running = false;
  const run = async () => {
    if (running) return;
    running = true;
    try {
      if (!(await takeLease(db, 'retention', holder, everyMs, now()))) return;
      const deleted = await enforceRetention(db, now());
      if (deleted.events || deleted.hourlyRollups) log.info(deleted, 'retention: deleted expired data');
    } catch (error) {
      log.warn({ err: error }, 'retention job failed; next run retries');
    } finally {
      running = false;
    }
  };
  const timer = setInterval(() => void run(), everyMs);
  timer.unref();
  // A first pass soon after start, off the start-up path.
  const first = setTimeout(() => void run(), Math.min(60_000, everyMs));
  first.unref();
  return () => {
    clearInterval(timer);
    clearTimeout(first);
  };
}
