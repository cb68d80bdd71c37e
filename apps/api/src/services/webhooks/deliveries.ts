/**
 * From outbox event to delivered request: fan-out (one delivery per subscribed endpoint, with a
 * deterministic id), claiming a due delivery under a lease, and recording each attempt's outcome
 * with the retry schedule. Every state change is a compare-and-set on the claim, so two workers
 * (or one that lost its lease) can never both record an attempt as the last word.
 */
import { randomBytes } from 'node:crypto';
import type { Database } from '@tagward/db';
import type { Types } from 'mongoose';
import type { PostOutcome } from './transport.js';
import { TEST_EVENT, type WebhookPayload } from './types.js';
import { WEBHOOK_RETENTION_MS } from './outbox.js';

export interface RetrySchedule {
  retryBaseMs: number;
  maxDelayMs: number;
  giveUpAfterMs: number;
}

/**
 * When to try again after `failures` failed attempts, or null to give up: the delay doubles from
 * `retryBaseMs` (±10% jitter, so endpoints that failed together do not retry together) up to
 * `maxDelayMs`, and the last attempt is made at `giveUpAfterMs` after the event at the latest.
 */
export function nextAttemptAt(schedule: RetrySchedule, createdAt: number, failures: number, now: number, random = Math.random): number | null {
  const deadline = createdAt + schedule.giveUpAfterMs;
  if (now >= deadline) return null;
  const delay = Math.min(schedule.retryBaseMs * 2 ** Math.max(0, failures - 1), schedule.maxDelayMs);
  const jittered = delay * (0.9 + 0.2 * random());
  return Math.min(now + jittered, deadline);
}

interface OutboxRow {
  _id: string;
  siteId: Types.ObjectId | null;
  type: string;
  data: Record<string, unknown>;
  endpointId: Types.ObjectId | null;
  createdAt: Date;
}

const DUPLICATE_KEY = 11000;

async function targetsOf(db: Database, event: OutboxRow): Promise<Array<{ _id: Types.ObjectId; siteId: Types.ObjectId }>> {
  const { WebhookEndpoint } = db.models;
  if (event.endpointId) {
    return WebhookEndpoint.find({ _id: event.endpointId, ...(event.siteId ? { siteId: event.siteId } : {}) }, { siteId: 1 }).lean();
  }
  return WebhookEndpoint.find({ status: 'enabled', events: event.type, ...(event.siteId ? { siteId: event.siteId } : {}) }, { siteId: 1 }).lean();
}

/**
 * Turns undispatched outbox events into deliveries. Dispatching one twice (two processes, or a
 * crash before it was marked) inserts nothing new: the delivery id is `<event>:<endpoint>`.
 */
export async function dispatchOutbox(db: Database, now: Date, batch = 100): Promise<number> {
  const events = (await db.models.WebhookEvent.find({ dispatched: false }).sort({ createdAt: 1 }).limit(batch).lean()) as unknown as OutboxRow[];
  for (const event of events) {
    const targets = await targetsOf(db, event);
    const docs = targets.map((endpoint) => {
      const payload: WebhookPayload = {
        id: event._id,
        type: event.type as WebhookPayload['type'],
        createdAt: event.createdAt.toISOString(),
        siteId: String(endpoint.siteId),
        data: event.data ?? {},
      };
      return {
        _id: `${event._id}:${String(endpoint._id)}`,
        siteId: endpoint.siteId,
        endpointId: endpoint._id,
        eventId: event._id,
        type: event.type,
        body: JSON.stringify(payload),
        status: 'pending',
        dueAt: now,
        claim: null,
        attemptCount: 0,
        attempts: [],
        createdAt: event.createdAt,
        finishedAt: null,
        expiresAt: new Date(now.getTime() + WEBHOOK_RETENTION_MS),
      };
    });
    if (docs.length) {
      try {
        await db.models.WebhookDelivery.collection.insertMany(docs as never[], { ordered: false });
      } catch (error) {
        const codes = ((error as { writeErrors?: Array<{ code: number }> }).writeErrors ?? []).map((e) => e.code);
        if (codes.length === 0 || codes.some((c) => c !== DUPLICATE_KEY)) throw error;
      }
    }
    await db.models.WebhookEvent.updateOne({ _id: event._id }, { $set: { dispatched: true } });
  }
  return events.length;
}

