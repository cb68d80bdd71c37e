import type { Database } from '@tagward/db';
import { Types } from 'mongoose';
import { badRequest } from '../errors.js';
import type { AuditEntryDto, AuditPageDto } from './dto.js';
import { emailsOf } from './rules.js';

/**
 * The audit log viewer. Entries are written by every admin action here and by the site/key
 * procedures (services/audit.ts); this reads them newest first with keyset pagination on
 * (at, _id), filtered by action, actor and time.
 */

export const AUDIT_PAGE_MAX = 100;

export interface AuditFilters {
  /** Exact action, or a prefix ending in `.` (`rules.` = every rules action). */
  action?: string;
  actorEmail?: string;
  from?: Date;
  to?: Date;
}

function encode(at: Date, id: Types.ObjectId): string {
  return Buffer.from(`${at.getTime()}:${id.toHexString()}`).toString('base64url');
}

function decode(cursor: string): { at: Date; id: Types.ObjectId } {
  const match = /^(\d{1,15}):([a-f0-9]{24})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw badRequest('This page link is not valid any more. Start from the first page.');
  return { at: new Date(Number(match[1])), id: new Types.ObjectId(match[2]) };
}

/** Stored before/after values may hold ObjectIds and Dates: send them as JSON would show them. */
function jsonSafe(value: unknown): unknown {
  if (value === undefined) return null;
  return JSON.parse(JSON.stringify(value)) as unknown;
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export async function listAudit(db: Database, filters: AuditFilters, page: { cursor?: string | null; limit: number }): Promise<AuditPageDto> {
  const query: Record<string, unknown> = {};
  if (filters.action) {
    query.action = filters.action.endsWith('.') ? { $regex: `^${escapeRegex(filters.action)}` } : filters.action;
  }
  if (filters.actorEmail) {
    const user = await db.models.User.findOne({ email: filters.actorEmail.trim().toLowerCase() }, { _id: 1 }).lean();
    if (!user) return { items: [], nextCursor: null };
    query.actorId = user._id;
  }
  const time: Record<string, Date> = {};
  if (filters.from) time.$gte = filters.from;
  if (filters.to) time.$lt = filters.to;
  if (page.cursor) {
    const { at, id } = decode(page.cursor);
    query.$or = [{ at: { $lt: at } }, { at, _id: { $lt: id } }];
  }
  if (Object.keys(time).length) query.at = time;
  const limit = Math.min(Math.max(page.limit, 1), AUDIT_PAGE_MAX);
  const rows = await db.models.AuditLog.find(query).sort({ at: -1, _id: -1 }).limit(limit + 1).lean();
  const shown = rows.slice(0, limit);
  const emails = await emailsOf(db, shown.map((r) => r.actorId));
  const items: AuditEntryDto[] = shown.map((row) => ({
    id: String(row._id),
    at: row.at.toISOString(),
    actorId: String(row.actorId),
    actorEmail: emails.get(String(row.actorId)) ?? null,
    action: row.action,
    target: row.target ?? '',
    before: jsonSafe(row.before),
    after: jsonSafe(row.after),
  }));
  const last = rows[limit - 1];
  return { items, nextCursor: rows.length > limit && last ? encode(last.at, last._id) : null };
}

/** Actions present in the log, for the filter's choices. */
export async function listAuditActions(db: Database): Promise<string[]> {
  // `distinct` walks the action index's keys, one per action, instead of every entry.
  const actions = await db.models.AuditLog.distinct('action');
  return actions.map(String).sort();
}
