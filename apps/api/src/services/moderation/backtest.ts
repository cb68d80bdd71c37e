import { countRollupEvents, takeLock, type Database } from '@tagward/db';
import { Types } from 'mongoose';
import { audit } from '../audit.js';
import { badRequest, conflict, notFound } from '../errors.js';
import { BacktestAccumulator } from './backtest-summary.js';
import { readEventBatches, type EventRow } from './backtest-reader.js';
import type { BacktestJobDto } from './dto.js';
import { enrichResult, toJobDto, type JobRow } from './backtest-dto.js';
import { rulesResolver, scoreBatch } from './backtest-scoring.js';
import { draftSnapshot, emailsOf, type Actor, type DraftSnapshot } from './rules.js';

/**
 * Backtests run as jobs inside the API process: the window's events are read in time slices
 * (backtest-reader.ts: only the fields scoring needs, the next slice read while this one is
 * scored), re-scored with the draft through the trust engine's `rescore`, with a turn of the
 * event loop between batches so that requests keep being served while a million events are
 * scored. Progress goes to the job document, which the UI polls.
 */

export const BACKTEST_MAX_DAYS = 92;
const SAMPLE_SIZE = 50;
/** A running job whose process has not beaten for this long is considered dead. */
const STALE_AFTER_MS = 30_000;
const HEARTBEAT_MS = 5_000;
/**
 * Events per time slice: large enough that a slice's query cost is mostly reading, small
 * enough that the embedded server's gathered match set stays a few tens of MB.
 */
export const SLICE_EVENTS = 20_000;

export interface BacktestOptions {
  /** Events per cursor batch (one getMore each). */
  batchSize?: number;
  /** Events per time slice (one query each). */
  sliceEvents?: number;
  /** How often progress is written to the job document. */
  progressEveryMs?: number;
}

export interface BacktestWindow {
  from: Date;
  to: Date;
  siteId?: string;
}

interface RunningJob {
  controller: AbortController;
  done: Promise<void>;
}

/** Jobs this process runs. A cancel reaches them at once; other processes see the DB flag. */
const running = new Map<string, RunningJob>();

/** Resolves when the job (run by this process) has finished, whatever its outcome. */
export async function waitForBacktest(jobId: string): Promise<void> {
  await running.get(jobId)?.done;
}

/** Stops every job of this process (server shutdown, tests). */
export async function stopAllBacktests(): Promise<void> {
  const jobs = [...running.values()];
  for (const job of jobs) job.controller.abort();
  await Promise.all(jobs.map((job) => job.done));
}

async function reapStaleJobs(db: Database, now: Date): Promise<void> {
  const staleFilter = { status: 'running' as const, heartbeatAt: { $lt: new Date(now.getTime() - STALE_AFTER_MS) } };
  const stale = await db.models.BacktestJob.find(staleFilter, { _id: 1 }).lean();
  const orphans = stale.filter((job) => !running.has(String(job._id))).map((job) => job._id);
  if (orphans.length === 0) return;
  // The filter is checked again by the update: a job that beat in between is left alone.
  await db.models.BacktestJob.updateMany(
    { _id: { $in: orphans }, ...staleFilter },
    { $set: { status: 'failed', error: 'Interrupted: the API process running it stopped.', finishedAt: now } },
  );
}

export async function startBacktest(
  db: Database,
  actor: Actor,
  window: BacktestWindow,
  now: Date,
  options: BacktestOptions = {},
): Promise<BacktestJobDto> {
  if (!(window.from < window.to)) throw badRequest('The window must end after it starts.');
  if (window.to.getTime() - window.from.getTime() > BACKTEST_MAX_DAYS * 86_400_000) {
    throw badRequest(`Backtest at most ${BACKTEST_MAX_DAYS} days at a time.`);
  }
  if (window.siteId && !(await db.models.Site.exists({ _id: window.siteId }))) throw notFound('Site not found.');
  await reapStaleJobs(db, now);
  const snapshot = await draftSnapshot(db);
  // One at a time (two full scans would share the same two cores and the same database): the
  // check and the insert run under the backtest lock, so two starts at once cannot both pass it.
  const job = await db.transaction(async (session) => {
    await takeLock(db, 'backtest', session);
    if (await db.models.BacktestJob.exists({ status: 'running' }).session(session)) {
      throw conflict('A backtest is already running. Wait for it or cancel it.');
    }
    const [created] = await db.models.BacktestJob.create(
      [{ status: 'running', from: window.from, to: window.to, rules: { snapshot, siteId: window.siteId ?? null }, createdBy: new Types.ObjectId(actor.id), total: 0, processed: 0, startedAt: now, heartbeatAt: now }],
      { session },
    );
    return created!;
  });
  const jobId = String(job._id);
  await audit(db, {
    actorId: actor.id,
    action: 'backtest.start',
    target: jobId,
    before: null,
    after: {
      from: window.from.toISOString(),
      to: window.to.toISOString(),
      siteId: window.siteId ?? null,
      globalVersion: snapshot.global.version,
      globalSource: snapshot.global.source,
      overrides: snapshot.overrides.map((o) => ({ siteId: o.siteId, version: o.version, source: o.source })),
    },
    at: now,
  });

  const controller = new AbortController();
  const done = runJob(db, job._id, snapshot, window, controller.signal, options).finally(() => running.delete(jobId));
  running.set(jobId, { controller, done });
  return getBacktest(db, jobId, now);
}

/**
 * How many events the window holds, from the hourly rollups (whole hours overlapping it): an
 * estimate for the progress bar that costs a few hundred small documents, not a count of events.
 */
