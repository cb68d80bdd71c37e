import type { Database } from '@tagward/db';
import { Types } from 'mongoose';
import { describeCheck } from './check-labels.js';
import { describeReason, explainSignals, type SignalGroupDto } from './explain.js';
import { badRequest, notFound } from './errors.js';
import { searchEvents, type EventRow, type SearchFilters } from './event-search.js';

/**
 * The events explorer: pages of events newest first, with keyset (cursor) pagination on
 * (receivedAt, _id), so page N costs the same as page 1, unlike skip/limit; the search itself,
 * by time windows on the indexes, is event-search.ts. And one event's detail.
 */

export const EVENTS_PAGE_MAX = 100;

export type EventFilters = SearchFilters;

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
  /** Set when a later beacon re-scored this event in hindsight (a burst or a timer it was part of). */
  revision: { at: string; by: string; before: { verdict: 'trusted' | 'suspect' | 'fraud'; score: number } } | null;
}

function toRevision(value: unknown): EventDetailDto['revision'] {
  const r = value as { at?: unknown; by?: unknown; before?: { verdict?: unknown; score?: unknown } } | null | undefined;
  if (!r || !(r.at instanceof Date) || typeof r.by !== 'string' || typeof r.before?.score !== 'number') return null;
  return { at: r.at.toISOString(), by: r.by, before: { verdict: toVerdict(r.before.verdict), score: r.before.score } };
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

/** A page of the explorer: the search (event-search.ts) for one more event than the page shows. */
export async function listEvents(
  db: Database,
  siteId: Types.ObjectId,
  filters: EventFilters,
  page: { cursor?: string | null; limit: number; now: Date; directPathEvents?: number },
): Promise<EventPageDto> {
  const limit = Math.min(Math.max(page.limit, 1), EVENTS_PAGE_MAX);
  const after = page.cursor ? decodeCursor(page.cursor) : null;
  const rows = await searchEvents(db, siteId, filters, { after, now: page.now, directPathEvents: page.directPathEvents }, limit + 1);
  const items = rows.slice(0, limit).map(toSummary);
  const last = rows[limit - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.receivedAt, last._id) : null };
}

function toSummary(row: EventRow): EventSummaryDto {
  return {
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
  };
}

export async function getEvent(db: Database, siteId: Types.ObjectId, id: string): Promise<EventDetailDto> {
  // By `_id` (the primary key), then the site must match:
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
    // One row per check id (the first), also for events stored before the beacon refused
    // duplicates: pages key their rows by id.
    checks: checks
      .filter((c, i) => typeof c.id === 'string' && checks.findIndex((o) => o.id === c.id) === i)
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
    revision: toRevision(row.revision),
  };
}
