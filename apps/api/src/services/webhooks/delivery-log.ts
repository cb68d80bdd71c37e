import type { Database } from '@tagward/db';
import { Types } from 'mongoose';
import { badRequest, notFound } from '../errors.js';
import type { SiteRow } from '../site-row.js';

export interface DeliveryAttemptDto {
  at: string;
  status: number | null;
  error: string | null;
  detail: string;
  durationMs: number;
}

export interface DeliveryDto {
  id: string;
  eventId: string;
  type: string;
  status: 'pending' | 'succeeded' | 'failed' | 'cancelled';
  createdAt: string;
  /** When the next attempt is due (pending only). */
  nextAttemptAt: string | null;
  attemptCount: number;
  /** Newest first (the last 20). */
  attempts: DeliveryAttemptDto[];
  /** The exact body sent. */
  body: string;
}

export interface DeliveryPageDto {
  items: DeliveryDto[];
  nextCursor: string | null;
}

function encode(createdAt: Date, id: string): string {
  return Buffer.from(`${createdAt.getTime()}|${id}`).toString('base64url');
}

function decode(cursor: string): { createdAt: Date; id: string } {
  const match = /^(\d{1,15})\|(evt_[A-Za-z0-9_-]{1,40}:[a-f0-9]{24})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badRequest('This page link is not valid any more. Start from the first page.');
  return { createdAt: new Date(Number(match[1])), id: match[2]! };
}

interface DeliveryRow {
  _id: string;
  eventId: string;
  type: string;
  status: DeliveryDto['status'];
  createdAt: Date;
  dueAt: Date;
  attemptCount: number;
  attempts?: Array<{ at: Date; status?: number | null; error?: string | null; detail?: string; durationMs?: number }>;
  body: string;
}

/** An endpoint's deliveries, newest first, keyset-paginated on (createdAt, _id). */
export async function listDeliveries(db: Database, site: SiteRow, endpointId: string, page: { cursor?: string | null; limit: number }): Promise<DeliveryPageDto> {
  if (!Types.ObjectId.isValid(endpointId)) throw notFound('No such webhook endpoint on this site.');
  const endpoint = await db.models.WebhookEndpoint.exists({ _id: endpointId, siteId: site._id });
  if (!endpoint) throw notFound('No such webhook endpoint on this site.');
  const query: Record<string, unknown> = { endpointId: new Types.ObjectId(endpointId) };
  if (page.cursor) {
    const { createdAt, id } = decode(page.cursor);
    query.$or = [{ createdAt: { $lt: createdAt } }, { createdAt, _id: { $lt: id } }];
  }
  const rows = (await db.models.WebhookDelivery.find(query).sort({ createdAt: -1, _id: -1 }).limit(page.limit + 1).lean()) as unknown as DeliveryRow[];
  const items = rows.slice(0, page.limit).map((row) => ({
    id: row._id,
    eventId: row.eventId,
    type: row.type,
    status: row.status,
    createdAt: row.createdAt.toISOString(),
    nextAttemptAt: row.status === 'pending' ? row.dueAt.toISOString() : null,
    attemptCount: row.attemptCount,
    attempts: (row.attempts ?? [])
      .map((a) => ({ at: a.at.toISOString(), status: a.status ?? null, error: a.error ?? null, detail: a.detail ?? '', durationMs: a.durationMs ?? 0 }))
      .reverse(),
    body: row.body,
  }));
  const last = rows[page.limit - 1];
  return { items, nextCursor: rows.length > page.limit && last ? encode(last.createdAt, last._id) : null };
}
