import { DAY_MS, HOUR_MS, hasRollups, lastBeaconHour, readBuckets, readTopPaths, sumCounters, type Database } from '@tagward/db';
import type { Types } from 'mongoose';
import { describeCheck } from './check-labels.js';
import { describeReason } from './explain.js';

/**
 * Statistics come from rollup documents only (never from scanning events): per site and hour,
 * and per site and UTC day for ranges longer than a week. A 30-day overview therefore reads 30
 * daily documents plus the day's top paths, whatever the traffic was.
 */

export { DAY_MS, HOUR_MS };
/** Custom ranges up to this long are drawn per hour; longer ones per day. */
export const MAX_HOURLY_SPAN_MS = 8 * DAY_MS;
export const MAX_RANGE_MS = 400 * DAY_MS;
export const TOP_PAGES = 10;

export type RangePreset = '24h' | '7d' | '30d' | 'custom';
export type Granularity = 'hour' | 'day';
export type Verdict = 'trusted' | 'suspect' | 'fraud';

export interface StatsRange {
  from: Date;
  to: Date;
  granularity: Granularity;
}

export interface OverviewDto {
  range: { from: string; to: string; granularity: Granularity; preset: RangePreset };
  includeSuspect: boolean;
  totals: {
    all: number;
    trusted: number;
    suspect: number;
    fraud: number;
    /** What the headline counts: trusted, plus suspect when included. */
    counted: number;
    /** Kept but not counted: fraud, plus suspect when excluded. */
    quarantined: number;
    tokens: number;
    cohort: number;
  };
  series: Array<{ start: string; trusted: number; suspect: number; fraud: number }>;
  scoreHistogram: Array<{ from: number; to: number; count: number }>;
  checks: Array<{ id: string; label: string; pass: number; fail: number; passRate: number }>;
  reasons: Array<{ code: string; title: string; count: number }>;
  /** True when nothing was recorded in the range. */
  empty: boolean;
  /** False when the site never received a beacon at all (show the install instructions). */
  everReceived: boolean;
}

const num = (value: unknown): number => (typeof value === 'number' && Number.isFinite(value) ? value : 0);

function floorTo(ms: number, unit: number): number {
  return Math.floor(ms / unit) * unit;
}

/** Turns a preset (or a custom from/to) into aligned bucket boundaries. */
export function resolveRange(now: Date, preset: RangePreset, custom?: { from: Date; to: Date }): StatsRange {
  const nextHour = floorTo(now.getTime(), HOUR_MS) + HOUR_MS;
  const nextDay = floorTo(now.getTime(), DAY_MS) + DAY_MS;
  switch (preset) {
    case '24h':
      return { from: new Date(nextHour - DAY_MS), to: new Date(nextHour), granularity: 'hour' };
    case '7d':
      return { from: new Date(nextHour - 7 * DAY_MS), to: new Date(nextHour), granularity: 'hour' };
    case '30d':
      return { from: new Date(nextDay - 30 * DAY_MS), to: new Date(nextDay), granularity: 'day' };
    case 'custom': {
      if (!custom) throw new Error('custom range needs from and to');
      const span = custom.to.getTime() - custom.from.getTime();
      if (span <= MAX_HOURLY_SPAN_MS) {
        return {
          from: new Date(floorTo(custom.from.getTime(), HOUR_MS)),
          to: new Date(Math.ceil(custom.to.getTime() / HOUR_MS) * HOUR_MS),
          granularity: 'hour',
        };
      }
      return {
        from: new Date(floorTo(custom.from.getTime(), DAY_MS)),
        to: new Date(Math.ceil(custom.to.getTime() / DAY_MS) * DAY_MS),
        granularity: 'day',
      };
    }
  }
}

