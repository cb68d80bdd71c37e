import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Database } from '@tagward/db';

/**
 * Login throttling per account and per client IP, in the database so that the limit holds
 * across every API process. Fixed windows counted with `$inc` upserts on a string `_id` (the
 * operations FerretDB 1.x supports; it has no TTL index, so old counters are deleted by
 * `deleteExpiredLoginCounters`). Only failures count, so a user who types the right password
 * is never slowed down by their own earlier typos once they succeed.
 */

export interface LoginThrottleLimits {
  /** Failed attempts allowed per account per window. */
  perAccount: number;
  /** Failed attempts allowed per IP per window (higher: offices and NATs share addresses). */
  perIp: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginThrottleLimits = {
  perAccount: 10,
  perIp: 50,
  windowMs: 15 * 60 * 1000,
};

const KEY_PREFIX = 'login:';

export type ThrottleDecision = { allowed: true } | { allowed: false; retryAfterSeconds: number };

function accountKey(email: string): string {
  // Hashed so the counters collection holds no email addresses.
  return encodeHexLowerCase(sha256(new TextEncoder().encode(email.trim().toLowerCase()))).slice(0, 32);
}

function windowStart(now: Date, windowMs: number): number {
  return Math.floor(now.getTime() / windowMs) * windowMs;
}

function counterIds(email: string, ip: string, now: Date, windowMs: number): [string, string] {
  const w = windowStart(now, windowMs);
  return [`${KEY_PREFIX}acct:${accountKey(email)}:${w}`, `${KEY_PREFIX}ip:${ip}:${w}`];
}

export class LoginThrottle {
  constructor(
    private readonly db: Database,
    private readonly limits: LoginThrottleLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  async check(email: string, ip: string, now: Date = new Date()): Promise<ThrottleDecision> {
    const [acctId, ipId] = counterIds(email, ip, now, this.limits.windowMs);
    // Two lookups by `_id`: the only filter FerretDB 1.x answers without a collection scan.
    const [acct, byIp] = await Promise.all([
      this.db.models.RateCounter.findById(acctId, { count: 1 }).lean(),
      this.db.models.RateCounter.findById(ipId, { count: 1 }).lean(),
    ]);
    if ((acct?.count ?? 0) >= this.limits.perAccount || (byIp?.count ?? 0) >= this.limits.perIp) {
      const end = windowStart(now, this.limits.windowMs) + this.limits.windowMs;
      return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((end - now.getTime()) / 1000)) };
    }
    return { allowed: true };
  }

  async recordFailure(email: string, ip: string, now: Date = new Date()): Promise<void> {
    const expiresAt = new Date(windowStart(now, this.limits.windowMs) + this.limits.windowMs);
    const ids = counterIds(email, ip, now, this.limits.windowMs);
    await Promise.all(
      ids.map((_id) =>
        this.db.models.RateCounter.updateOne(
          { _id },
          { $inc: { count: 1 }, $setOnInsert: { expiresAt } },
          { upsert: true },
        ),
      ),
    );
  }

  /** After a successful login the account's failures are forgiven (the IP's are not). */
  async recordSuccess(email: string, ip: string, now: Date = new Date()): Promise<void> {
    const [acctId] = counterIds(email, ip, now, this.limits.windowMs);
    await this.db.models.RateCounter.deleteOne({ _id: acctId });
  }
}

export async function deleteExpiredLoginCounters(db: Database, now: Date = new Date()): Promise<number> {
  const result = await db.models.RateCounter.deleteMany({
    _id: { $regex: `^${KEY_PREFIX}` },
    expiresAt: { $lte: now },
  });
  return result.deletedCount;
}
