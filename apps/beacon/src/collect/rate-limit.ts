import type { Database } from '@tagward/db';

interface LocalQuota {
  window: number;
  remaining: number;
  exhausted: boolean;
  claiming?: Promise<void>;
}

export type LimitResult = { ok: true } | { ok: false; retryAfterS: number };

/**
 * A fixed-window limit that holds across every beacon process without a database round trip per
 * request. Each process claims the window's quota from a shared counter in chunks
 * (`$inc` by `chunk` on a document per key and window) and spends the chunk locally. A claim
 * grants only what is left under the limit, so the processes together never admit more than
 * `limit` per window; the price is that up to (processes × chunk) of quota can stay unused when a
 * window ends with chunks half spent. Counters are plain documents deleted by `sweep()`
 * (FerretDB 1.x has no TTL indexes).
 */
export class SharedQuotaLimiter {
  private readonly local = new Map<string, LocalQuota>();

  constructor(
    private readonly db: Database,
    private readonly name: string,
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly chunk = Math.max(1, Math.min(100, Math.floor(limit / 20))),
  ) {}

  async take(key: string, now: number): Promise<LimitResult> {
    const window = Math.floor(now / this.windowMs);
    const retryAfterS = ((window + 1) * this.windowMs - now) / 1000;
    const id = `${this.name}:${key}`;
    for (;;) {
      let quota = this.local.get(id);
      if (!quota || quota.window !== window) {
        quota = { window, remaining: 0, exhausted: false };
        this.local.set(id, quota);
        if (this.local.size > 200_000) this.prune(window);
      }
      if (quota.remaining > 0) {
        quota.remaining -= 1;
        return { ok: true };
      }
      if (quota.exhausted) return { ok: false, retryAfterS };
      // One claim at a time per key; concurrent requests wait for it and then re-check.
      quota.claiming ??= this.claim(id, quota).finally(() => {
        quota.claiming = undefined;
      });
      await quota.claiming;
    }
  }

  private async claim(id: string, quota: LocalQuota): Promise<void> {
    const doc = await this.db.models.RateCounter.findOneAndUpdate(
      { _id: `${id}:${quota.window}` },
      {
        $inc: { count: this.chunk },
        $setOnInsert: { expiresAt: new Date((quota.window + 2) * this.windowMs) },
      },
      { upsert: true, new: true },
    ).lean();
    const after = doc?.count ?? this.chunk;
    const granted = Math.min(this.chunk, this.limit - (after - this.chunk));
    if (granted <= 0) quota.exhausted = true;
    else quota.remaining += granted;
  }

  private prune(window: number): void {
    for (const [id, quota] of this.local) if (quota.window !== window) this.local.delete(id);
  }

  /** Deletes counters of past windows. */
  async sweep(now: number): Promise<void> {
    await this.db.models.RateCounter.deleteMany({ expiresAt: { $lt: new Date(now) } });
  }
}