export async function getOverview(
  db: Database,
  siteId: Types.ObjectId,
  options: { now: Date; preset: RangePreset; custom?: { from: Date; to: Date }; includeSuspect: boolean },
): Promise<OverviewDto> {
  const range = resolveRange(options.now, options.preset, options.custom);
  const buckets = await readBuckets(db, siteId, range);

  const step = range.granularity === 'hour' ? HOUR_MS : DAY_MS;
  const series = new Map<number, { trusted: number; suspect: number; fraud: number }>();
  for (let t = range.from.getTime(); t < range.to.getTime(); t += step) series.set(t, { trusted: 0, suspect: 0, fraud: 0 });

  const totals = { all: 0, trusted: 0, suspect: 0, fraud: 0, tokens: 0, cohort: 0 };
  const histogram = new Array<number>(10).fill(0);
  const reasons = new Map<string, number>();
  const checks = new Map<string, { pass: number; fail: number }>();

  for (const row of buckets) {
    const v = row.verdicts;
    const point = series.get(floorTo(row.start.getTime(), step));
    if (point) {
      point.trusted += num(v.trusted);
      point.suspect += num(v.suspect);
      point.fraud += num(v.fraud);
    }
    totals.all += num(row.total);
    totals.trusted += num(v.trusted);
    totals.suspect += num(v.suspect);
    totals.fraud += num(v.fraud);
    totals.tokens += num(row.tokens);
    totals.cohort += num(row.cohort);
    for (let b = 0; b < 10; b++) histogram[b]! += num(row.scoreHist?.[`b${b}`]);
    for (const [code, count] of Object.entries(row.reasons ?? {})) reasons.set(code, (reasons.get(code) ?? 0) + num(count));
    for (const [id, c] of Object.entries(row.checks ?? {})) {
      const acc = checks.get(id) ?? { pass: 0, fail: 0 };
      acc.pass += num(c?.pass);
      acc.fail += num(c?.fail);
      checks.set(id, acc);
    }
  }

  const counted = totals.trusted + (options.includeSuspect ? totals.suspect : 0);
  const empty = totals.all === 0;

  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString(), granularity: range.granularity, preset: options.preset },
    includeSuspect: options.includeSuspect,
    totals: { ...totals, counted, quarantined: totals.all - counted },
    series: [...series].map(([start, p]) => ({ start: new Date(start).toISOString(), ...p })),
    scoreHistogram: histogram.map((count, b) => ({ from: b / 10, to: (b + 1) / 10, count })),
    checks: [...checks]
      .map(([id, c]) => ({ id, label: describeCheck(id), pass: c.pass, fail: c.fail, passRate: c.pass + c.fail ? c.pass / (c.pass + c.fail) : 0 }))
      .sort((a, b) => a.passRate - b.passRate || a.id.localeCompare(b.id)),
    reasons: [...reasons]
      .filter(([, count]) => count > 0)
      .map(([code, count]) => ({ code, title: describeReason(code).title, count }))
      .sort((a, b) => b.count - a.count || a.code.localeCompare(b.code)),
    empty,
    everReceived: empty ? await hasRollups(db, siteId) : true,
  };
}

export interface TopPagesDto {
  range: { from: string; to: string };
  includeSuspect: boolean;
  pages: Array<{ path: string; counted: number; trusted: number; suspect: number; fraud: number }>;
}

/**
 * The most viewed pages of a range. A procedure of its own, next to the overview: path rollups
 * are the largest rollup collection (a document per path and bucket), so the charts need not
 * wait for them; the dashboard asks for both at once (one batched request).
 */
export async function getTopPages(
  db: Database,
  siteId: Types.ObjectId,
  options: { now: Date; preset: RangePreset; custom?: { from: Date; to: Date }; includeSuspect: boolean; limit?: number },
): Promise<TopPagesDto> {
  const range = resolveRange(options.now, options.preset, options.custom);
  // The dashboard shows TOP_PAGES; the Stats API may ask for more.
  const paths = await readTopPaths(db, siteId, range, { includeSuspect: options.includeSuspect, limit: options.limit ?? TOP_PAGES });
  return {
    range: { from: range.from.toISOString(), to: range.to.toISOString() },
    includeSuspect: options.includeSuspect,
    pages: paths
      .filter((p) => p.total > 0)
      .map((p) => ({ path: p.path, counted: p.counted, trusted: p.trusted, suspect: p.suspect, fraud: p.fraud })),
  };
}

export interface IntegrationStatusDto {
  /** Beacons stored in the last 24 hours (every verdict). */
  beacons24h: number;
  /** Beacons that carried a valid page token in the last 24 hours. */
  tokens24h: number;
  /** Beacons drawn into the attestation cohort in the last 24 hours. */
  cohort24h: number;
  verdicts24h: { trusted: number; suspect: number; fraud: number };
  /** Start of the latest hour with a beacon (within 30 days), or null. */
  lastBeaconHour: string | null;
  pageTokenRequired: boolean;
  attestationCohortPct: number;
}

export async function getIntegrationStatus(
  db: Database,
  site: { _id: Types.ObjectId; pageTokenRequired?: boolean | null; attestationCohortPct?: number | null },
  now: Date,
): Promise<IntegrationStatusDto> {
  const to = floorTo(now.getTime(), HOUR_MS) + HOUR_MS;
  const [day, last] = await Promise.all([
    sumCounters(db, site._id, { from: new Date(to - DAY_MS), to: new Date(to), granularity: 'hour' }),
    lastBeaconHour(db, site._id, new Date(to - 30 * DAY_MS), new Date(to)),
  ]);
  return {
    beacons24h: day.total,
    tokens24h: day.tokens,
    cohort24h: day.cohort,
    verdicts24h: day.verdicts,
    lastBeaconHour: last ? last.toISOString() : null,
    pageTokenRequired: Boolean(site.pageTokenRequired),
    attestationCohortPct: site.attestationCohortPct ?? 0,
  };
}
