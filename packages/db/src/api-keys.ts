/**
 * Key records shared by the API and the beacon: secret keys and restricted keys by key id, and
 * the per-key use counter both servers feed.
 */
import { Types } from 'mongoose';
import type { Database } from './connection.js';
import { DAY_MS } from './rollups/increments.js';

/** How long per-day use counts are kept. */
export const KEY_USAGE_RETENTION_MS = 90 * DAY_MS;

/** A secret key as the token verifier and authentication need it (@tagward/keys `KeyRecord`). */
export interface SecretKeyLookupRow {
  kid: string;
  siteId: string;
  secretHash: string;
  signingKeyEnc: string;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

/**
 * Secret keys by key id, for page tokens, the verify API and the Stats API. No cache here: the
 * verifier caches for itself, and the Stats API sees a revocation on the next request.
 */
export function secretKeyLookup(db: Database): (kid: string) => Promise<SecretKeyLookupRow | undefined> {
  return async (kid) => {
    const doc = await db.models.SecretKey.findOne({ kid }, { kid: 1, siteId: 1, secretHash: 1, signingKeyEnc: 1, expiresAt: 1, revokedAt: 1 }).lean();
    if (!doc) return undefined;
    return {
      kid: doc.kid,
      siteId: String(doc.siteId),
      secretHash: doc.secretHash,
      signingKeyEnc: doc.signingKeyEnc,
      expiresAt: doc.expiresAt ?? null,
      revokedAt: doc.revokedAt ?? null,
    };
  };
}

/** A restricted key as authentication needs it (@tagward/keys `RestrictedKeyRecord`). */
export interface RestrictedKeyLookupRow {
  kid: string;
  siteId: string;
  secretHash: string;
  scopes: Array<'stats:read' | 'events:read' | 'verify'>;
  expiresAt: Date | null;
  revokedAt: Date | null;
}

const SCOPES = new Set(['stats:read', 'events:read', 'verify']);

/** Restricted keys by key id; no cache, so a revocation takes effect on the next request. */
export function restrictedKeyLookup(db: Database): (kid: string) => Promise<RestrictedKeyLookupRow | undefined> {
  return async (kid) => {
    const doc = await db.models.RestrictedKey.findOne({ kid }, { kid: 1, siteId: 1, secretHash: 1, scopes: 1, expiresAt: 1, revokedAt: 1 }).lean();
    if (!doc) return undefined;
    return {
      kid: doc.kid,
      siteId: String(doc.siteId),
      secretHash: doc.secretHash,
      scopes: doc.scopes.filter((s): s is RestrictedKeyLookupRow['scopes'][number] => SCOPES.has(s)),
      expiresAt: doc.expiresAt ?? null,
      revokedAt: doc.revokedAt ?? null,
    };
  };
}

interface PendingUse {
  kid: string;
  siteId: string;
  day: number;
  requests: number;
  limited: number;
  lastAt: number;
}

/**
 * Counts key uses in memory and writes them every `flushMs` as one bulk of `$inc` upserts (per
 * key and day), so counting costs no database round trip per request. A process that dies loses
 * at most one interval of counts: they are usage figures, not limits (rate limits are exact).
 */
export class KeyUseCounter {
  private pending = new Map<string, PendingUse>();
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> = Promise.resolve();

  constructor(
    private readonly db: Database,
    private readonly options: { flushMs?: number; onError?: (error: unknown) => void } = {},
  ) {}

  record(use: { kid: string; siteId: string | Types.ObjectId; limited: boolean; at?: number }): void {
    const at = use.at ?? Date.now();
    const day = Math.floor(at / DAY_MS) * DAY_MS;
    const id = `${use.kid}:${day}`;
    const entry = this.pending.get(id) ?? { kid: use.kid, siteId: String(use.siteId), day, requests: 0, limited: 0, lastAt: 0 };
    if (use.limited) entry.limited += 1;
    else entry.requests += 1;
    entry.lastAt = Math.max(entry.lastAt, at);
    this.pending.set(id, entry);
    this.timer ??= setTimeout(() => void this.flush(), this.options.flushMs ?? 1000);
    this.timer.unref?.();
  }

  /** Writes what is pending now (also on shutdown). */
  flush(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    if (batch.length === 0) return this.flushing;
    this.flushing = this.flushing.then(() => this.write(batch)).catch((error: unknown) => this.options.onError?.(error));
    return this.flushing;
  }

  private async write(batch: PendingUse[]): Promise<void> {
    const { KeyUsage, RestrictedKey } = this.db.models;
    await KeyUsage.collection.bulkWrite(
      batch.map((u) => ({
        updateOne: {
          filter: { _id: `${u.kid}:${u.day}` as never },
          update: {
            $inc: { requests: u.requests, limited: u.limited },
            $setOnInsert: { kid: u.kid, siteId: new Types.ObjectId(u.siteId), day: new Date(u.day), expiresAt: new Date(u.day + KEY_USAGE_RETENTION_MS) },
          },
          upsert: true,
        },
      })),
      { ordered: false },
    );
    // Last use on restricted keys (secret keys' documents are left alone): a `$max`, so flushes
    // from several processes in any order keep the latest.
    await RestrictedKey.collection.bulkWrite(
      batch.map((u) => ({ updateOne: { filter: { kid: u.kid }, update: { $max: { lastUsedAt: new Date(u.lastAt) } } } })),
      { ordered: false },
    );
  }
}

/** Requests and rate-limit refusals per key since `since` (the keys of one site). */
export async function readKeyUsage(db: Database, kids: readonly string[], since: Date): Promise<Map<string, { requests: number; limited: number }>> {
  if (kids.length === 0) return new Map();
  const rows = await db.models.KeyUsage.collection
    .aggregate<{ _id: string; requests: number; limited: number }>([
      { $match: { kid: { $in: [...kids] }, day: { $gte: since } } },
      { $group: { _id: '$kid', requests: { $sum: '$requests' }, limited: { $sum: '$limited' } } },
    ])
    .toArray();
  return new Map(rows.map((r) => [r._id, { requests: r.requests, limited: r.limited }]));
}
