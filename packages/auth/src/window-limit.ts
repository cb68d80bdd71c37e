import type { Database } from '@tagward/db';
import { sha256Hex } from './tokens.js';

/**
 * A fixed-window counter in the database (`rate_counters`, TTL-expired), shared by every API
 * process: at most `limit` uses per key per window. The use is counted before the work it
 * guards, atomically (`$inc` returning the new count), so a burst cannot pass the limit.
 */
export class WindowLimiter {
  constructor(
    private readonly db: Database,
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  /** Counts one use of `key`; false when the window's limit was already reached. */
  async consume(key: string, now: Date = new Date()): Promise<boolean> {
    const window = Math.floor(now.getTime() / this.windowMs);
    // Hashed: keys are addresses and emails, which the counters need not hold.
    const id = `${this.name}:${sha256Hex(key.trim().toLowerCase()).slice(0, 32)}:${window}`;
    const expiresAt = new Date((window + 1) * this.windowMs);
    const counters = this.db.models.RateCounter.collection;
    for (;;) {
      const row = await counters.findOneAndUpdate({ _id: id as never }, { $inc: { count: 1 } }, { returnDocument: 'after' });
      if (row) return (row.count as number) <= this.limit;
      try {
        // Created first, then incremented: not an upsert, whose racing answers SecantusDB may drop.
        await counters.insertOne({ _id: id as never, count: 0, expiresAt });
      } catch (error) {
        if ((error as { code?: number }).code !== 11000) throw error;
      }
    }
  }
}
