import { LRUCache } from 'lru-cache';

interface WindowCount {
  window: number;
  count: number;
}

export interface SourceLimits {
  /** Per visitor hash (site, IP, user agent). */
  visitor: number;
  /** Per client address, whatever the user agent: rotating user agents does not reset it. */
  address: number;
  /** Per network (IPv4 /24, IPv6 /48): many addresses of one network share it. */
  network: number;
  windowMs: number;
}

/** Who sent a beacon, at three widths. All three are per site. */
export interface Source {
  visitor: string;
  address: string;
  network: string;
}

export type SourceScope = keyof Omit<SourceLimits, 'windowMs'>;

const SCOPES: SourceScope[] = ['visitor', 'address', 'network'];

/**
 * Fixed-window counts per source, in this process's memory: no database round trip, so a flood
 * is refused at the cost of parsing it. Only admitted beacons are counted: a source over its own
 * limit spends nothing of its network's budget (nor of the site quota, checked after these), so
 * one flooding address cannot push the other visitors of its network or its site into 429.
 *
 * Across N beacon processes each keeps its own counts, so a source spread over all of them by a
 * round-robin balancer gets up to N times each limit; hashing the client's network at the
 * balancer (deploy/nginx: `hash $tagward_client_network consistent`, the /24 or /48 of the
 * address) keeps every source on one process, where the limits are exact. Memory is bounded:
 * the least recently seen sources are forgotten first.
 */
export class SourceLimiter {
  private readonly counts = new LRUCache<string, WindowCount>({ max: 300_000 });

  constructor(private readonly limits: SourceLimits) {}

  /** The scope whose limit this beacon would exceed, or undefined (and then it is counted). */
  admit(siteId: string, source: Source, now: number): { refused: SourceScope; retryAfterS: number } | undefined {
    const window = Math.floor(now / this.limits.windowMs);
    const entries = SCOPES.map((scope) => {
      const key = `${siteId}|${scope}|${source[scope]}`;
      const current = this.counts.get(key);
      return { scope, key, count: current && current.window === window ? current.count : 0 };
    });
    const over = entries.find((e) => e.count >= this.limits[e.scope]);
    if (over) return { refused: over.scope, retryAfterS: ((window + 1) * this.limits.windowMs - now) / 1000 };
    for (const e of entries) this.counts.set(e.key, { window, count: e.count + 1 });
    return undefined;
  }

  /** Gives back an admission that a later check (the site quota) refused. */
  release(siteId: string, source: Source, now: number): void {
    const window = Math.floor(now / this.limits.windowMs);
    for (const scope of SCOPES) {
      const key = `${siteId}|${scope}|${source[scope]}`;
      const current = this.counts.get(key);
      if (current && current.window === window && current.count > 0) current.count -= 1;
    }
  }
}
