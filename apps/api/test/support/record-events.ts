/**
 * Stores events and their rollups exactly as the beacon's group commit does (apps/beacon
 * src/collect/rollups.ts): one `$inc` upsert per (site, hour) and per (site, hour, path), here
 * also per (site, day) and (site, day, path). Tests and the stats bench use it to put data where
 * the dashboard reads it, without running the beacon.
 */
import { createHash } from 'node:crypto';
import type { Database } from '@tagward/db';
import type { Types } from 'mongoose';

export const HOUR_MS = 3_600_000;
export const DAY_MS = 24 * HOUR_MS;

export interface FakeEvent {
  receivedAt: Date;
  path: string;
  verdict: 'trusted' | 'suspect' | 'fraud';
  score: number;
  reasons?: Array<{ code: string; weight: number; detail?: string }>;
  checks?: Array<{ id: string; pass: boolean; value?: number | string | null }>;
  tokenValid?: boolean;
  attestationCohort?: boolean;
  signals?: Record<string, unknown>;
}

export function pathId(path: string): string {
  return createHash('sha256').update(path).digest('base64url').slice(0, 22);
}

export function scoreBucket(score: number): string {
  return `b${Math.min(9, Math.max(0, Math.floor(score * 10)))}`;
}

type Inc = Record<string, number>;
const bump = (inc: Inc, field: string, by = 1) => {
  inc[field] = (inc[field] ?? 0) + by;
};

export class RollupBatch {
  readonly hourly = new Map<number, Inc>();
  readonly daily = new Map<number, Inc>();
  readonly paths = new Map<string, { at: number; path: string; inc: Inc }>();
  readonly dailyPaths = new Map<string, { at: number; path: string; inc: Inc }>();

  add(event: FakeEvent): void {
    const t = event.receivedAt.getTime();
    const hour = Math.floor(t / HOUR_MS) * HOUR_MS;
    const day = Math.floor(t / DAY_MS) * DAY_MS;
    for (const [map, at] of [
      [this.hourly, hour],
      [this.daily, day],
    ] as const) {
      const inc = map.get(at) ?? {};
      map.set(at, inc);
      bump(inc, 'total');
      bump(inc, `verdicts.${event.verdict}`);
      bump(inc, `scoreHist.${scoreBucket(event.score)}`);
      for (const reason of event.reasons ?? []) if (reason.weight < 0) bump(inc, `reasons.${reason.code}`);
      for (const check of event.checks ?? []) bump(inc, `checks.${check.id}.${check.pass ? 'pass' : 'fail'}`);
      if (event.tokenValid) bump(inc, 'tokens');
      if (event.attestationCohort) bump(inc, 'cohort');
    }
    for (const [map, at] of [
      [this.paths, hour],
      [this.dailyPaths, day],
    ] as const) {
      const key = `${at}|${event.path}`;
      const entry = map.get(key) ?? { at, path: event.path, inc: {} };
      map.set(key, entry);
      bump(entry.inc, 'total');
      bump(entry.inc, `verdicts.${event.verdict}`);
    }
  }

  /**
   * `$inc` upserts by deterministic `_id`, as the beacon writes them: `<site>:<bucket ms>`, and
   * `<site>:<bucket ms>:<path hash>` for paths; the other fields are set on insert.
   */
  async flush(db: Database, siteId: Types.ObjectId, options: { daily?: boolean } = {}): Promise<void> {
    const site = siteId.toHexString();
    const upserts = <T>(entries: Iterable<T>, toOp: (entry: T) => { _id: string; set: Record<string, unknown>; inc: Inc }) =>
      [...entries].map((entry) => {
        const { _id, set, inc } = toOp(entry);
        return { updateOne: { filter: { _id: _id as never }, update: { $inc: inc, $setOnInsert: { siteId, ...set } }, upsert: true } };
      });
    const hourly = upserts(this.hourly, ([at, inc]) => ({ _id: `${site}:${at}`, set: { hour: new Date(at) }, inc }));
    const paths = upserts(this.paths.values(), (e) => ({ _id: `${site}:${e.at}:${pathId(e.path)}`, set: { hour: new Date(e.at), path: e.path }, inc: e.inc }));
    if (hourly.length) await db.models.HourlyRollup.collection.bulkWrite(hourly, { ordered: false });
    if (paths.length) await db.models.PathRollup.collection.bulkWrite(paths, { ordered: false });
    if (options.daily !== false) {
      const daily = upserts(this.daily, ([at, inc]) => ({ _id: `${site}:${at}`, set: { day: new Date(at) }, inc }));
      const dailyPaths = upserts(this.dailyPaths.values(), (e) => ({ _id: `${site}:${e.at}:${pathId(e.path)}`, set: { day: new Date(e.at), path: e.path }, inc: e.inc }));
      if (daily.length) await db.models.DailyRollup.collection.bulkWrite(daily, { ordered: false });
      if (dailyPaths.length) await db.models.DailyPathRollup.collection.bulkWrite(dailyPaths, { ordered: false });
    }
  }
}

let seq = 0;

export function toEventDoc(siteId: Types.ObjectId, event: FakeEvent): Record<string, unknown> {
  seq += 1;
  return {
    siteId,
    eventId: `ev${seq.toString(36)}${Math.random().toString(36).slice(2, 10)}`,
    receivedAt: event.receivedAt,
    page: { url: `https://shop.example${event.path}`, path: event.path, referrer: '' },
    checks: event.checks ?? [],
    signals: event.signals ?? { v: 1, mode: 'live', origin: { value: 'https://shop.example', status: 'allowed', canonical: true } },
    score: event.score,
    verdict: event.verdict,
    reasons: (event.reasons ?? []).map((r) => ({ code: r.code, weight: r.weight, detail: r.detail ?? '' })),
    rulesVersion: 1,
    overrideVersion: null,
    tokenValid: event.tokenValid ?? false,
    clientErrors: [],
    visitorHash: 'v'.repeat(16),
    shadow: null,
    attestationCohort: event.attestationCohort ?? false,
    label: null,
  };
}

/** Inserts the events and applies their rollups; returns the stored ids in insertion order. */
export async function recordEvents(
  db: Database,
  siteId: Types.ObjectId,
  events: FakeEvent[],
  options: { daily?: boolean } = {},
): Promise<Types.ObjectId[]> {
  const docs = events.map((e) => toEventDoc(siteId, e));
  const result = await db.models.Event.collection.insertMany(docs, { ordered: true });
  const batch = new RollupBatch();
  for (const e of events) batch.add(e);
  await batch.flush(db, siteId, options);
  return Object.values(result.insertedIds) as Types.ObjectId[];
}
