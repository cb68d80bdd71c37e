import mongoose from 'mongoose';

/**
 * A moderation backtest: stored events of a window re-scored with draft rules. It runs as a job
 * (batches over a cursor) because a window can hold millions of events; the UI polls this
 * document for progress. `cancelRequested` is a flag in the database rather than only in memory so
 * that a cancel reaches the job whichever API process runs it. `heartbeatAt` lets a reader tell a
 * job whose process died (no beat for a while) from one still running.
 */
const schema = new mongoose.Schema(
  {
    status: { type: String, enum: ['running', 'done', 'failed', 'canceled'], required: true },
    from: { type: Date, required: true },
    to: { type: Date, required: true },
    /** What was backtested, frozen at start: global rules, their draft/published version, site overrides. */
    rules: { type: mongoose.Schema.Types.Mixed, required: true },
    createdBy: { type: mongoose.Schema.Types.ObjectId, required: true },
    /** Events in the window when the job started (an estimate for the progress bar). */
    total: { type: Number, default: 0 },
    processed: { type: Number, default: 0 },
    cancelRequested: { type: Boolean, default: false },
    result: { type: mongoose.Schema.Types.Mixed, default: null },
    error: { type: String, default: null },
    startedAt: { type: Date, required: true },
    heartbeatAt: { type: Date, required: true },
    finishedAt: { type: Date, default: null },
  },
  { versionKey: false, minimize: false },
);
schema.index({ startedAt: -1 });
schema.index({ status: 1 });

export const backtestJobModel = (conn: mongoose.Connection) =>
  conn.model('BacktestJob', schema, 'backtest_jobs');
