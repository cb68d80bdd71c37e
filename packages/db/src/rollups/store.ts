/**
 * Writing and reading the rollup collections: the one module that knows their documents.
 *
 * - `rollups_hourly` / `rollups_daily`: per site and hour (UTC day), the counters of RollupCounters;
 * - `rollups_paths` / `rollups_paths_daily`: per site, bucket and path, total and verdicts.
 *
 * Writes are `$inc` upserts by deterministic `_id`, safe from any number of processes at once.
 */
import type { mongo, Types, ClientSession } from 'mongoose';
import type { Database } from '../connection.js';
import { DAY_MS, HOUR_MS, ROLLUP_KINDS, type RollupIncrements, type RollupKind, type RollupUpsert } from './increments.js';

export type Granularity = 'hour' | 'day';

export interface RollupRange {
  from: Date;
  to: Date;
  granularity: Granularity;
}

/** Counters of one site-and-bucket document. Keys of the maps are our own codes. */
export interface RollupCounters {
  total: number;
  verdicts: Partial<Record<string, number>>;
  scoreHist: Partial<Record<string, number>>;
  reasons: Partial<Record<string, number>>;
  checks: Partial<Record<string, { pass?: number; fail?: number }>>;
  tokens: number;
  cohort: number;
  cohortVerdicts: Partial<Record<string, number>>;
  cohortScoreHist: Partial<Record<string, number>>;
  cohortAttest: Partial<Record<string, number>>;
}

export interface RollupBucket extends RollupCounters {
  /** Start of the hour or UTC day. */
  start: Date;
}

export interface PathTotals {
  path: string;
  total: number;
  trusted: number;
  suspect: number;
  fraud: number;
}

function collectionOf(db: Database, kind: RollupKind): mongo.Collection {
  const { HourlyRollup, DailyRollup, PathRollup, DailyPathRollup } = db.models;
  const models = { hourly: HourlyRollup, daily: DailyRollup, paths: PathRollup, dailyPaths: DailyPathRollup };
  return models[kind].collection as unknown as mongo.Collection;
}

async function upsertAll(collection: mongo.Collection, upserts: Map<string, RollupUpsert>): Promise<void> {
  if (upserts.size === 0) return;
  const ops = [...upserts.values()].map(({ _id, setOnInsert, inc }) => ({
    updateOne: { filter: { _id: _id as never }, update: { $inc: inc, $setOnInsert: setOnInsert }, upsert: true },
  }));
  await collection.bulkWrite(ops, { ordered: false });
}

/**
 * Applies increments: one unordered bulk of `$inc` upserts per collection. If the connection
 * breaks half-way, the caller cannot tell which upserts were applied; rollups are derived data
 * and `rebuildRollups` recomputes a site's from its events.
 */
export async function writeRollups(db: Database, increments: RollupIncrements): Promise<void> {
  await Promise.all(ROLLUP_KINDS.map((kind) => upsertAll(collectionOf(db, kind), increments[kind])));
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);
const map = <T>(value: unknown): Partial<Record<string, T>> => (value && typeof value === 'object' ? (value as Partial<Record<string, T>>) : {});

function toCounters(row: Record<string, unknown>): RollupCounters {
  return {
    total: num(row.total),
    verdicts: map(row.verdicts),
    scoreHist: map(row.scoreHist),
    reasons: map(row.reasons),
    checks: map(row.checks),
    tokens: num(row.tokens),
    cohort: num(row.cohort),
    cohortVerdicts: map(row.cohortVerdicts),
    cohortScoreHist: map(row.cohortScoreHist),
    cohortAttest: map(row.cohortAttest),
  };
}

/** The site's bucket documents of a range, oldest first: daily ones for a day range, else hourly. */
export async function readBuckets(db: Database, siteId: Types.ObjectId, range: RollupRange): Promise<RollupBucket[]> {
  const field = range.granularity === 'day' ? 'day' : 'hour';
  const collection = collectionOf(db, range.granularity === 'day' ? 'daily' : 'hourly');
  const rows = await collection
    .find({ siteId, [field]: { $gte: range.from, $lt: range.to } }, { projection: { _id: 0, siteId: 0 } })
    .sort({ [field]: 1 })
    .toArray();
  return rows.map((row) => ({ ...toCounters(row), start: row[field] as Date }));
}

/**
 * The most viewed paths of a range, summed by the database. `counted` is what the dashboard
 * headline counts: trusted, plus suspect when included.
 */
