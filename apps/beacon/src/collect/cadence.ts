import { LRUCache } from 'lru-cache';
import type { CadenceReach, SourceCounts } from '@tagward/trust';

export interface Cadence {
  countLastMinute: number;
  countLastTenSeconds: number;
  countLastSecond: number;
  intervalsMs: number[];
  identicalTimings: number;
  /** The same windows for the client address on this site, whatever the user agent. */
  address: SourceCounts;
  /** How many other addresses of the client's network (IPv4 /24, IPv6 /48) were seen on this site in the same windows. */
  network: SourceCounts;
}

/** The keys of a beacon's address and network sources, each naming the site too. */
export interface SourceKeys {
  address: string;
  network: string;
}

/** Exact arrival times kept per source: enough for the intervals and the one-second window. */
const RECENT = 32;
/** Exact arrivals kept per network, for hindsight: a network's flood is many addresses' beacons. */
const NETWORK_RECENT = 64;
/** Addresses remembered per network (an IPv4 /24 has 256; an IPv6 /48 is bounded here). */
const NETWORK_ADDRESSES = 256;
/** One-second buckets: the ten-second and one-minute windows are counted to the second. */
const BUCKETS = 60;
const WINDOW_MS = BUCKETS * 1000;
const TIMINGS = 9;
const MAX_COUNT = 0xffff;

