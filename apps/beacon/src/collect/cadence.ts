import { LRUCache } from 'lru-cache';

export interface Cadence {
  countLastMinute: number;
  intervalsMs: number[];
  identicalTimings: number;
}

interface History {
  arrivals: number[];
  timings: string[];
}

const WINDOW_MS = 60_000;
const KEEP = 9;

/**
 * Per-visitor arrival history for the cadence signals (bursts, machine-regular intervals,
 * identical client timings). Kept per process and bounded: with N beacon processes behind a
 * round-robin balancer each sees about 1/N of a visitor's beacons, so these signals weaken (they
 * never fire falsely); the hard per-visitor limit is the shared rate limiter, not this.
 */
export class CadenceTracker {
  private readonly visitors = new LRUCache<string, History>({ max: 100_000, ttl: WINDOW_MS * 5 });

  observe(visitorHash: string, now: number, timingKey: string): Cadence {
    const history = this.visitors.get(visitorHash) ?? { arrivals: [], timings: [] };
    const recent = history.arrivals.filter((t) => now - t < WINDOW_MS);
    const intervalsMs: number[] = [];
    const all = [...history.arrivals, now];
    for (let i = Math.max(1, all.length - 8); i < all.length; i++) intervalsMs.push(all[i]! - all[i - 1]!);
    const identicalTimings = history.timings.filter((t) => t === timingKey).length;
    history.arrivals = all.slice(-KEEP);
    history.timings = [...history.timings, timingKey].slice(-KEEP);
    this.visitors.set(visitorHash, history);
    return { countLastMinute: recent.length, intervalsMs, identicalTimings };
  }
}
