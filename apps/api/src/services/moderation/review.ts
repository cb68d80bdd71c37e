import { LABEL_VALUES, type Database } from '@tagward/db';
import { DEFAULT_RULES, applyOverride, score, type Rules, type RulesOverride, type Signals, type Verdict } from '@tagward/trust';
import { Types } from 'mongoose';
import { audit } from '../audit.js';
import { describeReason } from '../explain.js';
import { decodeCursor, encodeCursor } from '../events.js';
import { notFound } from '../errors.js';
import type { LabelDto, LabelValue, ReviewItemDto, ReviewMetricsDto, ReviewPageDto, VersionMetricsDto } from './dto.js';
import { confusion } from './metrics.js';
import { emailsOf, globalVersionsWithRules, liveOverrides, type Actor } from './rules.js';

/**
 * The review queue: events an admin labels fraud or legit. Labels live on the event (`label:
 * { value, by, at }`), so precision and recall of any rules version can be computed against them.
 */

export const REVIEW_PAGE_MAX = 100;
/** Labelled events re-scored per version for the precision/recall table (the newest ones). */
const RESCORE_LIMIT = 20_000;
const RESCORE_VERSIONS = 10;

export interface ReviewFilters {
  verdict?: Verdict;
  status: 'unlabeled' | 'labeled' | 'all';
  siteId?: string;
}

interface EventRow {
  _id: Types.ObjectId;
  siteId: Types.ObjectId;
  receivedAt: Date;
  page?: { url?: string; path?: string };
  score: number;
  verdict: Verdict;
  rulesVersion: number;
  reasons?: unknown;
  signals?: unknown;
  shadow?: { verdict?: unknown; score?: unknown; version?: unknown } | null;
  label?: { value?: unknown; by?: unknown; at?: unknown } | null;
}

const PROJECTION = {
  siteId: 1,
  receivedAt: 1,
  'page.url': 1,
  'page.path': 1,
  score: 1,
  verdict: 1,
  rulesVersion: 1,
  reasons: 1,
  signals: 1,
  shadow: 1,
  label: 1,
};

function asVerdict(value: unknown): Verdict {
  return value === 'trusted' || value === 'fraud' ? value : 'suspect';
}

function get(obj: unknown, ...path: string[]): unknown {
  let at: unknown = obj;
  for (const key of path) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Record<string, unknown>)[key];
  }
  return at;
}

function text(value: unknown): string {
  if (value === null || value === undefined || value === '') return '—';
  if (Array.isArray(value)) return value.length ? value.join(', ') : '—';
  return String(value);
}

/** The handful of signals a reviewer reads first; the event page has all of them. */
function factsOf(signals: unknown): Array<{ label: string; value: string }> {
  return [
    { label: 'Origin', value: `${text(get(signals, 'origin', 'value'))} (${text(get(signals, 'origin', 'status'))})` },
    { label: 'User-Agent', value: text(get(signals, 'shape', 'ua')).slice(0, 160) },
    { label: 'Browser family', value: text(get(signals, 'shape', 'uaFamily')) },
    { label: 'Page token', value: text(get(signals, 'token', 'status')) },
    { label: 'Sec-Fetch site/mode', value: `${text(get(signals, 'shape', 'secFetchSite'))} / ${text(get(signals, 'shape', 'secFetchMode'))}` },
    { label: 'Referrer', value: text(get(signals, 'referrer', 'kind')) },
    { label: 'Visitor events last minute', value: text(get(signals, 'cadence', 'lastMinute')) },
    { label: 'Network', value: text(get(signals, 'ip', 'prefix')) },
  ];
}

function labelOf(raw: EventRow['label'], emails: Map<string, string>): LabelDto | null {
  if (!raw || (raw.value !== 'fraud' && raw.value !== 'legit')) return null;
  const by = raw.by ? String(raw.by) : null;
  return {
    value: raw.value,
    by,
    byEmail: by ? (emails.get(by) ?? null) : null,
    at: raw.at instanceof Date ? raw.at.toISOString() : new Date(0).toISOString(),
  };
}

