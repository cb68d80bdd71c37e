/**
 * Rollup increments: what one stored event adds to the pre-aggregated counters the dashboard
 * reads. The beacon turns each group commit's inserted events into increments and applies them
 * with `writeRollups` (store.ts); tests and benches use the same two functions, so the rollup
 * format has one owner.
 */
import { createHash } from 'node:crypto';
import type { Types } from 'mongoose';

/** The fields of a stored event that the rollups count. */
export interface RollupSource {
  siteId: Types.ObjectId;
  receivedAt: Date;
  page: { path: string; url?: string; referrer?: string };
  verdict: string;
  score: number;
  reasons: ReadonlyArray<{ code: string; weight: number }>;
  checks: ReadonlyArray<{ id: string; pass: boolean }>;
  tokenValid: boolean;
  attestationCohort: boolean;
  /** Raw signals; the attestation outcome of a cohort event is counted from them. */
  signals?: { attestation?: { status?: unknown } | null } | null;
}

export const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** Score histogram bucket: b0 = [0, 0.1) … b9 = [0.9, 1]. */
export function scoreBucket(score: number): string {
  return `b${Math.min(9, Math.max(0, Math.floor(score * 10)))}`;
}

/** One rollup document to `$inc`: its deterministic `_id`, the fields set on insert, the increments. */
export interface RollupUpsert {
  _id: string;
  setOnInsert: Record<string, unknown>;
  inc: Record<string, number>;
}

export const ROLLUP_KINDS = ['hourly', 'daily', 'paths', 'dailyPaths'] as const;
export type RollupKind = (typeof ROLLUP_KINDS)[number];

/** Pending increments per rollup collection, keyed by document `_id`. */
export type RollupIncrements = Record<RollupKind, Map<string, RollupUpsert>>;

export function emptyIncrements(): RollupIncrements {
  return { hourly: new Map(), daily: new Map(), paths: new Map(), dailyPaths: new Map() };
}

function bump(inc: Record<string, number>, field: string, by = 1): void {
  inc[field] = (inc[field] ?? 0) + by;
}

function entry(map: Map<string, RollupUpsert>, id: string, setOnInsert: Record<string, unknown>): Record<string, number> {
  let upsert = map.get(id);
  if (!upsert) {
    upsert = { _id: id, setOnInsert, inc: {} };
    map.set(id, upsert);
  }
  return upsert.inc;
}

/** Paths are page text of any length: hashed for the id, stored as a value. */
export function pathId(path: string): string {
  return createHash('sha256').update(path).digest('base64url').slice(0, 22);
}

const ATTESTATION_STATUS = /^[a-z_]{1,24}$/;

function countEvent(inc: Record<string, number>, event: RollupSource, by: 1 | -1): void {
  bump(inc, 'total', by);
  bump(inc, `verdicts.${event.verdict}`, by);
  bump(inc, `scoreHist.${scoreBucket(event.score)}`, by);
  for (const reason of event.reasons) if (reason.weight < 0) bump(inc, `reasons.${reason.code}`, by);
  for (const check of event.checks) bump(inc, `checks.${check.id}.${check.pass ? 'pass' : 'fail'}`, by);
  if (event.tokenValid) bump(inc, 'tokens', by);
  if (event.attestationCohort) {
    // The attestation experiment compares the cohort with the rest: total minus cohort.
    bump(inc, 'cohort', by);
    bump(inc, `cohortVerdicts.${event.verdict}`, by);
    bump(inc, `cohortScoreHist.${scoreBucket(event.score)}`, by);
    const status = event.signals?.attestation?.status;
    // An event without a recorded outcome had no token to check: absent.
    bump(inc, `cohortAttest.${typeof status === 'string' && ATTESTATION_STATUS.test(status) ? status : 'absent'}`, by);
  }
}

/**
 * Adds one event to the pending increments, hourly and daily. Field names are our own codes
 * (verdicts, reason codes, check ids validated by the payload schema), never page text, so no
 * key can contain `.` or start with `$`. Each rollup document has a deterministic `_id` (site,
 * bucket start, path hash): concurrent upserts from several beacon processes then meet on one
 * document, which the unique `_id` and `$inc` keep exact.
 */
export function addToIncrements(acc: RollupIncrements, event: RollupSource, by: 1 | -1 = 1): void {
  const site = event.siteId.toHexString();
  const t = event.receivedAt.getTime();
  const hour = new Date(Math.floor(t / HOUR_MS) * HOUR_MS);
  const day = new Date(Math.floor(t / DAY_MS) * DAY_MS);
  countEvent(entry(acc.hourly, `${site}:${hour.getTime()}`, { siteId: event.siteId, hour }), event, by);
  countEvent(entry(acc.daily, `${site}:${day.getTime()}`, { siteId: event.siteId, day }), event, by);

  const p = pathId(event.page.path);
  const pathInc = entry(acc.paths, `${site}:${hour.getTime()}:${p}`, { siteId: event.siteId, hour, path: event.page.path });
  const dayPathInc = entry(acc.dailyPaths, `${site}:${day.getTime()}:${p}`, { siteId: event.siteId, day, path: event.page.path });
  for (const inc of [pathInc, dayPathInc]) {
    bump(inc, 'total', by);
    bump(inc, `verdicts.${event.verdict}`, by);
  }
}

/**
 * What changing a stored event's scoring does to the rollups: its old counts taken out, its new
 * ones added (fields both count cancel out). The event keeps its time, page and checks.
 */
export function addRevisionToIncrements(acc: RollupIncrements, before: RollupSource, after: RollupSource): void {
  addToIncrements(acc, before, -1);
  addToIncrements(acc, after, 1);
}

export function mergeIncrements(into: RollupIncrements, from: RollupIncrements): void {
  for (const kind of ROLLUP_KINDS) {
    for (const [id, upsert] of from[kind]) {
      const existing = into[kind].get(id);
      if (!existing) into[kind].set(id, upsert);
      else for (const [field, n] of Object.entries(upsert.inc)) bump(existing.inc, field, n);
    }
  }
}

export function isEmpty(acc: RollupIncrements): boolean {
  return ROLLUP_KINDS.every((kind) => acc[kind].size === 0);
}

/** The increments of a list of events (tests, benches, imports). */
export function incrementsOf(events: Iterable<RollupSource>): RollupIncrements {
  const acc = emptyIncrements();
  for (const event of events) addToIncrements(acc, event);
  return acc;
}
