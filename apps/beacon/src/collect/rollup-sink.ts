import type { Logger } from 'pino';
import { Types, type mongo } from 'mongoose';
import type { Database } from '@tagward/db';
import type { BeaconMetrics } from '../metrics.js';
import { emptyIncrements, isEmpty, mergeIncrements, type RollupIncrements, type RollupUpsert } from './rollups.js';

/** Where a writer's rollup increments go once their events are stored. */
export interface RollupSink {
  /** Hands increments over without waiting: the event write path never waits for rollups. */
  add(increments: RollupIncrements): void;
  /** Resolves once everything handed over so far has been written (or failed and is queued). */
  idle(): Promise<void>;
}

const KINDS = ['hourly', 'daily', 'paths', 'dailyPaths'] as const;

async function upsertAll(collection: mongo.Collection, upserts: Map<string, RollupUpsert>): Promise<void> {
  if (upserts.size === 0) return;
  const ops = [...upserts.values()].map(({ _id, setOnInsert, inc }) => ({
    updateOne: { filter: { _id: _id as never }, update: { $inc: inc, $setOnInsert: setOnInsert }, upsert: true },
  }));
  await collection.bulkWrite(ops, { ordered: false });
}

/**
 * Applies increments with `$inc` upserts in the background, one write at a time; increments that
 * arrive meanwhile are merged and go together in the next write, so under load the number of
 * rollup writes stays flat while events grow. Serial on purpose: FerretDB 1.x on SQLite loses
 * concurrent `$inc`s on one document, so every rollup document must have a single writer — this
 * sink in one process, or the cluster primary's sink for all workers. A failed write's increments
 * stay queued and are retried after a pause.
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
    while (!isEmpty(this.backlog)) {
      const ok = await this.write();
      if (!ok) await new Promise((resolve) => setTimeout(resolve, this.retryDelayMs));
    }
  }

  private async write(): Promise<boolean> {
    const batch = this.backlog;
    this.backlog = emptyIncrements();
    const { HourlyRollup, DailyRollup, PathRollup, DailyPathRollup } = this.db.models;
    try {
      await Promise.all([
        upsertAll(HourlyRollup.collection, batch.hourly),
        upsertAll(DailyRollup.collection, batch.daily),
        upsertAll(PathRollup.collection, batch.paths),
        upsertAll(DailyPathRollup.collection, batch.dailyPaths),
      ]);
      return true;
    } catch (error) {
      // If the failed bulk was partly applied before the connection broke, those buckets are
      // counted twice: rollups are a cache of the events and can be recomputed from them.
      mergeIncrements(this.backlog, batch);
      this.metrics?.dbErrors.inc();
      this.log.error({ err: error }, 'rollup update failed; will retry');
      return false;
    }
  }
}

interface WireUpsert {
  _id: string;
  siteId: string;
  at: number;
  path?: string;
  inc: Record<string, number>;
}
type WireIncrements = Record<(typeof KINDS)[number], WireUpsert[]>;
export const ROLLUP_MESSAGE = 'tagward:rollups';

function toWire(increments: RollupIncrements): WireIncrements {
  const wire = {} as WireIncrements;
  for (const kind of KINDS) {
    wire[kind] = [...increments[kind].values()].map(({ _id, setOnInsert, inc }) => ({
      _id,
      siteId: String(setOnInsert.siteId),
      at: ((setOnInsert.hour ?? setOnInsert.day) as Date).getTime(),
      ...(typeof setOnInsert.path === 'string' ? { path: setOnInsert.path } : {}),
      inc,
    }));
  }
  return wire;
}

export function fromWire(wire: WireIncrements): RollupIncrements {
  const increments = emptyIncrements();
  for (const kind of KINDS) {
    const bucket = kind === 'hourly' || kind === 'paths' ? 'hour' : 'day';
    for (const u of wire[kind]) {
      const setOnInsert: Record<string, unknown> = { siteId: new Types.ObjectId(u.siteId), [bucket]: new Date(u.at) };
      if (u.path !== undefined) setOnInsert.path = u.path;
      increments[kind].set(u._id, { _id: u._id, setOnInsert, inc: u.inc });
    }
  }
  return increments;
}

/** In a cluster worker: ship increments to the primary, the single rollup writer. */
export class ClusterRollupSink implements RollupSink {
  add(increments: RollupIncrements): void {
    if (isEmpty(increments)) return;
    process.send?.({ type: ROLLUP_MESSAGE, increments: toWire(increments) });
  }

  async idle(): Promise<void> {
    // IPC messages are sent in order before the worker exits; the primary writes them.
  }
}

export function isRollupMessage(message: unknown): message is { type: string; increments: WireIncrements } {
  return typeof message === 'object' && message !== null && (message as { type?: unknown }).type === ROLLUP_MESSAGE;
}
