import { sha256 } from '@oslojs/crypto/sha2';
import { encodeHexLowerCase } from '@oslojs/encoding';
import type { Database } from '@tagward/db';

/**
 * Login throttling per account and per client IP, in the database so that the limit holds
 * across every API process — and under concurrency. Each attempt first claims one of the
 * window's slots (`perAccount` for the account, `perIp` for the IP) by inserting a document whose
 * `_id` names the slot; the unique `_id` makes the claim atomic. Counting failures after the
 * password check would let a burst of parallel guesses all pass the check before any failure is
 * counted. A successful login gives back the account's slots (its owner's typos are forgiven) and
 * the one IP slot it used, so in effect only failures count: an office behind one address is not
 * locked out by its own logins. Slots expire with their window (TTL index on `expiresAt`).
 */

export interface LoginThrottleLimits {
  /** Attempts allowed per account per window (a success gives them back). */
  perAccount: number;
  /** Attempts allowed per IP per window (higher: offices and NATs share addresses). */
  perIp: number;
  windowMs: number;
}

export const DEFAULT_LOGIN_LIMITS: LoginThrottleLimits = {
  perAccount: 10,
  perIp: 50,
  windowMs: 15 * 60 * 1000,
};

const KEY_PREFIX = 'login:';
const DUPLICATE_KEY = 11000;

/** Allowed attempts carry the IP slot they hold, so a success can give exactly that one back. */
export type ThrottleDecision =
  | { allowed: true; ipSlot: string }
  | { allowed: false; retryAfterSeconds: number };

function accountKey(email: string): string {
  // Hashed so the counters collection holds no email addresses.
  return encodeHexLowerCase(sha256(new TextEncoder().encode(email.trim().toLowerCase()))).slice(0, 32);
}

function windowStart(now: Date, windowMs: number): number {
  return Math.floor(now.getTime() / windowMs) * windowMs;
}

function slotPrefixes(email: string, ip: string, now: Date, windowMs: number): { account: string; ip: string } {
  const w = windowStart(now, windowMs);
  return { account: `${KEY_PREFIX}acct:${accountKey(email)}:${w}:`, ip: `${KEY_PREFIX}ip:${ip}:${w}:` };
}

export class LoginThrottle {
  constructor(
    private readonly db: Database,
    private readonly limits: LoginThrottleLimits = DEFAULT_LOGIN_LIMITS,
  ) {}

  /**
   * Claims one attempt for the account and one for the IP. Call it before checking the
   * password; when it is refused, do not check the password at all.
   */
  async attempt(email: string, ip: string, now: Date = new Date()): Promise<ThrottleDecision> {
    const prefixes = slotPrefixes(email, ip, now, this.limits.windowMs);
    const expiresAt = new Date(windowStart(now, this.limits.windowMs) + this.limits.windowMs);
    const ipSlot =
      (await this.claim(prefixes.account, this.limits.perAccount, expiresAt)) &&
      (await this.claim(prefixes.ip, this.limits.perIp, expiresAt));
    if (ipSlot) return { allowed: true, ipSlot };
    return { allowed: false, retryAfterSeconds: Math.max(1, Math.ceil((expiresAt.getTime() - now.getTime()) / 1000)) };
  }

  /** After a successful login: the account's attempts and this attempt's IP slot are given back. */
  async recordSuccess(
    email: string,
    ip: string,
    decision: { ipSlot: string },
    now: Date = new Date(),
  ): Promise<void> {
    const { account } = slotPrefixes(email, ip, now, this.limits.windowMs);
    await Promise.all([
      // The prefix is hex and digits only: nothing to escape in the pattern.
      this.db.models.RateCounter.deleteMany({ _id: { $regex: `^${account}` } }),
      this.db.models.RateCounter.deleteOne({ _id: decision.ipSlot }),
    ]);
  }

  /**
   * The `_id` of the slot claimed, or undefined when the window's slots are all taken. Always
   * scans from slot 0: a success elsewhere may have freed a low slot, and a remembered position
   * would then refuse logins that are within the limit. Costs one insert per slot already taken.
   */
  private async claim(prefix: string, limit: number, expiresAt: Date): Promise<string | undefined> {
    for (let slot = 0; slot < limit; slot++) {
      try {
        const id = `${prefix}${slot}`;
        await this.db.models.RateCounter.collection.insertOne({ _id: id as never, count: 1, expiresAt });
        return id;
      } catch (error) {
        if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
      }
    }
    return undefined;
  }
}
