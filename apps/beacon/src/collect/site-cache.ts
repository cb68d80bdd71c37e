import { LRUCache } from 'lru-cache';
import type { Database } from '@tagward/db';

export interface BeaconSite {
  id: string;
  publicKey: string;
  mode: 'live' | 'test';
  allowedOrigins: string[];
  pageTokenRequired: boolean;
  attestationCohortPct: number;
}

/**
 * Sites by publishable key, cached for a few seconds so a settings change (origins, token
 * requirement) applies quickly without a database read per beacon. Unknown keys are cached too
 * (as `null`), so a flood of made-up keys costs one lookup per key per TTL, and the cache size is
 * bounded so the flood cannot grow memory.
 */
export class SiteCache {
  private readonly cache: LRUCache<string, BeaconSite | 'unknown'>;
  private readonly inflight = new Map<string, Promise<BeaconSite | undefined>>();

  constructor(
    private readonly db: Database,
    ttlMs: number,
  ) {
    this.cache = new LRUCache({ max: 50_000, ttl: Math.max(1, ttlMs) });
  }

  async resolve(publicKey: string): Promise<BeaconSite | undefined> {
    const hit = this.cache.get(publicKey);
    if (hit) return hit === 'unknown' ? undefined : hit;
    let pending = this.inflight.get(publicKey);
    if (!pending) {
      pending = this.load(publicKey).finally(() => this.inflight.delete(publicKey));
      this.inflight.set(publicKey, pending);
    }
    return pending;
  }

  private async load(publicKey: string): Promise<BeaconSite | undefined> {
    const doc = await this.db.models.Site.findOne({ publicKey })
      .select({ publicKey: 1, mode: 1, allowedOrigins: 1, pageTokenRequired: 1, attestationCohortPct: 1 })
      .lean();
    if (!doc) {
      this.cache.set(publicKey, 'unknown');
      return undefined;
    }
    const site: BeaconSite = {
      id: String(doc._id),
      publicKey: doc.publicKey,
      mode: doc.mode,
      allowedOrigins: doc.allowedOrigins ?? [],
      pageTokenRequired: doc.pageTokenRequired ?? false,
      attestationCohortPct: doc.attestationCohortPct ?? 0,
    };
    this.cache.set(publicKey, site);
    return site;
  }
}
