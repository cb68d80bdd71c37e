import type { Database } from '@tagward/db';

export interface RateDecision {
  allowed: boolean;
  limit: number;
  remaining: number;
  /** Seconds until the window ends. */
  resetS: number;
}

const DUPLICATE_KEY = 11000;

/**
 * A fixed-window limit shared by every API process: one `$inc` upsert per request on the window's
 * counter document (`rate_counters`, deleted by its TTL index once the window is over). Exact
 * across processes, at one database round trip per request, which an API call can afford.
 */
export async function takeRate(db: Database, key: string, limit: number, windowMs: number, now: number): Promise<RateDecision> {
  const window = Math.floor(now / windowMs);
  const resetS = Math.max(1, Math.ceil(((window + 1) * windowMs - now) / 1000));
  const _id = `api:${key}:${window}`;
  const counters = db.models.RateCounter.collection;
  const bump = () =>
    counters.findOneAndUpdate(
      { _id: _id as never },
      { $inc: { count: 1 }, $setOnInsert: { expiresAt: new Date((window + 2) * windowMs) } },
      { upsert: true, returnDocument: 'after', projection: { count: 1 } },
    );
  let doc;
  try {
    doc = await bump();
  } catch (error) {
    // Two first requests of a window can race to insert its document: the loser retries as an update.
    if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
    doc = await bump();
  }
  // SecantusDB can answer null to a racing upsert it did apply: read the count back.
  const count = Number((doc ?? (await counters.findOne({ _id: _id as never }, { projection: { count: 1 } })))?.count ?? limit + 1);
  return { allowed: count <= limit, limit, remaining: Math.max(0, limit - count), resetS };
}