function toItem(row: EventRow, siteNames: Map<string, string>, emails: Map<string, string>): ReviewItemDto {
  const reasons = Array.isArray(row.reasons) ? (row.reasons as Array<Record<string, unknown>>) : [];
  const shadow = row.shadow && typeof row.shadow.version === 'number'
    ? { verdict: asVerdict(row.shadow.verdict), score: typeof row.shadow.score === 'number' ? row.shadow.score : 0, version: row.shadow.version }
    : null;
  return {
    id: String(row._id),
    siteId: String(row.siteId),
    siteName: siteNames.get(String(row.siteId)) ?? String(row.siteId),
    receivedAt: row.receivedAt.toISOString(),
    url: row.page?.url ?? '',
    path: row.page?.path ?? '',
    score: row.score,
    verdict: asVerdict(row.verdict),
    rulesVersion: row.rulesVersion,
    reasons: reasons
      .filter((r) => typeof r.code === 'string')
      .map((r) => ({
        code: String(r.code),
        weight: typeof r.weight === 'number' ? r.weight : 0,
        detail: typeof r.detail === 'string' ? r.detail : '',
        title: describeReason(String(r.code)).title,
      }))
      .sort((a, b) => a.weight - b.weight),
    facts: factsOf(row.signals),
    shadow,
    label: labelOf(row.label, emails),
  };
}

async function toItems(db: Database, rows: EventRow[]): Promise<ReviewItemDto[]> {
  const siteIds = [...new Set(rows.map((r) => String(r.siteId)))];
  const sites = siteIds.length ? await db.models.Site.find({ _id: { $in: siteIds.map((id) => new Types.ObjectId(id)) } }, { name: 1 }).lean() : [];
  const names = new Map(sites.map((s) => [String(s._id), s.name]));
  const emails = await emailsOf(db, rows.map((r) => (r.label?.by ? String(r.label.by) : null)));
  return rows.map((row) => toItem(row, names, emails));
}

export async function reviewQueue(db: Database, filters: ReviewFilters, page: { cursor?: string | null; limit: number }): Promise<ReviewPageDto> {
  const query: Record<string, unknown> = {};
  if (filters.verdict) query.verdict = filters.verdict;
  if (filters.siteId) query.siteId = new Types.ObjectId(filters.siteId);
  // `label: null` also matches events stored before labels existed (no field at all).
  if (filters.status === 'unlabeled') query.label = null;
  if (filters.status === 'labeled') query['label.value'] = { $in: LABEL_VALUES };
  if (page.cursor) {
    const { receivedAt, id } = decodeCursor(page.cursor);
    query.$or = [{ receivedAt: { $lt: receivedAt } }, { receivedAt, _id: { $lt: id } }];
  }
  const limit = Math.min(Math.max(page.limit, 1), REVIEW_PAGE_MAX);
  const rows = (await db.models.Event.find(query, PROJECTION).sort({ receivedAt: -1, _id: -1 }).limit(limit + 1).lean()) as EventRow[];
  const items = await toItems(db, rows.slice(0, limit));
  const last = rows[limit - 1];
  return { items, nextCursor: rows.length > limit && last ? encodeCursor(last.receivedAt, last._id) : null };
}

/** Labels an event (or clears its label with null), remembering who and when. */
export async function labelEvent(db: Database, actor: Actor, eventId: string, value: LabelValue | null, now: Date): Promise<ReviewItemDto> {
  if (!Types.ObjectId.isValid(eventId)) throw notFound('Event not found.');
  const label = value === null ? null : { value, by: new Types.ObjectId(actor.id), at: now };
  // One atomic swap: the audit entry gets the label this write replaced, even when two admins
  // label the same event at once.
  const before = (await db.models.Event.findOneAndUpdate({ _id: new Types.ObjectId(eventId) }, { $set: { label } }, { projection: { label: 1 }, returnDocument: 'before' }).lean()) as Pick<EventRow, '_id' | 'label'> | null;
  if (!before) throw notFound('Event not found.');
  const row = (await db.models.Event.findById(before._id, PROJECTION).lean()) as EventRow | null;
  if (!row) throw notFound('Event not found.');
  await audit(db, {
    actorId: actor.id,
    action: 'event.label',
    target: eventId,
    before: before.label ? { value: before.label.value, by: before.label.by ? String(before.label.by) : null } : null,
    after: label ? { value: label.value, by: actor.id } : null,
    at: now,
  });
  const [item] = await toItems(db, [row]);
  if (!item) throw notFound('Event not found.');
  return item;
}

