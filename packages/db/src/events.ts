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
  /** The single-use nonces the beacon spends by being stored (omitted when none). */
  spentNonces?: string[];
  /** Set once a later beacon re-scored this event in hindsight (see `reviseEvent`). */
  revision?: EventRevision;
}

type Scored = Pick<EventRecord, 'score' | 'verdict' | 'reasons'>;

/** A hindsight re-score: when, which later beacon caused it, and the scoring it replaced. */
export interface EventRevision {
  at: Date;
  /** The idempotency id of the later beacon whose cadence showed this one was part of a pattern. */
  by: string;
  before: Scored & { signals: EventRecord['signals'] };
}

/** The new scoring of a revised event. */
export type RevisedScoring = Scored & Pick<EventRecord, 'signals' | 'shadow'>;

/**
 * Per event of a batch: stored; a duplicate of one already stored (same site and idempotency id:
 * a retry); or refused because a nonce it carries was spent by another stored event (a replay),
 * with those nonces in `spentElsewhere`.
 */
export type InsertOutcome = 'inserted' | 'duplicate' | { replayed: string[] };

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
 * Tells the duplicates of a batch apart: the stored event with the same site and idempotency id
 * makes it a retry; otherwise the stored events holding its nonces make it a replay. One query,
 * and only when a batch had duplicates.
 */
async function classifyDuplicates(db: Database, docs: readonly EventRecord[], indexes: number[]): Promise<Map<number, InsertOutcome>> {
  const dups = indexes.map((i) => docs[i]!);
  const nonces = dups.flatMap((d) => d.spentNonces ?? []);
  const or: Record<string, unknown>[] = dups.map((d) => ({ siteId: d.siteId, eventId: d.eventId }));
  if (nonces.length) or.push({ spentNonces: { $in: nonces } });
  const stored = await db.models.Event.collection
    .find({ $or: or }, { projection: { _id: 0, siteId: 1, eventId: 1, spentNonces: 1 } })
    .toArray();
  const outcomes = new Map<number, InsertOutcome>();
  for (const i of indexes) {
    const doc = docs[i]!;
    if (stored.some((e) => String(e.siteId) === String(doc.siteId) && e.eventId === doc.eventId)) {
      outcomes.set(i, 'duplicate');
      continue;
    }
    const held = new Set(stored.flatMap((e) => (e.spentNonces as string[] | undefined) ?? []));
    const replayed = (doc.spentNonces ?? []).filter((n) => held.has(n));
    // A nonce clash whose holder is gone (deleted meanwhile) still means its nonces were used.
    outcomes.set(i, { replayed: replayed.length ? replayed : [...(doc.spentNonces ?? [])] });
  }
  return outcomes;
}

/**
 * Inserts a batch in one unordered `insertMany` and tells, per event, what happened (see
 * {@link InsertOutcome}). Spent nonces are a unique index of the events themselves, so storing a
 * beacon and spending its tokens is the same write: two processes storing the same token at once
 * cannot both succeed. Only a bulk error listing nothing but duplicate keys proves the rest were
 * written; any other failure (a connection lost mid-batch can surface as a bulk error with an
 * empty list) throws `EventStoreUnavailableError`, and the caller acknowledges none of the batch:
 * clients retry with the same idempotency id, and a retry of a stored event is a duplicate.
 */
export async function insertEvents(db: Database, docs: readonly EventRecord[]): Promise<InsertOutcome[]> {
  const outcomes: InsertOutcome[] = docs.map(() => 'inserted');
  let duplicates: number[];
  try {
    await db.models.Event.collection.insertMany(docs as EventRecord[], { ordered: false });
    return outcomes;
  } catch (error) {
    const writeErrors = bulkWriteErrors(error);
    if (!writeErrors || writeErrors.length === 0 || !writeErrors.every((e) => e.code === DUPLICATE_KEY)) {
      throw new EventStoreUnavailableError({ cause: error });
    }
    duplicates = writeErrors.map((e) => e.index);
  }
  try {
    for (const [i, outcome] of await classifyDuplicates(db, docs, duplicates)) outcomes[i] = outcome;
  } catch (error) {
    throw new EventStoreUnavailableError({ cause: error });
  }
  return outcomes;
}

/**
 * Replaces the scoring of one stored event, once: only while it still has the scoring it was read
 * with and was never revised, so two processes (or a retried revision) cannot both apply one, and
 * the caller moves the rollup counts exactly when this returns true. The old scoring and signals
 * are kept in `revision.before`.
 */
export async function reviseEvent(
  db: Database,
  stored: Pick<EventRecord, 'siteId' | 'eventId' | 'score' | 'verdict' | 'reasons' | 'signals'>,
  next: RevisedScoring,
  meta: { at: Date; by: string },
): Promise<boolean> {
  const revision: EventRevision = {
    at: meta.at,
    by: meta.by,
    before: { score: stored.score, verdict: stored.verdict, reasons: stored.reasons, signals: stored.signals },
  };
  const result = await db.models.Event.collection.updateOne(
    { siteId: stored.siteId, eventId: stored.eventId, score: stored.score, verdict: stored.verdict, revision: { $exists: false } },
    { $set: { score: next.score, verdict: next.verdict, reasons: next.reasons, signals: next.signals, shadow: next.shadow, revision } },
  );
  return result.modifiedCount === 1;
}
