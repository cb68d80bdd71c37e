/**
 * The stored beacon: one owner for its document (the beacon writes it, the API and moderation
 * read it, tests and benches seed it) and for the group-commit insert that stores it.
 */
import type { Types } from 'mongoose';
import type { Database } from './connection.js';
import type { RollupSource } from './rollups/increments.js';

/** A stored event, as the beacon writes it (the `Event` model declares the same fields). */
export interface EventRecord extends RollupSource {
  siteId: Types.ObjectId;
  /** The client's idempotency id: a retried beacon is stored once per site. */
  eventId: string;
  receivedAt: Date;
  page: { url: string; path: string; referrer: string };
  checks: Array<{ id: string; pass: boolean; value?: number | string | null }>;
  /** Raw signals (trust's `Signals`), kept so moderation can re-score history. */
  signals: { v?: unknown; attestation?: { status?: unknown } | null };
  score: number;
  verdict: 'trusted' | 'suspect' | 'fraud';
  reasons: Array<{ code: string; weight: number; detail: string }>;
  rulesVersion: number;
  overrideVersion: number | null;
  shadow: { score: number; verdict: string; reasons: Array<{ code: string; weight: number; detail: string }>; version: number } | null;
  visitorHash: string;
  attestationCohort: boolean;
  clientErrors: string[];
  label: { value: string; by: Types.ObjectId; at: Date } | null;
  tokenValid: boolean;
}

export type InsertOutcome = 'inserted' | 'duplicate';

/** The store could not say what was written: nothing of the batch may be acknowledged. */
export class EventStoreUnavailableError extends Error {
  constructor(options?: { cause?: unknown }) {
    super('the event store is unavailable', options);
    this.name = 'EventStoreUnavailableError';
  }
}

const DUPLICATE_KEY = 11000;

function bulkWriteErrors(error: unknown): Array<{ index: number; code: number }> | undefined {
  if (!error || typeof error !== 'object' || !('writeErrors' in error)) return undefined;
  const raw = (error as { writeErrors: unknown }).writeErrors;
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((e: { index: number; code: number }) => ({ index: e.index, code: e.code }));
}

/**
 * Inserts a batch in one unordered `insertMany` and tells, per event, whether it was inserted or
 * was a duplicate of an event already stored (same site and idempotency id). Only a bulk error
 * listing nothing but duplicate keys proves the rest were written; any other failure (a
 * connection lost mid-batch can surface as a bulk error with an empty list) throws
 * `EventStoreUnavailableError`, and the caller acknowledges none of the batch: clients retry with
 * the same idempotency id, and a retry of an event that was written is then a duplicate.
 */
export async function insertEvents(db: Database, docs: readonly EventRecord[]): Promise<InsertOutcome[]> {
  const outcomes: InsertOutcome[] = docs.map(() => 'inserted');
  try {
    await db.models.Event.collection.insertMany(docs as EventRecord[], { ordered: false });
    return outcomes;
  } catch (error) {
    const writeErrors = bulkWriteErrors(error);
    if (writeErrors && writeErrors.length > 0 && writeErrors.every((e) => e.code === DUPLICATE_KEY)) {
      for (const e of writeErrors) outcomes[e.index] = 'duplicate';
      return outcomes;
    }
    throw new EventStoreUnavailableError({ cause: error });
  }
}