const yieldToEventLoop = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function reviewMetrics(db: Database, includeSuspect: boolean): Promise<ReviewMetricsDto> {
  const groups = await db.models.Event.aggregate<{ _id: { version: unknown; verdict: unknown; label: unknown }; n: number }>([
    { $match: { 'label.value': { $in: LABEL_VALUES } } },
    { $group: { _id: { version: '$rulesVersion', verdict: '$verdict', label: '$label.value' }, n: { $sum: 1 } } },
  ]);
  const labels = { fraud: 0, legit: 0 };
  const perVersion = new Map<number, Array<{ label: LabelValue; verdict: Verdict; count: number }>>();
  for (const g of groups) {
    const label = g._id.label;
    if (label !== 'fraud' && label !== 'legit') continue;
    labels[label] += g.n;
    const version = typeof g._id.version === 'number' ? g._id.version : 0;
    const rows = perVersion.get(version) ?? [];
    rows.push({ label, verdict: asVerdict(g._id.verdict), count: g.n });
    perVersion.set(version, rows);
  }
  const live = [...perVersion]
    .map(([version, rows]) => ({ version, ...confusion(rows, includeSuspect) }))
    .sort((a, b) => b.version - a.version);

  // Re-scoring every labelled event with each version compares versions on the same events,
  // including versions that never ran live on them (older ones, and the draft).
  const events = (await db.models.Event.find({ 'label.value': { $in: LABEL_VALUES } }, { siteId: 1, signals: 1, label: 1 })
    .sort({ receivedAt: -1 })
    .limit(RESCORE_LIMIT)
    .lean()) as Array<Pick<EventRow, '_id' | 'siteId' | 'signals' | 'label'>>;
  const scorable = events.filter(
    (e) => get(e.signals, 'v') === 1 && (e.label?.value === 'fraud' || e.label?.value === 'legit'),
  );
  const overrides = await liveOverrides(db);
  // Newest first: the draft holds a recent number, so it is among them (unless ten rollbacks
  // happened since it was created).
  const versions = await globalVersionsWithRules(db, RESCORE_VERSIONS);
  const candidates: Array<{ version: number; status: VersionMetricsDto['status']; note: string; rules: Rules }> = [...versions];
  if (!versions.some((v) => v.version === 0)) candidates.push({ version: 0, status: 'default', note: 'Built-in defaults', rules: DEFAULT_RULES });

  const rescored: VersionMetricsDto[] = [];
  let sinceYield = 0;
  for (const candidate of candidates) {
    const merged = new Map<string, Rules>();
    const rulesFor = (siteId: string): Rules => {
      let rules = merged.get(siteId);
      if (!rules) {
        const override: RulesOverride | undefined = overrides.get(siteId);
        try {
          rules = override ? applyOverride(candidate.rules, override) : candidate.rules;
        } catch {
          rules = candidate.rules; // an override that does not fit this old version: judge it without
        }
        merged.set(siteId, rules);
      }
      return rules;
    };
    const rows: Array<{ label: LabelValue; verdict: Verdict }> = [];
    for (const event of scorable) {
      try {
        const result = score(event.signals as Signals, rulesFor(String(event.siteId)));
        rows.push({ label: event.label?.value as LabelValue, verdict: result.verdict });
      } catch {
        // Signals the engine cannot read are left out, as in backtests.
      }
      sinceYield += 1;
      if (sinceYield >= 2_000) {
        sinceYield = 0;
        await yieldToEventLoop();
      }
    }
    rescored.push({ version: candidate.version, status: candidate.status, note: candidate.note, ...confusion(rows, includeSuspect) });
  }
  rescored.sort((a, b) => b.version - a.version);
  return { includeSuspect, labels, live, rescored, rescoredEvents: scorable.length };
}