export async function readTopPaths(
  db: Database,
  siteId: Types.ObjectId,
  range: RollupRange,
  options: { includeSuspect: boolean; limit: number },
): Promise<Array<PathTotals & { counted: number }>> {
  // An hourly range that holds whole UTC days reads those days from the daily path rollups and
  // only the hours at either end from the hourly ones: a week is then 7 daily documents per path
  // plus up to 46 hourly ones, instead of 168 hourly ones (the largest rollup collection).
  const parts: Array<Promise<PathTotals[]>> = [];
  if (range.granularity === 'day') {
    parts.push(sumPaths(db, 'dailyPaths', 'day', siteId, range.from, range.to));
  } else {
    const firstDay = Math.ceil(range.from.getTime() / DAY_MS) * DAY_MS;
    const lastDay = Math.floor(range.to.getTime() / DAY_MS) * DAY_MS;
    if (lastDay > firstDay) {
      parts.push(sumPaths(db, 'dailyPaths', 'day', siteId, new Date(firstDay), new Date(lastDay)));
      parts.push(sumPaths(db, 'paths', 'hour', siteId, range.from, new Date(firstDay)));
      parts.push(sumPaths(db, 'paths', 'hour', siteId, new Date(lastDay), range.to));
    } else {
      parts.push(sumPaths(db, 'paths', 'hour', siteId, range.from, range.to));
    }
  }
  const byPath = new Map<string, PathTotals>();
  for (const rows of await Promise.all(parts)) {
    for (const row of rows) {
      const sum = byPath.get(row.path);
      if (!sum) byPath.set(row.path, { ...row });
      else for (const key of ['total', 'trusted', 'suspect', 'fraud'] as const) sum[key] += row[key];
    }
  }
  const counted = (p: PathTotals) => (options.includeSuspect ? p.trusted + p.suspect : p.trusted);
  return [...byPath.values()]
    .map((p) => ({ ...p, counted: counted(p) }))
    .sort((a, b) => b.counted - a.counted || b.fraud - a.fraud || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))
    .slice(0, options.limit);
}

/** Every path's totals over one time span of a path-rollup collection (an empty span reads nothing). */
async function sumPaths(db: Database, kind: 'paths' | 'dailyPaths', field: 'hour' | 'day', siteId: Types.ObjectId, from: Date, to: Date): Promise<PathTotals[]> {
  if (to <= from) return [];
  const rows = await collectionOf(db, kind)
    .aggregate([
      { $match: { siteId, [field]: { $gte: from, $lt: to } } },
      {
        $group: {
          _id: '$path',
          total: { $sum: '$total' },
          trusted: { $sum: { $ifNull: ['$verdicts.trusted', 0] } },
          suspect: { $sum: { $ifNull: ['$verdicts.suspect', 0] } },
          fraud: { $sum: { $ifNull: ['$verdicts.fraud', 0] } },
        },
      },
    ])
    .toArray();
  return rows.map((row) => ({ path: String(row._id), total: num(row.total), trusted: num(row.trusted), suspect: num(row.suspect), fraud: num(row.fraud) }));
}

/** The fixed-key counters summed over a range (the maps of reasons and checks are not). */
export interface CounterTotals {
  total: number;
  tokens: number;
  cohort: number;
  verdicts: Record<'trusted' | 'suspect' | 'fraud', number>;
  cohortVerdicts: Record<'trusted' | 'suspect' | 'fraud', number>;
  /** Ten buckets, b0 … b9. */
  scoreHist: number[];
  cohortScoreHist: number[];
  cohortAttest: Record<string, number>;
}

const VERDICTS = ['trusted', 'suspect', 'fraud'] as const;
const BUCKETS = Array.from({ length: 10 }, (_, b) => `b${b}`);
/** Every attestation outcome the cohort counters may hold (see increments.ts). */
export const ATTESTATION_OUTCOMES = ['valid', 'invalid', 'double_spent', 'wrong_origin', 'expired_key', 'absent'] as const;

/**
 * Sums the counters of a site's buckets in a range, in the database: one `$group` over the
 * bucket documents (at most 30 daily or 192 hourly ones), whatever the traffic was.
 */