/** Arrivals of one source: the last `keep` exact times, and per-second counts for a minute. */
class Arrivals {
  constructor(private readonly keep = RECENT) {}

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
    if (this.recent.length > this.keep) {
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

/**
 * The addresses of one network seen on a site: for each, when it was last seen. Counts the other
 * addresses seen in each window, so one address flooding is its own finding (`address`), not its
 * neighbours', and a flood spread over the network's addresses is counted per address it uses.
 */
class NetworkArrivals {
  readonly arrivals = new Arrivals(NETWORK_RECENT);
  // Ordered by last arrival: an address seen again moves to the end.
  private readonly lastSeen = new Map<string, number>();

  observe(address: string, now: number, eventId: string): SourceCounts {
    for (const [first, at] of this.lastSeen) {
      if (now - at < WINDOW_MS && this.lastSeen.size <= NETWORK_ADDRESSES) break;
      this.lastSeen.delete(first);
    }
    let lastSecond = 0;
    let lastTenSeconds = 0;
    let lastMinute = 0;
    for (const [other, at] of this.lastSeen) {
      if (other === address) continue;
      const age = now - at;
      if (age < 0) continue;
      lastMinute++;
      if (age < 10_000) lastTenSeconds++;
      if (age < 1_000) lastSecond++;
    }
    this.lastSeen.delete(address);
    this.lastSeen.set(address, now);
    this.arrivals.observe(now, eventId);
    return { lastSecond, lastTenSeconds, lastMinute };
  }
}

interface VisitorHistory {
  arrivals: Arrivals;
  timings: string[];
}

/**
 * Arrival history for the cadence signals: bursts (in the last second, ten seconds, minute),
 * machine-regular intervals and identical client timings per visitor hash; bursts per client
 * address on a site whatever the user agent (a flood rotating user agents makes a new visitor
 * hash per beacon, never a new address); and bursts per network (IPv4 /24, IPv6 /48) on a site
 * whatever the address (a flood spread over the addresses of one subnet). The handler calls
 * `observe` before the rate limits, so the beacons they refuse are counted too: a burst is judged
 * on all of it, from its first beacons.
 *
 * It also remembers which of those arrivals were scored trusted, for hindsight: once a later
 * beacon shows a burst or a timer, the trusted beacons it reaches back to are re-scored
 * (`CadenceReviser`).
 *
 * Kept in this process's memory, bounded (least recently seen sources are forgotten first: 100,000
 * visitors and addresses, 10,000 networks of at most 256 addresses each, so a network's count walks
 * at most 256 entries), with no database round trip on the ingest path. The bound with several
 * processes: each judges the beacons that reach it. With the recommended deployment, the balancer hashes the client's network
 * to one beacon process (deploy/nginx: `hash $tagward_client_network consistent`), so every beacon
 * of a network, and of each of its addresses and visitor hashes, reaches the same process and the
 * counts are exact.
 * Where a source's beacons are spread over N processes (round-robin balancing, or
 * BEACON_WORKERS > 1, whose cluster primary deals connections out in turn), each process sees
 * about 1/N of them: a burst is flagged only once it is N times the thresholds, and regularity is
 * judged on every N-th interval (a fixed timer stays regular under strict round robin, random
 * spreading hides it). The signals never fire falsely for that; they fire later.
 */
export class CadenceTracker {
  private readonly visitors = new LRUCache<string, VisitorHistory>({ max: 100_000, ttl: 60_000 * 5, updateAgeOnGet: true });
  private readonly addresses = new LRUCache<string, Arrivals>({ max: 100_000, ttl: 60_000 * 5, updateAgeOnGet: true });
  private readonly networks = new LRUCache<string, NetworkArrivals>({ max: 10_000, ttl: 60_000 * 5, updateAgeOnGet: true });

  /** `keys` name the site with the client address and with its network (the site's own counts). */
  observe(visitorHash: string, keys: SourceKeys, now: number, timingKey: string, eventId: string): Cadence {
    const history = entry(this.visitors, visitorHash, () => ({ arrivals: new Arrivals(), timings: [] }));
    const visitor = history.arrivals.observe(now, eventId);
    const all = history.arrivals.recent;
    const intervalsMs: number[] = [];
    for (let i = Math.max(1, all.length - 8); i < all.length; i++) intervalsMs.push(all[i]! - all[i - 1]!);
    const identicalTimings = history.timings.filter((t) => t === timingKey).length;
    history.timings.push(timingKey);
    if (history.timings.length > TIMINGS) history.timings.shift();
    return {
      countLastMinute: visitor.lastMinute,
      countLastTenSeconds: visitor.lastTenSeconds,
      countLastSecond: visitor.lastSecond,
      intervalsMs,
      identicalTimings,
      address: entry(this.addresses, keys.address, () => new Arrivals()).observe(now, eventId),
      network: entry(this.networks, keys.network, () => new NetworkArrivals()).observe(keys.address, now, eventId),
    };
  }

  /** Notes that the beacon `eventId` was scored trusted: a later finding may revise it. */
  markTrusted(visitorHash: string, keys: SourceKeys, eventId: string): void {
    this.visitors.get(visitorHash)?.arrivals.markTrusted(eventId);
    this.addresses.get(keys.address)?.markTrusted(eventId);
    this.networks.get(keys.network)?.arrivals.markTrusted(eventId);
  }

  /**
   * The beacons scored trusted that arrived within `reach` before `now` (of the visitor, of the
   * address, of the network), but `except`: what a finding at `now` reaches back to. Each id is
   * handed out once, so a flood revises every trusted beacon at most once, however many later
   * ones are flagged. Only the last 32 arrivals of a visitor or an address, and the last 64 of a
   * network, are known (a minute-long burst reaches that many).
   */
  takeTrustedWithin(
    visitorHash: string,
    keys: SourceKeys,
    now: number,
    reach: CadenceReach,
    except: string,
  ): string[] {
    const ids = new Set<string>();
    if (reach.visitorMs > 0) this.visitors.get(visitorHash)?.arrivals.takeTrusted(now - reach.visitorMs, except, ids);
    if (reach.addressMs > 0) this.addresses.get(keys.address)?.takeTrusted(now - reach.addressMs, except, ids);
    if (reach.networkMs > 0) this.networks.get(keys.network)?.arrivals.takeTrusted(now - reach.networkMs, except, ids);
    return [...ids];
  }
}

/** The history kept under `key`, started with `make` the first time the source is seen. */
function entry<T extends object>(sources: LRUCache<string, T>, key: string, make: () => T): T {
  let found = sources.get(key);
  if (!found) {
    found = make();
    sources.set(key, found);
  }
  return found;
}
