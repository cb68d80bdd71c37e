import mongoose from 'mongoose';

/**
 * Per site and hour, kept with `$inc` upserts by the beacon. Charts read these, so their cost
 * grows with the number of hours shown, not with the number of events.
 * Keys inside the maps are our own codes (verdicts, reason codes, check ids, histogram buckets),
 * never user text.
 */
const hourly = new mongoose.Schema(
  {
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    hour: { type: Date, required: true },
    total: { type: Number, default: 0 },
    verdicts: { type: mongoose.Schema.Types.Mixed, default: {} },
    scoreHist: { type: mongoose.Schema.Types.Mixed, default: {} },
    reasons: { type: mongoose.Schema.Types.Mixed, default: {} },
    checks: { type: mongoose.Schema.Types.Mixed, default: {} },
    tokens: { type: Number, default: 0 },
    cohort: { type: Number, default: 0 },
  },
  { versionKey: false, minimize: false },
);
hourly.index({ siteId: 1, hour: 1 }, { unique: true });

/** Paths are user text, so they are values of their own documents rather than keys. */
const paths = new mongoose.Schema(
  {
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    hour: { type: Date, required: true },
    path: { type: String, required: true },
    total: { type: Number, default: 0 },
    verdicts: { type: mongoose.Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);
paths.index({ siteId: 1, hour: 1, path: 1 }, { unique: true });

/**
 * The same counters per site and UTC day, kept with the same `$inc` upserts in the same group
 * commit as the hourly ones. Ranges longer than a week read these: a 30-day overview is 30
 * documents instead of 720, which matters most on FerretDB 1.x, whose SQLite backend scans the
 * whole collection for any filter other than `_id`.
 */
const daily = new mongoose.Schema(
  {
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    /** UTC midnight. */
    day: { type: Date, required: true },
    total: { type: Number, default: 0 },
    verdicts: { type: mongoose.Schema.Types.Mixed, default: {} },
    scoreHist: { type: mongoose.Schema.Types.Mixed, default: {} },
    reasons: { type: mongoose.Schema.Types.Mixed, default: {} },
    checks: { type: mongoose.Schema.Types.Mixed, default: {} },
    tokens: { type: Number, default: 0 },
    cohort: { type: Number, default: 0 },
  },
  { versionKey: false, minimize: false },
);
daily.index({ siteId: 1, day: 1 }, { unique: true });

const dailyPaths = new mongoose.Schema(
  {
    siteId: { type: mongoose.Schema.Types.ObjectId, required: true },
    day: { type: Date, required: true },
    path: { type: String, required: true },
    total: { type: Number, default: 0 },
    verdicts: { type: mongoose.Schema.Types.Mixed, default: {} },
  },
  { versionKey: false, minimize: false },
);
dailyPaths.index({ siteId: 1, day: 1, path: 1 }, { unique: true });

export const hourlyRollupModel = (conn: mongoose.Connection) =>
  conn.model('HourlyRollup', hourly, 'rollups_hourly');
export const pathRollupModel = (conn: mongoose.Connection) =>
  conn.model('PathRollup', paths, 'rollups_paths');
export const dailyRollupModel = (conn: mongoose.Connection) =>
  conn.model('DailyRollup', daily, 'rollups_daily');
export const dailyPathRollupModel = (conn: mongoose.Connection) =>
  conn.model('DailyPathRollup', dailyPaths, 'rollups_paths_daily');
