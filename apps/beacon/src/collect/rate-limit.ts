import type { Database } from '@tagward/db';

interface LocalQuota {
  window: number;
  remaining: number;
  /** Next slot index to try claiming; every index below it is known to be taken. */
  nextSlot: number;
  exhausted: boolean;
  claiming?: Promise<void>;
}

export type LimitResult = { ok: true } | { ok: false; retryAfterS: number };

const DUPLICATE_KEY = 11000;

/**
 * A fixed-window limit that holds across every beacon process without a database round trip per
 * request. A window's quota is cut into `limit / chunk` slots; a process claims a slot by
 * inserting a document whose `_id` names it (`<key>:<window>:<slot>`) and then spends that slot's
 * `chunk` admissions locally. A unique `_id` means two processes can never own the same slot,
 * so together they never admit more than `limit` per window. The price: up to
 * (processes × chunk) admissions can stay unused when a window ends with slots half spent.
 *
 * The next slot is claimed in the background once half of the current one is spent, so a
 * request waits for the database only for the first slot of a window (or when traffic outruns a
 * slot per claim round trip). Slot documents are deleted by the collection's TTL index once their
 * window is over.
 */
export class SharedQuotaLimiter {
  private readonly local = new Map<string, LocalQuota>();
  private readonly slots: number;

  constructor(
    private readonly db: Database,
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly chunk = Math.max(1, Math.min(100, Math.floor(limit / 20))),
  ) {
    this.slots = Math.ceil(limit / this.chunk);
  }

  async take(key: string, now: number): Promise<LimitResult> {
    const window = Math.floor(now / this.windowMs);
    const retryAfterS = ((window + 1) * this.windowMs - now) / 1000;
    const id = `${this.name}:${key}`;
    for (;;) {
      let quota = this.local.get(id);
      if (!quota || quota.window !== window) {
        quota = { window, remaining: 0, nextSlot: 0, exhausted: false };
        this.local.set(id, quota);
        if (this.local.size > 200_000) this.prune(window);
      }
      if (quota.remaining > 0) {
        quota.remaining -= 1;
        if (quota.remaining < this.chunk / 2) this.claimSoon(id, quota);
        return { ok: true };
      }
      if (quota.exhausted) return { ok: false, retryAfterS };
      await this.claimSoon(id, quota);
    }
  }

  /** One claim at a time per key; callers that need it wait for the one in flight. */
  private claimSoon(id: string, quota: LocalQuota): Promise<void> {
    if (quota.exhausted) return Promise.resolve();
    quota.claiming ??= this.claim(id, quota).finally(() => {
      quota.claiming = undefined;
    });
    // A background claim that fails is retried by the next request that runs out.
    quota.claiming.catch(() => undefined);
    return quota.claiming;
  }

  private async claim(id: string, quota: LocalQuota): Promise<void> {
    const expiresAt = new Date((quota.window + 2) * this.windowMs);
    while (quota.nextSlot < this.slots) {
      const slot = quota.nextSlot++;
      try {
        await this.db.models.RateCounter.collection.insertOne({
          _id: `${id}:${quota.window}:${slot}` as never,
          count: this.chunk,
          expiresAt,
        });
        // The last slot may be partial when limit is not a multiple of chunk.
        quota.remaining += Math.min(this.chunk, this.limit - slot * this.chunk);
        return;
      } catch (error) {
        if ((error as { code?: number }).code !== DUPLICATE_KEY) {
          quota.nextSlot = slot; // not taken by anyone: try it again next time
          throw error;
        }
        // Another process owns this slot: try the next one.
      }
    }
    quota.exhausted = true;
  }

  private prune(window: number): void {
    for (const [id, quota] of this.local) if (quota.window !== window) this.local.delete(id);
  }
}