export async function sumCounters(db: Database, siteId: Types.ObjectId, range: RollupRange): Promise<CounterTotals> {
  const field = range.granularity === 'day' ? 'day' : 'hour';
  const sum = (path: string) => ({ $sum: { $ifNull: [`$${path}`, 0] } });
  const group: Record<string, unknown> = { _id: null, total: sum('total'), tokens: sum('tokens'), cohort: sum('cohort') };
  for (const v of VERDICTS) {
    group[`v_${v}`] = sum(`verdicts.${v}`);
    group[`cv_${v}`] = sum(`cohortVerdicts.${v}`);
  }
  for (const b of BUCKETS) {
    group[`h_${b}`] = sum(`scoreHist.${b}`);
    group[`ch_${b}`] = sum(`cohortScoreHist.${b}`);
  }
  for (const a of ATTESTATION_OUTCOMES) group[`a_${a}`] = sum(`cohortAttest.${a}`);
  const collection = collectionOf(db, range.granularity === 'day' ? 'daily' : 'hourly');
  const [row = {}] = await collection.aggregate([{ $match: { siteId, [field]: { $gte: range.from, $lt: range.to } } }, { $group: group }]).toArray();
  const pick = <K extends string>(keys: readonly K[], prefix: string) => Object.fromEntries(keys.map((k) => [k, num(row[`${prefix}${k}`])])) as Record<K, number>;
  return {
    total: num(row.total),
    tokens: num(row.tokens),
    cohort: num(row.cohort),
    verdicts: pick(VERDICTS, 'v_'),
    cohortVerdicts: pick(VERDICTS, 'cv_'),
    scoreHist: BUCKETS.map((b) => num(row[`h_${b}`])),
    cohortScoreHist: BUCKETS.map((b) => num(row[`ch_${b}`])),
    cohortAttest: pick(ATTESTATION_OUTCOMES, 'a_'),
  };
}

/** Start of the site's latest hour with a beacon before `before` and not older than `since`. */
export async function lastBeaconHour(db: Database, siteId: Types.ObjectId, since: Date, before: Date): Promise<Date | null> {
  const row = await collectionOf(db, 'hourly').findOne(
    { siteId, hour: { $gte: since, $lt: before }, total: { $gt: 0 } },
    { projection: { _id: 0, hour: 1 }, sort: { hour: -1 } },
  );
  return row ? (row.hour as Date) : null;
}

/** Events counted in the hourly rollups of whole hours overlapping [from, to), all sites or one. */
export async function countRollupEvents(db: Database, window: { from: Date; to: Date; siteId?: Types.ObjectId }): Promise<number> {
  const match: Record<string, unknown> = {
    hour: { $gte: new Date(Math.floor(window.from.getTime() / HOUR_MS) * HOUR_MS), $lt: window.to },
  };
  if (window.siteId) match.siteId = window.siteId;
  const [sum] = await collectionOf(db, 'hourly')
    .aggregate<{ n: number }>([{ $match: match }, { $group: { _id: null, n: { $sum: '$total' } } }])
    .toArray();
  return sum?.n ?? 0;
}

/** Above every character a URL path holds: the end of a prefix's range. */
const AFTER_PREFIX = '\u{10FFFF}';

/**
 * Events of a site whose path starts with `prefix`, counted in the daily path rollups of the days
 * overlapping [from, to): an estimate (whole days) that lets a search pick its route.
 */
export async function countPathPrefix(db: Database, siteId: Types.ObjectId, prefix: string, window: { from: Date; to: Date }): Promise<number> {
  const [sum] = await collectionOf(db, 'dailyPaths')
    .aggregate<{ n: number }>([
      {
        $match: {
          siteId,
          day: { $gte: new Date(Math.floor(window.from.getTime() / DAY_MS) * DAY_MS), $lt: window.to },
          path: { $gte: prefix, $lt: prefix + AFTER_PREFIX },
        },
      },
      { $group: { _id: null, n: { $sum: '$total' } } },
    ])
    .toArray();
  return sum?.n ?? 0;
}

/** Whether the site ever received a beacon (any rollup at all). */
export async function hasRollups(db: Database, siteId: Types.ObjectId): Promise<boolean> {
  return (await collectionOf(db, 'hourly').findOne({ siteId }, { projection: { _id: 1 } })) !== null;
}

/** Deletes every rollup of a site. */
export async function deleteSiteRollups(db: Database, siteId: Types.ObjectId, session?: ClientSession): Promise<void> {
  await Promise.all(ROLLUP_KINDS.map((kind) => collectionOf(db, kind).deleteMany({ siteId }, { session })));
}

export { DAY_MS, HOUR_MS };
