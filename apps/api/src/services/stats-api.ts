/**
 * The Stats API's numbers. Each comes from the dashboard's own services (`getOverview`,
 * `getTopPages`: the same rollup reads and the same arithmetic), so the API and the dashboard
 * cannot disagree on the same data; this module only reshapes their results.
 */
import type { Database } from '@tagward/db';
import type { Types } from 'mongoose';
import { DAY_MS, MAX_HOURLY_SPAN_MS, getOverview, getTopPages, resolveRange, type OverviewDto, type RangePreset } from './stats.js';
import { badRequest } from './errors.js';
import type { AggregateQuery, BreakdownQuery, TimeseriesQuery } from '../rest/schemas.js';

type RangeQuery = Pick<AggregateQuery, 'period' | 'from' | 'to' | 'include'>;

function rangeOptions(query: RangeQuery, now: Date) {
  return {
    now,
    preset: query.period as RangePreset,
    custom: query.period === 'custom' && query.from && query.to ? { from: new Date(query.from), to: new Date(query.to) } : undefined,
    includeSuspect: query.include === 'suspect',
  };
}

function rangeOf(overview: OverviewDto) {
  return { from: overview.range.from, to: overview.range.to, granularity: overview.range.granularity };
}

export async function statsAggregate(db: Database, siteId: Types.ObjectId, query: AggregateQuery, now: Date) {
  const overview = await getOverview(db, siteId, rangeOptions(query, now));
  return { range: rangeOf(overview), includeSuspect: overview.includeSuspect, totals: overview.totals };
}

interface Point {
  start: string;
  all: number;
  trusted: number;
  suspect: number;
  fraud: number;
  counted: number;
}

/** Hourly points summed into UTC days (a day at either end may be partial, as the range is). */
function byDay(points: Point[]): Point[] {
  const days = new Map<number, Point>();
  for (const p of points) {
    const day = Math.floor(Date.parse(p.start) / DAY_MS) * DAY_MS;
    const acc = days.get(day) ?? { start: new Date(day).toISOString(), all: 0, trusted: 0, suspect: 0, fraud: 0, counted: 0 };
    acc.all += p.all;
    acc.trusted += p.trusted;
    acc.suspect += p.suspect;
    acc.fraud += p.fraud;
    acc.counted += p.counted;
    days.set(day, acc);
  }
  return [...days.values()];
}

export async function statsTimeseries(db: Database, siteId: Types.ObjectId, query: TimeseriesQuery, now: Date) {
  const options = rangeOptions(query, now);
  const granularity = resolveRange(now, options.preset, options.custom).granularity;
  if (query.interval === 'hour' && granularity === 'day') {
    throw badRequest(`Hourly points need a range of at most ${MAX_HOURLY_SPAN_MS / DAY_MS} days; use interval=day.`);
  }
  const overview = await getOverview(db, siteId, options);
  const points = overview.series.map((p) => ({
    start: p.start,
    all: p.trusted + p.suspect + p.fraud,
    trusted: p.trusted,
    suspect: p.suspect,
    fraud: p.fraud,
    counted: p.trusted + (options.includeSuspect ? p.suspect : 0),
  }));
  const interval = query.interval ?? granularity;
  return {
    range: rangeOf(overview),
    interval,
    includeSuspect: options.includeSuspect,
    points: interval === 'day' && granularity === 'hour' ? byDay(points) : points,
  };
}

export async function statsBreakdown(db: Database, siteId: Types.ObjectId, query: BreakdownQuery, now: Date) {
  const options = rangeOptions(query, now);
  if (query.property === 'path') {
    const top = await getTopPages(db, siteId, { ...options, limit: query.limit });
    const range = resolveRange(now, options.preset, options.custom);
    return {
      property: 'path' as const,
      range: { from: top.range.from, to: top.range.to, granularity: range.granularity },
      includeSuspect: top.includeSuspect,
      results: top.pages.map((p) => ({ value: p.path, counted: p.counted, trusted: p.trusted, suspect: p.suspect, fraud: p.fraud })),
    };
  }
  const overview = await getOverview(db, siteId, options);
  const base = { range: rangeOf(overview), includeSuspect: overview.includeSuspect };
  switch (query.property) {
    case 'verdict':
      return {
        ...base,
        property: 'verdict' as const,
        results: (['trusted', 'suspect', 'fraud'] as const).map((value) => ({
          value,
          count: overview.totals[value],
          counted: value === 'trusted' || (value === 'suspect' && overview.includeSuspect),
        })),
      };
    case 'reason':
      return { ...base, property: 'reason' as const, results: overview.reasons.map((r) => ({ value: r.code, title: r.title, count: r.count })) };
    case 'check':
      return {
        ...base,
        property: 'check' as const,
        results: overview.checks.map((c) => ({ value: c.id, label: c.label, pass: c.pass, fail: c.fail, passRate: c.passRate })),
      };
  }
}
