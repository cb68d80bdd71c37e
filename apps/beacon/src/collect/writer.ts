import type { Logger } from 'pino';
import { EventStoreUnavailableError, addToIncrements, emptyIncrements, insertEvents, type Database, type EventRecord, type InsertOutcome } from '@tagward/db';
import { BeaconError } from '../errors.js';
import type { BeaconMetrics } from '../metrics.js';
import type { RollupSink } from './rollup-sink.js';

export type StoredEvent = EventRecord;

/** What happened to one beacon: stored (as `event`), or a duplicate of one already stored. */
export interface WriteResult {
  result: 'inserted' | 'duplicate';
  event: EventRecord;
}

/** Builds the event again when the store says some of its nonces were already spent (a replay). */
export type Rebuild = (replayedNonces: readonly string[]) => EventRecord;

interface Pending {
  doc: EventRecord;
  rebuild: Rebuild;
  /** Nonces the store found spent by other events, over the rounds so far. */
  replayed: string[];
  resolve: (result: WriteResult) => void;
  reject: (error: Error) => void;
}

/** A replayed beacon is rebuilt without its spent nonces, so a second round always settles it. */
const MAX_ROUNDS = 3;

/**
 * Group commit: events wait a few milliseconds (or until a batch is full) and go to the database
 * in one `insertMany`, which also spends their tokens' nonces (a unique index of the events), so
 * a beacon costs no write of its own and a replay is caught in the same write, across processes.
 * Each caller's promise settles only after its event's write is acknowledged, so a 2xx always
 * means "stored". While one batch is in flight the next one fills up, which is what makes batches
 * grow under load. Replays (rare: attacks) are re-scored and stored in a second, small insert.
 * Rollup increments of the inserted events then go to the rollup sink.
 */
export class GroupCommitWriter {
  private queue: Pending[] = [];
  private timer: NodeJS.Timeout | undefined;
  /** Batches being written; up to `maxFlushes` at once, so one's commit overlaps the next. */
  private readonly flushing = new Set<Promise<void>>();

  constructor(
    private readonly db: Database,
    private readonly options: { maxBatch: number; flushDelayMs: number; maxPending: number; maxFlushes: number },
    private readonly metrics: BeaconMetrics,
    private readonly log: Logger,
    private readonly rollups: RollupSink,
  ) {}

  get pending(): number {
    return this.queue.length;
  }

  write(doc: EventRecord, rebuild: Rebuild = () => doc): Promise<WriteResult> {
    if (this.queue.length >= this.options.maxPending) {
      return Promise.reject(new BeaconError('overloaded', 'too many events waiting to be written', 2));
    }
    return new Promise((resolve, reject) => {
      this.queue.push({ doc, rebuild, replayed: [], resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    // All writers busy: the first to finish picks the queue up.
    if (this.flushing.size >= this.options.maxFlushes) return;
    if (this.queue.length >= this.options.maxBatch || (this.flushing.size > 0 && this.queue.length > 0 && !this.timer)) {
      // A full batch goes at once; while another batch is in flight, so does whatever has
      // queued up behind it (waiting longer would only add latency).
      this.startFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startFlush(), this.options.flushDelayMs);
    }
  }

  private startFlush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.flushing.size >= this.options.maxFlushes || this.queue.length === 0) return;
    const batch = this.queue.splice(0, this.options.maxBatch);
    const flush: Promise<void> = this.flushBatch(batch).finally(() => {
      this.flushing.delete(flush);
      if (this.queue.length > 0) this.schedule();
    });
    this.flushing.add(flush);
  }

  private async flushBatch(batch: Pending[]): Promise<void> {
    const started = performance.now();
    const settled = new Array<WriteResult | undefined>(batch.length);
    try {
      let round = batch.map((_, i) => i);
      for (let attempt = 0; round.length > 0 && attempt < MAX_ROUNDS; attempt++) {
        const outcomes = await this.insert(round.map((i) => batch[i]!.doc));
        const again: number[] = [];
        round.forEach((i, k) => {
          const p = batch[i]!;
          const outcome = outcomes[k]!;
          if (typeof outcome === 'string') {
            settled[i] = { result: outcome, event: p.doc };
          } else {
            // Re-scored with every nonce found spent so far, and stored without them.
            p.replayed = [...p.replayed, ...outcome.replayed];
            p.doc = p.rebuild(p.replayed);
            again.push(i);
          }
        });
        round = again;
      }
    } catch (error) {
      for (const p of batch) p.reject(error as Error);
      return;
    } finally {
      this.metrics.flushSeconds.observe((performance.now() - started) / 1000);
      this.metrics.batchSize.observe(batch.length);
    }
    const increments = emptyIncrements();
    for (const result of settled) if (result?.result === 'inserted') addToIncrements(increments, result.event);
    // Answer the callers first: their events are stored whatever happens to the rollups.
    batch.forEach((p, i) => {
      const result = settled[i];
      // Unreachable while a beacon carries at most MAX_ROUNDS - 1 nonces; never a false 2xx.
      if (result) p.resolve(result);
      else p.reject(new BeaconError('database_unavailable', 'the event could not be stored, retry later', 5));
    });
    this.rollups.add(increments);
  }

  /** Per event, what the store did; a BeaconError when it cannot say (nothing is acknowledged). */
  private async insert(docs: EventRecord[]): Promise<InsertOutcome[]> {
    try {
      return await insertEvents(this.db, docs);
    } catch (error) {
      if (!(error instanceof EventStoreUnavailableError)) throw error;
      this.metrics.dbErrors.inc();
      this.log.warn({ err: error.cause }, 'event insert failed');
      // Clients retry with the same idempotency id; a retry of a written event is a duplicate.
      throw new BeaconError('database_unavailable', 'the event store is unavailable, retry later', 5);
    }
  }

  /**
   * Resolves once the batches in flight now have settled. Called once a write has resolved, every
   * event queued before it has then settled too (batches leave the queue in order).
   */
  async settled(): Promise<void> {
    await Promise.allSettled([...this.flushing]);
  }

  /** Writes everything queued, waiting for the batch in flight. Used at shutdown. */
  async drain(): Promise<void> {
    while (this.flushing.size > 0 || this.queue.length > 0) {
      if (this.flushing.size === 0) this.startFlush();
      await Promise.all([...this.flushing]);
    }
    await this.rollups.idle();
  }
}