export async function estimateEvents(db: Database, window: BacktestWindow): Promise<number> {
  return countRollupEvents(db, { from: window.from, to: window.to, siteId: window.siteId ? new Types.ObjectId(window.siteId) : undefined });
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

async function runJob(
  db: Database,
  jobId: Types.ObjectId,
  snapshot: DraftSnapshot,
  window: BacktestWindow,
  signal: AbortSignal,
  options: BacktestOptions,
): Promise<void> {
  const batchSize = options.batchSize ?? 1_000;
  const progressEveryMs = options.progressEveryMs ?? 500;
  const Jobs = db.models.BacktestJob;
  const acc = new BacktestAccumulator(SAMPLE_SIZE);
  const rulesFor = rulesResolver(snapshot);
  // The heartbeat runs on a timer so that a long count or a slow batch does not look like death.
  const heartbeat = setInterval(() => {
    Jobs.updateOne({ _id: jobId, status: 'running' }, { $set: { heartbeatAt: new Date() } }).catch(() => undefined);
  }, HEARTBEAT_MS);
  heartbeat.unref();
  let batches: AsyncGenerator<EventRow[]> | null = null;
  const runningJob = { _id: jobId, status: 'running' as const };
  try {
    const total = await estimateEvents(db, window);
    await Jobs.updateOne(runningJob, { $set: { total, heartbeatAt: new Date() } });
    batches = readEventBatches(db, {
      from: window.from,
      to: window.to,
      siteId: window.siteId ? new Types.ObjectId(window.siteId) : undefined,
      estimate: total,
      batchSize,
      sliceEvents: options.sliceEvents ?? SLICE_EVENTS,
    });
    let lastWrite = Date.now();
    let canceled = false;
    for await (const rows of batches) {
      scoreBatch(rows, rulesFor, acc, SAMPLE_SIZE);
      if (signal.aborted) {
        canceled = true;
        break;
      }
      if (Date.now() - lastWrite >= progressEveryMs) {
        lastWrite = Date.now();
        const partial = acc.result();
        // Progress and the cancel check are one round trip: the update only touches its own
        // fields (a cancel from another API process is never overwritten) and returns the flag.
        const state = await Jobs.findOneAndUpdate(
          runningJob,
          { $set: { processed: acc.processed, heartbeatAt: new Date(), result: { ...partial, sample: [] } } },
          { projection: { cancelRequested: 1 }, returnDocument: 'after' },
        ).lean();
        if (!state || state.cancelRequested) {
          canceled = true;
          break;
        }
      }
      await yieldToEventLoop();
    }
    const result = await enrichResult(db, acc.result());
    const finished = { processed: acc.processed, result, finishedAt: new Date(), heartbeatAt: new Date() };
    // Done only if still running and no cancel arrived meanwhile; a finished job is never
    // touched again (every write here is filtered on status 'running').
    const done = canceled
      ? { matchedCount: 0 }
      : await Jobs.updateOne({ ...runningJob, cancelRequested: false }, { $set: { ...finished, status: 'done', total: acc.processed } });
    if (done.matchedCount === 0) await Jobs.updateOne(runningJob, { $set: { ...finished, status: 'canceled' } });
  } catch (error) {
    await Jobs.updateOne(
      runningJob,
      { $set: { status: 'failed', error: (error as Error).message.slice(0, 500), processed: acc.processed, finishedAt: new Date() } },
    ).catch(() => undefined);
  } finally {
    clearInterval(heartbeat);
    // Closes the slice cursors still open (a cancel or a failure part-way).
    await batches?.return(undefined).catch(() => undefined);
  }
}

export async function getBacktest(db: Database, jobId: string, now: Date): Promise<BacktestJobDto> {
  await reapStaleJobs(db, now);
  const row = (await db.models.BacktestJob.findById(jobId).lean()) as JobRow | null;
  if (!row) throw notFound('Backtest not found.');
  return toJobDto(row, await emailsOf(db, [row.createdBy]), now);
}

/** Recent jobs without their results (the list view); open one to see its result. */
export async function listBacktests(db: Database, now: Date, limit = 20): Promise<BacktestJobDto[]> {
  await reapStaleJobs(db, now);
  const rows = (await db.models.BacktestJob.find({}, { result: 0 }).sort({ startedAt: -1 }).limit(limit).lean()) as unknown as JobRow[];
  const emails = await emailsOf(db, rows.map((r) => r.createdBy));
  return rows.map((row) => toJobDto({ ...row, result: null }, emails, now));
}

export async function cancelBacktest(db: Database, actor: Actor, jobId: string, now: Date): Promise<BacktestJobDto> {
  const updated = await db.models.BacktestJob.updateOne({ _id: jobId, status: 'running' }, { $set: { cancelRequested: true } });
  if (updated.matchedCount === 0) {
    // Already finished (or canceled): nothing to stop, and nothing to record.
    return getBacktest(db, jobId, now);
  }
  running.get(jobId)?.controller.abort();
  await audit(db, { actorId: actor.id, action: 'backtest.cancel', target: jobId, before: { status: 'running' }, after: { cancelRequested: true }, at: now });
  await waitForBacktestBriefly(jobId);
  return getBacktest(db, jobId, now);
}

/** Gives a local job a moment to stop, so the answer usually already says "canceled". */
async function waitForBacktestBriefly(jobId: string): Promise<void> {
  const job = running.get(jobId);
  if (!job) return;
  await Promise.race([job.done, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
}
