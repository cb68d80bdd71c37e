import type { Database, EventDoc } from '@tagward/db';
import { Types } from 'mongoose';
import { describeCheck } from './check-labels.js';
import { describeReason, explainSignals, type SignalGroupDto } from './explain.js';
import { badRequest, notFound } from './errors.js';

/**
 * The events explorer reads the Event collection with filters that the `{siteId, receivedAt}`
 * and `{siteId, verdict, receivedAt}` indexes serve, newest first, with keyset (cursor)
 * pagination on (receivedAt, _id): page N costs the same as page 1, unlike skip/limit.
 */

export const EVENTS_PAGE_MAX = 100;

type EventRow = EventDoc & { _id: Types.ObjectId };

export interface EventFilters {
  verdict?: 'trusted' | 'suspect' | 'fraud';
  reason?: string;
  /** Path prefix: `/blog` matches `/blog` and `/blog/post`. */
  path?: string;
  from?: Date;
  to?: Date;
}

export interface EventSummaryDto {
  id: string;
  /** The beacon id the page was given (the verify API's id). */
  eventId: string;
  receivedAt: string;
  path: string;
  verdict: 'trusted' | 'suspect' | 'fraud';
  score: number;
  /** The reasons that lowered the score, most harmful first (at most three). */
  reasons: Array<{ code: string; title: string }>;
  tokenValid: boolean;
}

export interface EventPageDto {
  items: EventSummaryDto[];
  nextCursor: string | null;
}

export interface EventDetailDto {
  id: string;
  eventId: string;
  receivedAt: string;
  page: { url: string; path: string; referrer: string };
  verdict: 'trusted' | 'suspect' | 'fraud';
  score: number;
  rulesVersion: number;
  reasons: Array<{ code: string; weight: number; detail: string; title: string; description: string; forgery: string; kind: string }>;
  checks: Array<{ id: string; label: string; pass: boolean; value: string | null }>;
  signals: SignalGroupDto[];
  tokenValid: boolean;
  attestationCohort: boolean;
  clientErrors: string[];
}

function toVerdict(value: unknown): 'trusted' | 'suspect' | 'fraud' {
  return value === 'trusted' || value === 'fraud' ? value : 'suspect';
}

interface StoredReason {
  code: string;
  weight: number;
  detail: string;
}

function storedReasons(value: unknown): StoredReason[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null && typeof r.code === 'string')
    .map((r) => ({ code: String(r.code), weight: typeof r.weight === 'number' ? r.weight : 0, detail: typeof r.detail === 'string' ? r.detail : '' }));
}

export function encodeCursor(receivedAt: Date, id: Types.ObjectId): string {
  return Buffer.from(`${receivedAt.getTime()}:${id.toHexString()}`).toString('base64url');
}

export function decodeCursor(cursor: string): { receivedAt: Date; id: Types.ObjectId } {
  const text = Buffer.from(cursor, 'base64url').toString('utf8');
  const match = /^(\d{1,15}):([a-f0-9]{24})$/.exec(text);
  if (!match) throw badRequest('This page link is not valid any more. Start from the first page.');
  return { receivedAt: new Date(Number(match[1])), id: new Types.ObjectId(match[2]) };
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function listEvents(
  db: Database,
  siteId: Types.ObjectId,
  filters: EventFilters,
  page: { cursor?: string | null; limit: number },
): Promise<EventPageDto> {
  const query: Record<string, unknown> = { siteId };
  if (filters.verdict) query.verdict = filters.verdict;
  if (filters.reason) query['reasons.code'] = filters.reason;
  // Paths are user text: matched as an anchored, escaped prefix, never as a pattern.
  if (filters.path) query['page.path'] = { $regex: `^${escapeRegex(filters.path)}` };
  const time: Record<string, Date> = {};
  if (filters.from) time.$gte = filters.from;
  if (filters.to) time.$lt = filters.to;
  if (page.cursor) {
    const { receivedAt, id } = decodeCursor(page.cursor);
    query.$or = [{ receivedAt: { $lt: receivedAt } }, { receivedAt, _id: { $lt: id } }];
  }
  if (Object.keys(time).length) query.receivedAt = time;

  const limit = Math.min(Math.max(page.limit, 1), EVENTS_PAGE_MAX);
  const rows = (await db.models.Event.find(query, {
    eventId: 1,
    receivedAt: 1,
    'page.path': 1,
    verdict: 1,
    score: 1,
    reasons: 1,
    tokenValid: 1,
  })
    .sort({ receivedAt: -1, _id: -1 })
    .limit(limit + 1)
    .lean()) as EventRow[];

  const items = rows.slice(0, limit).map((row) => ({
    id: row._id.toHexString(),
    eventId: row.eventId,
    receivedAt: row.receivedAt.toISOString(),
    path: row.page?.path ?? '',
    verdict: toVerdict(row.verdict),
    score: row.score,
    reasons: storedReasons(row.reasons)
      .filter((r) => r.weight < 0)
      .sort((a, b) => a.weight - b.weight)
      .slice(0, 3)
      .map((r) => ({ code: r.code, title: describeReason(r.code).title })),
    tokenValid: Boolean(row.tokenValid),
  }));
  const last = rows[limit - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.receivedAt, last._id) : null };
}

export async function getEvent(db: Database, siteId: Types.ObjectId, id: string): Promise<EventDetailDto> {
  // By `_id` first (the one lookup FerretDB 1.x does not scan for), then the site must match:
  // an id from another tenant reads exactly like an id that does not exist.
  const row = (await db.models.Event.findById(id).lean()) as EventRow | null;
  if (!row || !row.siteId.equals(siteId)) throw notFound('Event not found.');
  const checks = Array.isArray(row.checks) ? (row.checks as Array<Record<string, unknown>>) : [];
  return {
    id: row._id.toHexString(),
    eventId: row.eventId,
    receivedAt: row.receivedAt.toISOString(),
    page: { url: row.page?.url ?? '', path: row.page?.path ?? '', referrer: row.page?.referrer ?? '' },
    verdict: toVerdict(row.verdict),
    score: row.score,
    rulesVersion: row.rulesVersion,
    reasons: storedReasons(row.reasons)
      .sort((a, b) => a.weight - b.weight)
      .map((r) => {
        const text = describeReason(r.code);
        return { ...r, title: text.title, description: text.description, forgery: text.forgery, kind: text.kind };
      }),
    checks: checks
      .filter((c) => typeof c.id === 'string')
      .map((c) => ({
        id: String(c.id),
        label: describeCheck(String(c.id)),
        pass: c.pass === true,
        value: c.value === undefined || c.value === null ? null : String(c.value),
      })),
    signals: explainSignals(row.signals),
    tokenValid: Boolean(row.tokenValid),
    attestationCohort: Boolean(row.attestationCohort),
    clientErrors: Array.isArray(row.clientErrors) ? row.clientErrors.map(String) : [],
  };
}
