import mongoose from 'mongoose';

const { Mixed, ObjectId } = mongoose.Schema.Types;

/**
 * Rollups are kept with `$inc` upserts by every beacon process (packages/db src/rollups: the one
 * module that writes and reads them). Charts read these, so their cost grows with the number of
 * time buckets shown, not with the number of events. Keys inside the maps are our own codes
 * (verdicts, reason codes, check ids, histogram buckets), never user text. Each document's `_id`
 * is a deterministic string (`<site>:<bucket ms>` and, for paths, `:<path hash>`), so concurrent
 * upserts of one bucket meet on one document instead of racing to insert two.
 */
const OPTIONS = { versionKey: false, minimize: false } as const;
const KEY = {
  _id: { type: String, required: true },
  siteId: { type: ObjectId, required: true },
} as const;
/** Start of the bucket: the hour, or UTC midnight. */
const BUCKET = { type: Date, required: true } as const;
const COUNTERS = {
  total: { type: Number, default: 0 },
  verdicts: { type: Mixed, default: {} },
  scoreHist: { type: Mixed, default: {} },
  reasons: { type: Mixed, default: {} },
  checks: { type: Mixed, default: {} },
  tokens: { type: Number, default: 0 },
  /** Events of the attestation cohort, and their verdicts and score histogram. */
  cohort: { type: Number, default: 0 },
  cohortVerdicts: { type: Mixed, default: {} },
  cohortScoreHist: { type: Mixed, default: {} },
  /** Attestation outcomes of the cohort's events (valid, invalid, double_spent, …, absent). */
  cohortAttest: { type: Mixed, default: {} },
} as const;
/** Paths are user text, so they are values of their own documents rather than keys. */
const PATH_COUNTERS = {
  path: { type: String, required: true },
  total: { type: Number, default: 0 },
  verdicts: { type: Mixed, default: {} },
} as const;

/** Per site and hour. */
const hourly = new mongoose.Schema({ ...KEY, hour: BUCKET, ...COUNTERS }, OPTIONS);
hourly.index({ siteId: 1, hour: 1 }, { unique: true });
// Windows across every site (a backtest's progress estimate).
hourly.index({ hour: 1 });
const paths = new mongoose.Schema({ ...KEY, hour: BUCKET, ...PATH_COUNTERS }, OPTIONS);
paths.index({ siteId: 1, hour: 1, path: 1 }, { unique: true });
/** Per site and UTC day: ranges longer than a week read these (30 documents, not 720, for 30 days). */
const daily = new mongoose.Schema({ ...KEY, day: BUCKET, ...COUNTERS }, OPTIONS);
daily.index({ siteId: 1, day: 1 }, { unique: true });
const dailyPaths = new mongoose.Schema({ ...KEY, day: BUCKET, ...PATH_COUNTERS }, OPTIONS);
dailyPaths.index({ siteId: 1, day: 1, path: 1 }, { unique: true });

export const hourlyRollupModel = (conn: mongoose.Connection) =>
  conn.model('HourlyRollup', hourly, 'rollups_hourly');
export const pathRollupModel = (conn: mongoose.Connection) =>
  conn.model('PathRollup', paths, 'rollups_paths');
export const dailyRollupModel = (conn: mongoose.Connection) =>
  conn.model('DailyRollup', daily, 'rollups_daily');
export const dailyPathRollupModel = (conn: mongoose.Connection) =>
  conn.model('DailyPathRollup', dailyPaths, 'rollups_paths_daily');
