import type { ObjectId } from 'mongodb';

/** The fields of a stored event that the rollups count. */
export interface RollupSource {
  siteId: ObjectId;
  receivedAt: Date;
  page: { path: string };
  verdict: string;
  score: number;
  reasons: Array<{ code: string; weight: number }>;
  checks: Array<{ id: string; pass: boolean }>;
  tokenValid: boolean;
  attestationCohort: boolean;
}

export const HOUR_MS = 3_600_000;

/** Score histogram bucket: b0 = [0, 0.1) … b9 = [0.9, 1]. */
export function scoreBucket(score: number): string {
  return `b${Math.min(9, Math.max(0, Math.floor(score * 10)))}`;
}

export interface RollupIncrements {
  hourly: Map<string, { siteId: ObjectId; hour: Date; inc: Record<string, number> }>;
  paths: Map<string, { siteId: ObjectId; hour: Date; path: string; inc: Record<string, number> }>;
}

export function emptyIncrements(): RollupIncrements {
  return { hourly: new Map(), paths: new Map() };
}

function bump(inc: Record<string, number>, field: string, by = 1): void {
  inc[field] = (inc[field] ?? 0) + by;
}

/**
 * Adds one event to the pending increments. Keys are our own codes (verdicts, reason codes,
 * check ids validated by the payload schema), never page text; paths go to their own documents.
 */
export function addToIncrements(acc: RollupIncrements, event: RollupSource): void {
  const hour = new Date(Math.floor(event.receivedAt.getTime() / HOUR_MS) * HOUR_MS);
  const siteKey = `${event.siteId.toHexString()}|${hour.getTime()}`;
  let hourly = acc.hourly.get(siteKey);
  if (!hourly) {
    hourly = { siteId: event.siteId, hour, inc: {} };
    acc.hourly.set(siteKey, hourly);
  }
  const inc = hourly.inc;
  bump(inc, 'total');
  bump(inc, `verdicts.${event.verdict}`);
  bump(inc, `scoreHist.${scoreBucket(event.score)}`);
  for (const reason of event.reasons) if (reason.weight < 0) bump(inc, `reasons.${reason.code}`);
  for (const check of event.checks) bump(inc, `checks.${check.id}.${check.pass ? 'pass' : 'fail'}`);
  if (event.tokenValid) bump(inc, 'tokens');
  if (event.attestationCohort) bump(inc, 'cohort');

  const pathKey = `${siteKey}|${event.page.path}`;
  let path = acc.paths.get(pathKey);
  if (!path) {
    path = { siteId: event.siteId, hour, path: event.page.path, inc: {} };
    acc.paths.set(pathKey, path);
  }
  bump(path.inc, 'total');
  bump(path.inc, `verdicts.${event.verdict}`);
}

export function mergeIncrements(into: RollupIncrements, from: RollupIncrements): void {
  for (const [key, value] of from.hourly) {
    const existing = into.hourly.get(key);
    if (!existing) into.hourly.set(key, value);
    else for (const [field, n] of Object.entries(value.inc)) bump(existing.inc, field, n);
  }
  for (const [key, value] of from.paths) {
    const existing = into.paths.get(key);
    if (!existing) into.paths.set(key, value);
    else for (const [field, n] of Object.entries(value.inc)) bump(existing.inc, field, n);
  }
}