export interface ClaimedDelivery {
  _id: string;
  siteId: Types.ObjectId;
  endpointId: Types.ObjectId;
  eventId: string;
  type: string;
  body: string;
  attemptCount: number;
  createdAt: Date;
  claim: string;
}

/** Claims the most overdue delivery for `leaseMs`: it is due again if this worker never reports. */
export async function claimDue(db: Database, now: Date, leaseMs: number): Promise<ClaimedDelivery | null> {
  const claim = randomBytes(12).toString('base64url');
  const doc = await db.models.WebhookDelivery.collection.findOneAndUpdate(
    { status: 'pending', dueAt: { $lte: now } },
    { $set: { dueAt: new Date(now.getTime() + leaseMs), claim }, $inc: { attemptCount: 1 } },
    { sort: { dueAt: 1 }, returnDocument: 'after', projection: { attempts: 0 } },
  );
  return doc && doc.claim === claim ? (doc as unknown as ClaimedDelivery) : null;
}

/** `lost`: the lease ran out and another worker claimed the delivery; this outcome is dropped. */
export type AttemptResult = 'succeeded' | 'retrying' | 'failed' | 'lost';

const attemptEntry = (at: Date, outcome: PostOutcome) => ({ at, status: outcome.status, error: outcome.error, detail: outcome.detail, durationMs: outcome.durationMs });

/**
 * Stores an attempt's outcome. A failure is retried on the schedule, except a test event's
 * (one try: the owner is watching) ; `failed` means the delivery gave up.
 */
export async function recordAttempt(db: Database, delivery: ClaimedDelivery, outcome: PostOutcome, schedule: RetrySchedule, now: Date): Promise<AttemptResult> {
  const push = { attempts: { $each: [attemptEntry(now, outcome)], $slice: -20 } };
  const mine = { _id: delivery._id, claim: delivery.claim };
  const store = async (result: AttemptResult, $set: Record<string, unknown>): Promise<AttemptResult> =>
    (await db.models.WebhookDelivery.updateOne(mine, { $set: { ...$set, claim: null }, $push: push })).matchedCount ? result : 'lost';
  if (outcome.ok) return store('succeeded', { status: 'succeeded', finishedAt: now });
  const next = delivery.type === TEST_EVENT ? null : nextAttemptAt(schedule, delivery.createdAt.getTime(), delivery.attemptCount, now.getTime());
  if (next === null) return store('failed', { status: 'failed', finishedAt: now });
  return store('retrying', { dueAt: new Date(next) });
}

/** A delivery whose endpoint is gone, or was disabled before it was tried. */
export async function cancelDelivery(db: Database, delivery: ClaimedDelivery, reason: string, now: Date): Promise<void> {
  await db.models.WebhookDelivery.updateOne({ _id: delivery._id, claim: delivery.claim }, {
    $set: { status: 'cancelled', finishedAt: now, claim: null },
    $push: { attempts: { $each: [{ at: now, status: null, error: 'cancelled', detail: reason, durationMs: 0 }], $slice: -20 } },
  });
}

/**
 * Disables an endpoint whose delivery failed for the whole retry period, and cancels its other
 * pending deliveries. Returns true for the one caller that flipped it (so owners are told once).
 */
export async function disableFailingEndpoint(db: Database, endpointId: Types.ObjectId, now: Date): Promise<boolean> {
  const flipped = await db.models.WebhookEndpoint.updateOne(
    { _id: endpointId, status: 'enabled' },
    { $set: { status: 'disabled', disabledAt: now, disabledReason: 'failing' } },
  );
  if (flipped.modifiedCount === 0) return false;
  await db.models.WebhookDelivery.updateMany(
    { endpointId, status: 'pending' },
    { $set: { status: 'cancelled', finishedAt: now, claim: null }, $push: { attempts: { at: now, status: null, error: 'cancelled', detail: 'The endpoint was disabled.', durationMs: 0 } } },
  );
  return true;
}
