import type { Database } from '@tagward/db';
import { sha256Hex } from './tokens.js';

/**
 * Login throttling that slows the attacker, not the owner (docs/accounts.md has the numbers).
 *
 * - Each account+address **pair** gets a few free failures, then every further attempt must wait
 *   a delay that doubles with each failure (1 s, 2 s, 4 s … at most 15 minutes). Someone guessing
 *   from their address is slowed to a crawl; the owner on another address is not touched by it.
 * - Each **address** over all accounts gets more free failures, then the same doubling delay: one
 *   address spraying a password over many accounts is slowed the same way.
 * - Nothing ever refuses an account outright. When an account has many failures from all
 *   addresses (`underAttack`), a login from an address it never logged in from is answered "we
 *   mailed you a sign-in link" whether the password was right or not, and the link is mailed only
 *   when it was: a botnet's correct guess gets no session and learns nothing, the owner gets in
 *   through their mailbox.
 *
 * All state is in the database (`rate_counters`, TTL-expired), so the limits hold across every
 * API process. An attempt is charged *before* the password is checked: counting after the check
 * would let a burst of parallel guesses all pass before any failure was counted. Past the free
 * failures, the right to the next attempt is a compare-and-set on the pair's `nextAt`, so of
 * several attempts at once only one gets through.
 */
export interface LoginThrottleSettings {
  /** Failures of one account+address pair before further attempts wait. */
  pairFreeFailures: number;
  /** Failures of one address (all accounts) before further attempts wait. */
  addressFreeFailures: number;
  /** The first wait; it doubles with every further failure. */
  baseDelayMs: number;
  maxDelayMs: number;
  /** How long a pair's failures are remembered after its last attempt. */
  pairMemoryMs: number;
  /** How long an address's failures are remembered after its last attempt. */
  addressMemoryMs: number;
  /** Failures of one account from all addresses, within one alarm window, that mean "under attack". */
  accountAlarmFailures: number;
  alarmWindowMs: number;
  /** How long an address a login succeeded from stays known for that account. */
  knownAddressMs: number;
}

export const DEFAULT_LOGIN_THROTTLE: LoginThrottleSettings = {
  pairFreeFailures: 5,
  addressFreeFailures: 30,
  baseDelayMs: 1000,
  maxDelayMs: 15 * 60 * 1000,
  pairMemoryMs: 24 * 60 * 60 * 1000,
  addressMemoryMs: 60 * 60 * 1000,
  accountAlarmFailures: 20,
  alarmWindowMs: 60 * 60 * 1000,
  knownAddressMs: 90 * 24 * 60 * 60 * 1000,
};

/** An attempt that was let through: what `succeeded`/`failed` need to settle it. */
export interface AllowedAttempt {
  allowed: true;
  account: string;
  address: string;
}

export type ThrottleDecision = AllowedAttempt | { allowed: false; retryAfterSeconds: number };

interface Counter {
  _id: string;
  count?: number;
  nextAt?: Date | null;
}

/** Hashed, so the counters hold no email addresses and no IP addresses. */
function keyOf(value: string): string {
  return sha256Hex(value.trim().toLowerCase()).slice(0, 32);
}

/** The wait that follows failure number `n` (1-based) when `free` failures are free. */
export function delayAfterFailure(n: number, free: number, settings: Pick<LoginThrottleSettings, 'baseDelayMs' | 'maxDelayMs'>): number {
  if (n < free) return 0;
  return Math.min(settings.baseDelayMs * 2 ** Math.min(n - free, 30), settings.maxDelayMs);
}

export class LoginThrottle {
  constructor(
    private readonly db: Database,
    private readonly settings: LoginThrottleSettings = DEFAULT_LOGIN_THROTTLE,
    /** Separates uses that must not share counters (password logins, second-factor codes). */
    private readonly scope = 'login',
  ) {}

  private get counters() {
    return this.db.models.RateCounter.collection;
  }

  /**
   * Claims an attempt for `account` (an email, or a user id for second-factor codes) from `ip`.
   * Call it before checking the secret; when refused, do not check it at all.
   */
  async attempt(account: string, ip: string, now: Date = new Date()): Promise<ThrottleDecision> {
    const accountKey = keyOf(account);
    const pair = `${this.scope}:pair:${accountKey}:${keyOf(ip)}`;
    const address = `${this.scope}:addr:${keyOf(ip)}`;
    const pairWait = await this.charge(pair, this.settings.pairFreeFailures, this.settings.pairMemoryMs, now);
    if (pairWait > 0) return { allowed: false, retryAfterSeconds: Math.ceil(pairWait / 1000) };
    const addressWait = await this.charge(address, this.settings.addressFreeFailures, this.settings.addressMemoryMs, now);
    if (addressWait > 0) {
      await this.counters.updateOne({ _id: pair as never }, { $inc: { count: -1 } });
      return { allowed: false, retryAfterSeconds: Math.ceil(addressWait / 1000) };
    }
    return { allowed: true, account: accountKey, address: keyOf(ip) };
  }

