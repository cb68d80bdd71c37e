/**
 * Stores events and their rollups through the same two functions the beacon's group commit uses
 * (`addToIncrements` and `writeRollups` from @tagward/db), so tests and the stats bench put data
 * where the dashboard reads it without running the beacon, and cannot drift from its format.
 */
import { DAY_MS, HOUR_MS, incrementsOf, writeRollups, type Database, type EventRecord } from '@tagward/db';
import type { Types } from 'mongoose';

export { DAY_MS, HOUR_MS };

export interface FakeEvent {
  receivedAt: Date;
  path: string;
  verdict: 'trusted' | 'suspect' | 'fraud';
  score: number;
  reasons?: Array<{ code: string; weight: number; detail?: string }>;
  checks?: Array<{ id: string; pass: boolean; value?: number | string | null }>;
  tokenValid?: boolean;
  attestationCohort?: boolean;
  signals?: Record<string, unknown>;
}

let seq = 0;

export type FakeEventDoc = EventRecord;

export function toEventDoc(siteId: Types.ObjectId, event: FakeEvent): FakeEventDoc {
  seq += 1;
  return {
    siteId,
    eventId: `ev${seq.toString(36)}${Math.random().toString(36).slice(2, 10)}`,
    receivedAt: event.receivedAt,
    page: { url: `https://shop.example${event.path}`, path: event.path, referrer: '' },
    checks: event.checks ?? [],
    signals: event.signals ?? { v: 1, mode: 'live', origin: { value: 'https://shop.example', status: 'allowed', canonical: true } },
    score: event.score,
    verdict: event.verdict,
    reasons: (event.reasons ?? []).map((r) => ({ code: r.code, weight: r.weight, detail: r.detail ?? '' })),
    rulesVersion: 1,
    overrideVersion: null,
    tokenValid: event.tokenValid ?? false,
    clientErrors: [],
    visitorHash: 'v'.repeat(16),
    shadow: null,
    attestationCohort: event.attestationCohort ?? false,
    label: null,
  };
}

/** Inserts the events and applies their rollups; returns the stored ids in insertion order. */
export async function recordEvents(db: Database, siteId: Types.ObjectId, events: FakeEvent[]): Promise<Types.ObjectId[]> {
  const docs = events.map((e) => toEventDoc(siteId, e));
  const result = await db.models.Event.collection.insertMany(docs, { ordered: true });
  await writeRollups(db, incrementsOf(docs));
  return Object.values(result.insertedIds) as Types.ObjectId[];
}
