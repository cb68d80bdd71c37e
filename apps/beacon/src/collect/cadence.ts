import { LRUCache } from 'lru-cache';
import type { SourceCounts } from '@tagward/trust';

export interface Cadence {
  countLastMinute: number;
  countLastTenSeconds: number;
  countLastSecond: number;
  intervalsMs: number[];
  identicalTimings: number;
  /** The same windows for the client address on this site, whatever the user agent. */
  address: SourceCounts;
}

/** Exact arrival times kept per source: enough for the intervals and the one-second window. */
const RECENT = 32;
/** One-second buckets: the ten-second and one-minute windows are counted to the second. */
const BUCKETS = 60;
const TIMINGS = 9;
const MAX_COUNT = 0xffff;

/** Arrivals of one source: the last RECENT exact times, and per-second counts for a minute. */
class Arrivals {
  readonly recent: number[] = [];
  /** The idempotency id of each of `recent`, and whether its event was stored as trusted and not yet revised. */
  private readonly ids: string[] = [];
  private readonly trusted: boolean[] = [];
  // Unix seconds fit a Uint32 until 2106; 0 marks an unused bucket.
  private readonly seconds = new Uint32Array(BUCKETS);
  private readonly counts = new Uint16Array(BUCKETS);

  /** Counts the arrivals before `now`, then records `now`. */
  observe(now: number, eventId: string): SourceCounts {
    const second = Math.floor(now / 1000);
    let lastTenSeconds = 0;
    let lastMinute = 0;
    for (let i = 0; i < BUCKETS; i++) {
      const age = second - this.seconds[i]!;
      if (this.seconds[i] === 0 || age < 0 || age >= BUCKETS) continue;
      lastMinute += this.counts[i]!;
      if (age < 10) lastTenSeconds += this.counts[i]!;
    }
    let lastSecond = 0;
    for (const t of this.recent) if (now - t < 1000) lastSecond++;
    const slot = second % BUCKETS;
    if (this.seconds[slot] !== second) {
      this.seconds[slot] = second;
      this.counts[slot] = 0;
    }
    this.counts[slot] = Math.min(MAX_COUNT, this.counts[slot]! + 1);
    this.recent.push(now);
    this.ids.push(eventId);
    this.trusted.push(false);
    if (this.recent.length > RECENT) {
      this.recent.shift();
      this.ids.shift();
      this.trusted.shift();
    }
    return { lastSecond, lastTenSeconds, lastMinute };
  }

  markTrusted(eventId: string): void {
    const i = this.ids.lastIndexOf(eventId);
    if (i >= 0) this.trusted[i] = true;
  }

  /** The trusted arrivals at or after `since`, but `except`; each is handed out once. */
  takeTrusted(since: number, except: string, into: Set<string>): void {
    for (let i = this.recent.length - 1; i >= 0 && this.recent[i]! >= since; i--) {
      if (!this.trusted[i] || this.ids[i] === except) continue;
      this.trusted[i] = false;
      into.add(this.ids[i]!);
    }
  }
}

interface VisitorHistory {
  arrivals: Arrivals;
  timings: string[];
}

/**
 * Arrival history for the cadence signals: bursts (in the last second, ten seconds, minute),
 * machine-regular intervals and identical client timings per visitor hash, and bursts per client
 * address on a site whatever the user agent (a flood rotating user agents makes a new visitor
 * hash per beacon, never a new address). The handler calls `observe` before the rate limits, so
 * the beacons they refuse are counted too: a burst is judged on all of it, from its first beacons.
 *
 * It also remembers which of those arrivals were scored trusted, for hindsight: once a later
 * beacon shows a burst or a timer, the trusted beacons it reaches back to are re-scored
 * (`CadenceReviser`).
 *
 * Kept in this process's memory, bounded (least recently seen sources are forgotten first), with
 * no database round trip on the ingest path. The bound with several processes: each judges the
 * beacons that reach it. With the recommended deployment, the balancer hashes the client address
 * to one beacon process (deploy/nginx: `hash $remote_addr consistent`), so every beacon of an
 * address, and of each of its visitor hashes, reaches the same process and the counts are exact.
 * Where a source's beacons are spread over N processes (round-robin balancing, or
 * BEACON_WORKERS > 1, whose cluster primary deals connections out in turn), each process sees
 * about 1/N of them: a burst is flagged only once it is N times the thresholds, and regularity is
 * judged on every N-th interval (a fixed timer stays regular under strict round robin, random
 * spreading hides it). The signals never fire falsely for that; they fire later.
 */
export class CadenceTracker {
  private readonly visitors = new LRUCache<string, VisitorHistory>({ max: 100_000, ttl: 60_000 * 5, updateAgeOnGet: true });
  private readonly addresses = new LRUCache<string, Arrivals>({ max: 100_000, ttl: 60_000 * 5, updateAgeOnGet: true });

  /** `addressKey` names the site and the client address (the site's own count per address). */
  observe(visitorHash: string, addressKey: string, now: number, timingKey: string, eventId: string): Cadence {
    let history = this.visitors.get(visitorHash);
    if (!history) {
      history = { arrivals: new Arrivals(), timings: [] };
      this.visitors.set(visitorHash, history);
    }
    const visitor = history.arrivals.observe(now, eventId);
    const all = history.arrivals.recent;
    const intervalsMs: number[] = [];
    for (let i = Math.max(1, all.length - 8); i < all.length; i++) intervalsMs.push(all[i]! - all[i - 1]!);
    const identicalTimings = history.timings.filter((t) => t === timingKey).length;
    history.timings.push(timingKey);
    if (history.timings.length > TIMINGS) history.timings.shift();
    let address = this.addresses.get(addressKey);
    if (!address) {
      address = new Arrivals();
      this.addresses.set(addressKey, address);
    }
    return {
      countLastMinute: visitor.lastMinute,
      countLastTenSeconds: visitor.lastTenSeconds,
      countLastSecond: visitor.lastSecond,
      intervalsMs,
      identicalTimings,
      address: address.observe(now, eventId),
    };
  }

  /** Notes that the beacon `eventId` was scored trusted: a later finding may revise it. */
  markTrusted(visitorHash: string, addressKey: string, eventId: string): void {
    this.visitors.get(visitorHash)?.arrivals.markTrusted(eventId);
    this.addresses.get(addressKey)?.markTrusted(eventId);
  }

  /**
   * The beacons scored trusted that arrived within `reach` before `now` (of the visitor, of the
   * address), but `except`: what a finding at `now` reaches back to. Each id is handed out once,
   * so a flood revises every trusted beacon at most once, however many later ones are flagged.
   * Only the last 32 arrivals of a source are known (a minute-long burst reaches its last 32).
   */
  takeTrustedWithin(
    visitorHash: string,
    addressKey: string,
    now: number,
    reach: { visitorMs: number; addressMs: number },
    except: string,
  ): string[] {
    const ids = new Set<string>();
    if (reach.visitorMs > 0) this.visitors.get(visitorHash)?.arrivals.takeTrusted(now - reach.visitorMs, except, ids);
    if (reach.addressMs > 0) this.addresses.get(addressKey)?.takeTrusted(now - reach.addressMs, except, ids);
    return [...ids];
  }
}