  /** The secret was right: the pair's failures are forgiven and the address's charge given back. */
  async succeeded(attempt: AllowedAttempt): Promise<void> {
    await Promise.all([
      this.counters.deleteOne({ _id: `${this.scope}:pair:${attempt.account}:${attempt.address}` as never }),
      this.counters.updateOne({ _id: `${this.scope}:addr:${attempt.address}` as never }, { $inc: { count: -1 } }),
    ]);
  }

  /** The secret was wrong: the charge stays, and the account's alarm counter goes up. */
  async failed(attempt: AllowedAttempt, now: Date = new Date()): Promise<void> {
    const window = Math.floor(now.getTime() / this.settings.alarmWindowMs);
    const expiresAt = new Date((window + 1) * this.settings.alarmWindowMs);
    await this.counters.updateOne(
      { _id: `${this.scope}:alarm:${attempt.account}:${window}` as never },
      { $inc: { count: 1 }, $set: { expiresAt } },
      { upsert: true },
    );
  }

  /** Whether the account has had so many failures this window that unknown addresses need a link. */
  async underAttack(attempt: AllowedAttempt, now: Date = new Date()): Promise<boolean> {
    const window = Math.floor(now.getTime() / this.settings.alarmWindowMs);
    const row = (await this.counters.findOne({ _id: `${this.scope}:alarm:${attempt.account}:${window}` as never })) as Counter | null;
    return (row?.count ?? 0) >= this.settings.accountAlarmFailures;
  }

  /** Whether a login of this account succeeded from this address before (within `knownAddressMs`). */
  async isKnownAddress(attempt: AllowedAttempt): Promise<boolean> {
    return (await this.counters.findOne({ _id: `${this.scope}:known:${attempt.account}:${attempt.address}` as never })) !== null;
  }

  async rememberAddress(account: string, ip: string, now: Date = new Date()): Promise<void> {
    await this.counters.updateOne(
      { _id: `${this.scope}:known:${keyOf(account)}:${keyOf(ip)}` as never },
      { $set: { count: 1, expiresAt: new Date(now.getTime() + this.settings.knownAddressMs) } },
      { upsert: true },
    );
  }

  /**
   * Counts one attempt on a counter and returns how long it must still wait (0: go ahead). A
   * refused attempt is given back: waiting, not hammering, is what gets the next try.
   */
  private async charge(id: string, free: number, memoryMs: number, now: Date): Promise<number> {
    const row = await this.increment(id, new Date(now.getTime() + memoryMs));
    const n = row.count ?? 1;
    if (n <= free) {
      if (n === free) await this.counters.updateOne({ _id: id as never }, { $max: { nextAt: new Date(now.getTime() + this.delay(n, free)) } });
      return 0;
    }
    // Only one attempt wins the slot that opens at `nextAt`; the others of a burst wait again.
    const next = new Date(now.getTime() + this.delay(n, free));
    const won = await this.counters.updateOne(
      // `nextAt` is set by the attempt that used the last free failure; until it is, none passes.
      { _id: id as never, nextAt: { $lte: now } },
      { $set: { nextAt: next } },
    );
    if (won.matchedCount === 1) return 0;
    await this.counters.updateOne({ _id: id as never }, { $inc: { count: -1 } });
    const current = (await this.counters.findOne({ _id: id as never })) as Counter | null;
    return Math.max(1000, (current?.nextAt?.getTime() ?? now.getTime()) - now.getTime());
  }

  private delay(n: number, free: number): number {
    return delayAfterFailure(n, free, this.settings);
  }

  /**
   * `$inc` on an existing counter, creating it first when missing. Not an upsert: SecantusDB may
   * answer null to racing `findOneAndUpdate` upserts, and the count is what decides here.
   */
  private async increment(id: string, expiresAt: Date): Promise<Counter> {
    for (;;) {
      const row = await this.counters.findOneAndUpdate(
        { _id: id as never },
        { $inc: { count: 1 }, $set: { expiresAt } },
        { returnDocument: 'after' },
      );
      if (row) return row as unknown as Counter;
      try {
        await this.counters.insertOne({ _id: id as never, count: 0, nextAt: null, expiresAt });
      } catch (error) {
        // Another attempt created it first: fine, increment that one.
        if ((error as { code?: number }).code !== 11000) throw error;
      }
    }
  }
}
