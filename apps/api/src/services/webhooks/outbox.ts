import { randomBytes } from 'node:crypto';
import type { Database } from '@tagward/db';
import type { ClientSession, Types } from 'mongoose';
import type { WebhookEventType } from './types.js';

/** Outbox events (and their deliveries' logs) are kept this long. */
export const WEBHOOK_RETENTION_MS = 30 * 86_400_000;

export function newEventId(): string {
  return `evt_${randomBytes(18).toString('base64url')}`;
}

/**
 * Records a webhook event in the outbox. Pass the session of the transaction that makes the
 * change the event announces: the event then exists if and only if the change committed, and the
 * dispatcher delivers it at least once, even if this process stops right after.
 */
export async function emitWebhookEvent(
  db: Database,
  event: { siteId: Types.ObjectId | null; type: WebhookEventType; data: Record<string, unknown>; endpointId?: Types.ObjectId; at: Date },
  session?: ClientSession,
): Promise<string> {
  const id = newEventId();
  await db.models.WebhookEvent.create(
    [
      {
        _id: id,
        siteId: event.siteId,
        type: event.type,
        data: event.data,
        endpointId: event.endpointId ?? null,
        createdAt: event.at,
        dispatched: false,
        expiresAt: new Date(event.at.getTime() + WEBHOOK_RETENTION_MS),
      },
    ],
    { session },
  );
  return id;
}
