import type { Database } from '@tagward/db';
import { Types } from 'mongoose';
import { describeReason } from '../explain.js';
import type { AccumulatedResult } from './backtest-summary.js';
import type { BacktestJobDto, BacktestResultDto, BacktestStatus } from './dto.js';
import type { DraftSnapshot } from './rules.js';

/** A backtest job document as stored, and the shapes the API answers with. */

export interface JobRow {
  _id: Types.ObjectId;
  status: BacktestStatus;
  from: Date;
  to: Date;
  rules: { snapshot?: DraftSnapshot; siteId?: string | null } & Record<string, unknown>;
  createdBy: Types.ObjectId;
  total: number;
  processed: number;
  cancelRequested: boolean;
  result: AccumulatedResult | BacktestResultDto | null;
  error: string | null;
  startedAt: Date;
  heartbeatAt: Date;
  finishedAt: Date | null;
}

async function siteNames(db: Database, ids: Iterable<string>): Promise<Map<string, string>> {
  const unique = [...new Set(ids)].filter((id) => Types.ObjectId.isValid(id));
  if (unique.length === 0) return new Map();
  const sites = await db.models.Site.find({ _id: { $in: unique.map((id) => new Types.ObjectId(id)) } }, { name: 1 }).lean();
  return new Map(sites.map((s) => [String(s._id), s.name]));
}

/** Final form: sampled events get their time, path and site name; reasons their titles. */
export async function enrichResult(db: Database, raw: AccumulatedResult): Promise<BacktestResultDto> {
  const sites = raw.sites.slice(0, 200);
  const names = await siteNames(db, [...sites.map((s) => s.siteId), ...raw.sample.map((s) => s.siteId)]);
  const events = raw.sample.length
    ? ((await db.models.Event.find({ _id: { $in: raw.sample.map((s) => new Types.ObjectId(s.id)) } }, { receivedAt: 1, 'page.path': 1 }).lean()) as Array<{
        _id: Types.ObjectId;
        receivedAt?: Date;
        page?: { path?: string };
      }>)
    : [];
  const byId = new Map(events.map((e) => [String(e._id), e]));
  return {
    total: raw.total,
    skipped: raw.skipped,
    before: raw.before,
    after: raw.after,
    flipped: raw.flipped,
    transitions: raw.transitions,
    reasonDeltas: raw.reasonDeltas.map((r) => ({ ...r, title: describeReason(r.code).title })),
    meanScore: raw.meanScore,
    sample: raw.sample.map((s) => {
      const event = byId.get(s.id);
      return {
        id: s.id,
        siteId: s.siteId,
        siteName: names.get(s.siteId) ?? s.siteId,
        receivedAt: event?.receivedAt ? event.receivedAt.toISOString() : null,
        path: event?.page?.path ?? '',
        before: { score: s.before.score, verdict: s.before.verdict, reasons: [...s.before.reasons] },
        after: {
          score: s.after.score,
          verdict: s.after.verdict,
          reasons: s.after.reasons.map((r) => ({ code: r.code, weight: r.weight, detail: r.detail })),
        },
      };
    }),
    sites: sites.map((s) => ({ ...s, siteName: names.get(s.siteId) ?? s.siteId })),
  };
}

/** A running job's partial result lacks titles and names; give it the final shape. */
function toResultDto(raw: JobRow['result']): BacktestResultDto | null {
  if (!raw) return null;
  return {
    ...raw,
    reasonDeltas: raw.reasonDeltas.map((r) => ({ code: r.code, before: r.before, after: r.after, delta: r.delta, title: describeReason(r.code).title })),
    sample: (raw.sample as BacktestResultDto['sample']).filter((s) => 'siteName' in s),
    sites: raw.sites.map((s) => ({ siteId: s.siteId, siteName: 'siteName' in s ? String(s.siteName) : s.siteId, total: s.total, before: s.before, after: s.after })),
  };
}

export function toJobDto(row: JobRow, emails: Map<string, string>, now: Date): BacktestJobDto {
  const snapshot = row.rules.snapshot;
  const finished = row.status !== 'running';
  const by = String(row.createdBy);
  return {
    id: String(row._id),
    status: row.status,
    from: row.from.toISOString(),
    to: row.to.toISOString(),
    siteId: typeof row.rules.siteId === 'string' ? row.rules.siteId : null,
    rules: {
      globalVersion: snapshot?.global.version ?? 0,
      globalSource: snapshot?.global.source ?? 'default',
      overrides: snapshot?.overrides.length ?? 0,
    },
    createdBy: emails.get(by) ?? by,
    total: row.total,
    processed: row.processed,
    progress: finished ? 1 : row.total > 0 ? Math.min(0.99, row.processed / row.total) : 0,
    cancelRequested: row.cancelRequested,
    error: row.error,
    startedAt: row.startedAt.toISOString(),
    finishedAt: row.finishedAt ? row.finishedAt.toISOString() : null,
    elapsedMs: (row.finishedAt ?? now).getTime() - row.startedAt.getTime(),
    result: toResultDto(row.result),
  };
}
