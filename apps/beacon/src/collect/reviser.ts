import type { Logger } from 'pino';
import { score, type Signals } from '@tagward/trust';
import { addRevisionToIncrements, emptyIncrements, reviseEvent, type Database, type EventRecord } from '@tagward/db';
import type { BeaconMetrics } from '../metrics.js';
import type { RollupSink } from './rollup-sink.js';
import type { RulesCache } from './rules-cache.js';

/** What the reviser needs of the writer: a point after which every write begun before it has settled. */
export interface WritesInFlight {
  settled(): Promise<void>;
}

const STORED_FIELDS = {
  _id: 0, siteId: 1, eventId: 1, receivedAt: 1, page: 1, checks: 1, signals: 1, score: 1, verdict: 1,
  reasons: 1, rulesVersion: 1, overrideVersion: 1, shadow: 1, tokenValid: 1, attestationCohort: 1, revision: 1,
} as const;

/**
 * Hindsight for cadence. A timer's or a burst's first beacons look like anyone's: the pattern
 * shows only at a later beacon (the fifth of a timer, the sixth in a second). When a stored beacon
 * is flagged for its cadence, the handler hands over the earlier beacons of the same visitor,
 * address or network that were scored trusted within the finding's reach (`cadenceReach`), and
 * this re-scores each with the later beacon's cadence figures, under the same rules. One whose verdict changes is
 * updated once (`reviseEvent`: conditional, so never twice) with the old scoring kept, and the
 * rollups move its count from the old verdict to the new one.
 *
 * Runs after the response, off the ingest path. Bounds: each trusted beacon is handed over at
 * most once; only events scored under the rules now in force are revised (a rules change in the
 * seconds between is skipped); a revision that fails (database gone) is logged and dropped, and
 * the events keep the verdict they were stored with. With several beacon processes each revises
 * the beacons it saw, the same bound as the cadence counts themselves.
 */
export class CadenceReviser {
  private readonly running = new Set<Promise<void>>();

  constructor(
    private readonly deps: {
      db: Database;
      rules: RulesCache;
      writes: WritesInFlight;
      rollups: RollupSink;
      metrics: BeaconMetrics;
      log: Logger;
      now: () => number;
    },
  ) {}

  /** Re-scores `earlierIds` in the light of `later` (stored), in the background. */
  revise(later: EventRecord, earlierIds: readonly string[]): void {
    if (earlierIds.length === 0) return;
    const task: Promise<void> = this.run(later, earlierIds)
      .catch((error: unknown) => {
        this.deps.metrics.dbErrors.inc();
        this.deps.log.warn({ err: error, eventId: later.eventId }, 'hindsight revision failed; the earlier events keep their verdicts');
      })
      .finally(() => this.running.delete(task));
    this.running.add(task);
  }

  /** Resolves once every revision handed over so far has finished. Used at shutdown and by tests. */
  async idle(): Promise<void> {
    while (this.running.size > 0) await Promise.all([...this.running]);
  }

  private async run(later: EventRecord, earlierIds: readonly string[]): Promise<void> {
    const { db, rules, writes, rollups, metrics, now } = this.deps;
    // The earlier beacons were queued before the later one, which is stored: wait for the batches
    // still in flight, so that every one of them can be read.
    await writes.settled();
    const stored = (await db.models.Event.collection
      .find({ siteId: later.siteId, eventId: { $in: [...earlierIds] } }, { projection: STORED_FIELDS })
      .toArray()) as unknown as EventRecord[];
    const active = rules.forSite(later.siteId.toHexString());
    const hindsight = (later.signals as unknown as Signals).cadence;
    const increments = emptyIncrements();
    for (const event of stored) {
      if (event.revision || event.verdict !== 'trusted') continue;
      if (event.rulesVersion !== active.version || event.overrideVersion !== active.overrideVersion) continue;
      const signals = { ...(event.signals as unknown as Signals), cadence: { ...hindsight, later: { eventId: later.eventId } } };
      const result = score(signals, active.rules);
      if (result.verdict === event.verdict) continue;
      const shadow =
        event.shadow && active.shadow && event.shadow.version === active.shadow.version
          ? { ...score(signals, active.shadow.rules), version: active.shadow.version }
          : event.shadow;
      const next = { score: result.score, verdict: result.verdict, reasons: result.reasons, signals: signals as unknown as EventRecord['signals'], shadow };
      if (await reviseEvent(db, event, next, { at: new Date(now()), by: later.eventId })) {
        addRevisionToIncrements(increments, event, { ...event, ...next });
        metrics.revisions.inc({ verdict: next.verdict });
      }
    }
    rollups.add(increments);
  }
}
