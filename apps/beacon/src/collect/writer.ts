import type { Logger } from 'pino';
import { EventStoreUnavailableError, addToIncrements, emptyIncrements, insertEvents, type Database, type EventRecord, type InsertOutcome } from '@tagward/db';
import { BeaconError } from '../errors.js';
import type { BeaconMetrics } from '../metrics.js';
import type { RollupSink } from './rollup-sink.js';

export type WriteOutcome = InsertOutcome;
export type StoredEvent = EventRecord;

interface Pending {
  doc: StoredEvent;
  resolve: (outcome: WriteOutcome) => void;
  reject: (error: Error) => void;
}

/**
 * Group commit: events wait a few milliseconds (or until a batch is full) and go to the database
 * in one `insertMany`. Each caller's promise settles only after its event's write is acknowledged,
 * so a 2xx always means "stored". While one batch is in flight the next one fills up, which is
 * what makes batches grow under load. Rollup increments of the inserted events then go to the
 * rollup sink (the events themselves are already safe whatever happens there).
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  private flushing: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    private readonly options: { maxBatch: number; flushDelayMs: number; maxPending: number },
    private readonly metrics: BeaconMetrics,
    private readonly log: Logger,
    private readonly rollups: RollupSink,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  write(doc: StoredEvent): Promise<WriteOutcome> {
    if (this.queue.length >= this.options.maxPending) {
      return Promise.reject(new BeaconError('overloaded', 'too many events waiting to be written', 2));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ doc, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.flushing) return; // the running flush picks the queue up when it ends
    if (this.queue.length >= this.options.maxBatch) {
      this.startFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startFlush(), this.options.flushDelayMs);
    }
  }

  private startFlush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    this.flushing = this.flushBatch(batch).finally(() => {
      this.flushing = undefined;
      if (this.queue.length > 0) this.schedule();
    });
  }

  private async flushBatch(batch: Pending[]): Promise<void> {
    const started = performance.now();
    const outcomes = await this.insert(batch.map((p) => p.doc));
    this.metrics.flushSeconds.observe((performance.now() - started) / 1000);
    this.metrics.batchSize.observe(batch.length);
    if (outcomes instanceof Error) {
      for (const p of batch) p.reject(outcomes);
      return;
    }
    const increments = emptyIncrements();
    batch.forEach((p, i) => {
      if (outcomes[i] === 'inserted') addToIncrements(increments, p.doc);
    });
    // Answer the callers first: their events are stored whatever happens to the rollups.
    batch.forEach((p, i) => p.resolve(outcomes[i]!));
    this.rollups.add(increments);
  }

  /** Per event: inserted or duplicate (same site + idempotency id), or an error for the batch. */
  private async insert(docs: StoredEvent[]): Promise<WriteOutcome[] | BeaconError> {
    try {
      return await insertEvents(this.db, docs);
    } catch (error) {
      if (!(error instanceof EventStoreUnavailableError)) throw error;
      this.metrics.dbErrors.inc();
      this.log.warn({ err: error.cause }, 'event insert failed');
      // We cannot know which events of the batch were written, so none is acknowledged.
      return new BeaconError('database_unavailable', 'the event store is unavailable, retry later', 5);
    }
  }

  /** Writes everything queued, waiting for the batch in flight. Used at shutdown. */
  async drain(): Promise<void> {
    while (this.flushing || this.queue.length > 0) {
      if (!this.flushing) this.startFlush();
      await this.flushing;
    }
    await this.rollups.idle();
  }
}
