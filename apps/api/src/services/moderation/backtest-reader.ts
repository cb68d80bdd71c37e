import type { Database } from '@tagward/db';
import type { StoredEvent } from '@tagward/trust';
import type { Types } from 'mongoose';

/**
 * How a backtest reads its window: in consecutive time slices, oldest first, each one query on
 * the `{receivedAt}` (or `{siteId, receivedAt}`) index, with the next slices' queries sent
 * while the current one is being scored. Why slices rather than one cursor over the window:
 *
 * - the embedded server (SecantusDB) gathers a query's whole match set before its first batch,
 *   so one cursor over a million events held them all in its memory and answered nothing until
 *   it had; a slice bounds both, on MongoDB too (a slice is one bounded index range);
 * - with the next slices in flight, the database reads while this process decodes and scores:
 *   on two cores that is the difference between adding the two costs and overlapping them.
 *
 * Slices aim at `sliceEvents` events: the first from the rollup estimate of the window, the next
 * ones from what the previous slice held (traffic is not flat over a week).
 */

export interface EventRow {
  _id: Types.ObjectId;
  siteId: Types.ObjectId;
  signals: unknown;
  score: number;
  verdict: StoredEvent['verdict'];
  reasons: StoredEvent['reasons'];
}

export interface ReadPlan {
  from: Date;
  to: Date;
  siteId?: Types.ObjectId;
  /** Events the window is thought to hold (the rollup estimate); 0 when unknown. */
  estimate: number;
  /** Events per batch handed to the caller (one getMore each). */
  batchSize: number;
  /** Events a slice aims at. */
  sliceEvents: number;
  /** Slices asked for ahead of the one being read (default 2). */
  readAhead?: number;
}

/** Only what scoring needs: the raw signals and the stored outcome. */
const PROJECTION = { siteId: 1, signals: 1, score: 1, verdict: 1, reasons: 1 } as const;
/** Without an estimate, the first slice is an hour; the next ones adapt. */
const DEFAULT_SPAN_MS = 3_600_000;
const MIN_SPAN_MS = 1_000;
/** A slice is at most this many times longer, or shorter, than the one before. */
const MAX_STEP = 4;
/**
 * Two slices asked for ahead: the server gathers each one's match set with a thread of its
 * own, so two at once keep it busy while this process decodes and scores (measured: one read
 * at a time 5k events/s, two 10k/s, three no better, on the two shared cores here).
 */
const READ_AHEAD = 2;

/** The first slice's length: the window cut into pieces of about `sliceEvents` by the estimate. */
export function firstSpan(plan: Pick<ReadPlan, 'from' | 'to' | 'estimate' | 'sliceEvents'>): number {
  const windowMs = plan.to.getTime() - plan.from.getTime();
  if (plan.estimate <= 0) return Math.min(windowMs, DEFAULT_SPAN_MS);
  return Math.max(MIN_SPAN_MS, Math.ceil(windowMs / Math.ceil(plan.estimate / plan.sliceEvents)));
}

/** The next slice's length, from how many events a slice of `span` held. */
export function nextSpan(span: number, held: number, sliceEvents: number): number {
  const scaled = held === 0 ? span * MAX_STEP : (span * sliceEvents) / held;
  return Math.max(MIN_SPAN_MS, Math.round(Math.min(span * MAX_STEP, Math.max(span / MAX_STEP, scaled))));
}

interface Slice {
  span: number;
  cursor: ReturnType<Database['models']['Event']['collection']['find']>;
  /** The slice's first answer, asked for as soon as the slice is opened. */
  first: Promise<boolean>;
}

function openSlice(db: Database, plan: ReadPlan, start: number, span: number): Slice {
  const end = Math.min(start + span, plan.to.getTime());
  const filter: Record<string, unknown> = {};
  if (plan.siteId) filter.siteId = plan.siteId;
  filter.receivedAt = { $gte: new Date(start), $lt: new Date(end) };
  const cursor = db.models.Event.collection.find(filter, { projection: PROJECTION, batchSize: plan.batchSize });
  const first = cursor.hasNext();
  // Read later (or never, if the job stops first): a failure surfaces when it is awaited.
  first.catch(() => undefined);
  return { span: end - start, cursor, first };
}

/**
 * The window's events, a batch at a time, every event once. Closing the generator early (a
 * cancel) closes the cursors it holds.
 */
export async function* readEventBatches(db: Database, plan: ReadPlan): AsyncGenerator<EventRow[]> {
  const to = plan.to.getTime();
  const depth = Math.max(0, plan.readAhead ?? READ_AHEAD);
  let start = plan.from.getTime();
  let span = firstSpan(plan);
  // The slice being read first, then the ones already asked for, oldest first.
  const open: Slice[] = [];
  const askAhead = () => {
    while (open.length <= depth && start < to) {
      const slice = openSlice(db, plan, start, span);
      start += slice.span;
      open.push(slice);
    }
  };
  try {
    askAhead();
    for (let current = open[0]; current; current = open[0]) {
      let held = 0;
      let more = await current.first;
      while (more) {
        const rows = current.cursor.readBufferedDocuments() as unknown as EventRow[];
        held += rows.length;
        yield rows;
        more = await current.cursor.hasNext();
      }
      open.shift();
      await current.cursor.close();
      span = nextSpan(current.span, held, plan.sliceEvents);
      askAhead();
    }
  } finally {
    await Promise.all(open.map((slice) => slice.cursor.close().catch(() => undefined)));
  }
}
