import type { Logger } from 'pino';
import { emptyIncrements, isEmptyIncrements, mergeIncrements, writeRollups, type Database, type RollupIncrements } from '@tagward/db';
import type { BeaconMetrics } from '../metrics.js';

/** Where a writer's rollup increments go once their events are stored. */
export interface RollupSink {
  /** Hands increments over without waiting: the event write path never waits for rollups. */
  add(increments: RollupIncrements): void;
  /** Resolves once everything handed over so far has been written (or failed and is queued). */
  idle(): Promise<void>;
}

/**
 * Applies increments with `$inc` upserts in the background. Increments that arrive while a write
 * is in flight are merged and go together in the next one, so under load the number of rollup
 * writes per second stays flat while events grow. Every beacon process runs its own: `$inc`
 * upserts on deterministic `_id`s are exact under concurrency. A failed write's increments stay
 * queued and are retried after a pause.
 */
export class DatabaseRollupSink implements RollupSink {
  private backlog = emptyIncrements();
  private loop: Promise<void> | undefined;

  constructor(
    private readonly db: Database,
    private readonly metrics: BeaconMetrics | undefined,
    private readonly log: Logger,
    private readonly retryDelayMs = 1000,
  ) {}

  add(increments: RollupIncrements): void {
    mergeIncrements(this.backlog, increments);
    this.loop ??= this.run().finally(() => {
      this.loop = undefined;
    });
  }

  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  private async run(): Promise<void> {
    while (!isEmptyIncrements(this.backlog)) {
      const ok = await this.write();
      if (!ok) await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
    }
  }

  private async write(): Promise<boolean> {
    const batch = this.backlog;
    this.backlog = emptyIncrements();
    try {
      await writeRollups(this.db, batch);
      return true;
    } catch (error) {
      // If the failed bulk was partly applied before the connection broke, those buckets are
      // counted twice; rollups are derived from the events and can be rebuilt from them.
      mergeIncrements(this.backlog, batch);
      this.metrics?.dbErrors.inc();
      this.log.error({ err: error }, 'rollup update failed; will retry');
      return false;
    }
  }
}
