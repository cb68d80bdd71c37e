/**
 * The Stats API's inputs and outputs, as zod schemas: the handlers validate with them, the tests
 * parse responses with them, and `openapi.ts` generates the OpenAPI document from them, so the
 * document cannot drift from what the server does.
 */
import 'zod-openapi';
import { z } from 'zod';
import { MAX_RANGE_MS } from '../services/stats.js';
import { EVENTS_PAGE_MAX } from '../services/events.js';

export const VERDICTS = ['trusted', 'suspect', 'fraud'] as const;

const isoInstant = z.iso.datetime({ offset: true });

const rangeFields = {
  period: z
    .enum(['24h', '7d', '30d', 'custom'])
    .default('24h')
    .meta({ description: 'The dashboard\'s ranges: the last 24 hours or 7 days (hourly buckets) or 30 days (daily), or `custom` with `from` and `to`.' }),
  from: isoInstant.optional().meta({ description: 'Start of a custom range (ISO 8601). Rounded down to the hour (ranges over 8 days: to the UTC day).', example: '2026-11-01T00:00:00Z' }),
  to: isoInstant.optional().meta({ description: 'End of a custom range, exclusive (ISO 8601). Rounded up like `from`.', example: '2026-11-08T00:00:00Z' }),
  include: z
    .enum(['suspect'])
    .optional()
    .meta({ description: '`suspect` counts suspect events as the dashboard toggle does. Without it only trusted events are counted; fraud never is.' }),
};

type RangeShape = { period: string; from?: string; to?: string };

function checkRange(value: RangeShape, ctx: z.RefinementCtx): void {
  if (value.period !== 'custom') {
    if (value.from || value.to) ctx.addIssue({ code: 'custom', path: ['from'], message: '`from` and `to` go with period=custom.' });
    return;
  }
  if (!value.from || !value.to) {
    ctx.addIssue({ code: 'custom', path: ['from'], message: 'A custom range needs `from` and `to`.' });
    return;
  }
  const span = Date.parse(value.to) - Date.parse(value.from);
  if (!(span > 0 && span <= MAX_RANGE_MS)) ctx.addIssue({ code: 'custom', path: ['to'], message: '`to` must be after `from`, and the range at most 400 days.' });
}

export const aggregateQuery = z.object(rangeFields).strict().superRefine(checkRange);

export const timeseriesQuery = z
  .object({
    ...rangeFields,
    interval: z
      .enum(['hour', 'day'])
      .optional()
      .meta({ description: 'Bucket size. Default: hours for ranges up to 8 days, else days. Hours need a range of at most 8 days.' }),
  })
  .strict()
  .superRefine(checkRange);

export const BREAKDOWN_PROPERTIES = ['path', 'verdict', 'reason', 'check'] as const;

export const breakdownQuery = z
  .object({
    ...rangeFields,
    property: z.enum(BREAKDOWN_PROPERTIES).meta({ description: 'What to break the range down by.' }),
    limit: z.coerce.number().int().min(1).max(100).default(10).meta({ description: 'Most viewed paths to return (property=path; the dashboard shows 10).' }),
  })
  .strict()
  .superRefine(checkRange);

const reasonCode = z.string().regex(/^[a-z][a-z0-9_]{0,63}$/, 'Not a reason code.');

export const eventsQuery = z
  .object({
    verdict: z.enum(VERDICTS).optional(),
    reason: reasonCode.optional().meta({ description: 'Only events with this reason code (docs/signals.md).' }),
    path: z.string().min(1).max(2048).optional().meta({ description: 'Path prefix: `/blog` matches `/blog` and `/blog/post`.' }),
    from: isoInstant.optional().meta({ description: 'Received at or after (ISO 8601).' }),
    to: isoInstant.optional().meta({ description: 'Received before (ISO 8601).' }),
    cursor: z.string().max(200).optional().meta({ description: '`nextCursor` of the previous page.' }),
    limit: z.coerce.number().int().min(1).max(EVENTS_PAGE_MAX).default(50),
  })
  .strict();

/** Longest export window: the same bound as stats ranges. */
export const MAX_EXPORT_MS = MAX_RANGE_MS;

export const exportQuery = z
  .object({
    format: z.enum(['csv', 'ndjson']).default('csv').meta({ description: 'CSV (RFC 4180, with a header row) or newline-delimited JSON.' }),
    from: isoInstant.meta({ description: 'Received at or after (ISO 8601).' }),
    to: isoInstant.meta({ description: 'Received before (ISO 8601).' }),
    verdict: z.enum(VERDICTS).optional(),
  })
  .strict()
  .superRefine((value, ctx) => {
    const span = Date.parse(value.to) - Date.parse(value.from);
    if (!(span > 0 && span <= MAX_EXPORT_MS)) ctx.addIssue({ code: 'custom', path: ['to'], message: '`to` must be after `from`, and the window at most 400 days.' });
  });

export type AggregateQuery = z.output<typeof aggregateQuery>;
export type TimeseriesQuery = z.output<typeof timeseriesQuery>;
export type BreakdownQuery = z.output<typeof breakdownQuery>;
export type EventsQuery = z.output<typeof eventsQuery>;
export type ExportQuery = z.output<typeof exportQuery>;

// ---- responses

const range = z
  .object({ from: z.string(), to: z.string(), granularity: z.enum(['hour', 'day']) })
  .meta({ id: 'Range', description: 'The range actually counted, after rounding to whole buckets.' });

export const totalsSchema = z
  .object({
    all: z.number().int().meta({ description: 'Every stored beacon, whatever its verdict.' }),
    trusted: z.number().int(),
    suspect: z.number().int(),
    fraud: z.number().int(),
    counted: z.number().int().meta({ description: 'What the dashboard headline counts: trusted, plus suspect with include=suspect.' }),
    quarantined: z.number().int().meta({ description: 'Kept but not counted: all − counted.' }),
    tokens: z.number().int().meta({ description: 'Beacons that carried a valid page token.' }),
    cohort: z.number().int().meta({ description: 'Beacons in the attestation experiment.' }),
  })
  .meta({ id: 'Totals' });

export const aggregateResponse = z.object({ range, includeSuspect: z.boolean(), totals: totalsSchema }).meta({ id: 'Aggregate' });

export const timeseriesResponse = z
  .object({
    range,
    interval: z.enum(['hour', 'day']),
    includeSuspect: z.boolean(),
    points: z.array(
      z.object({
        start: z.string().meta({ description: 'Start of the bucket (ISO 8601, UTC).' }),
        all: z.number().int(),
        trusted: z.number().int(),
        suspect: z.number().int(),
        fraud: z.number().int(),
        counted: z.number().int(),
      }),
    ),
  })
  .meta({ id: 'Timeseries' });

const pathRow = z.object({ value: z.string(), counted: z.number().int(), trusted: z.number().int(), suspect: z.number().int(), fraud: z.number().int() });
const verdictRow = z.object({ value: z.enum(VERDICTS), count: z.number().int(), counted: z.boolean() });
const reasonRow = z.object({ value: z.string(), title: z.string(), count: z.number().int() });
const checkRow = z.object({ value: z.string(), label: z.string(), pass: z.number().int(), fail: z.number().int(), passRate: z.number() });

export const breakdownResponse = z
  .discriminatedUnion('property', [
    z.object({ property: z.literal('path'), range, includeSuspect: z.boolean(), results: z.array(pathRow) }),
    z.object({ property: z.literal('verdict'), range, includeSuspect: z.boolean(), results: z.array(verdictRow) }),
    z.object({ property: z.literal('reason'), range, includeSuspect: z.boolean(), results: z.array(reasonRow) }),
    z.object({ property: z.literal('check'), range, includeSuspect: z.boolean(), results: z.array(checkRow) }),
  ])
  .meta({ id: 'Breakdown' });

export const eventSummary = z
  .object({
    id: z.string().meta({ description: 'Tagward\'s id of the stored event.' }),
    eventId: z.string().meta({ description: 'The beacon id the page was given (the verify API\'s id).' }),
    receivedAt: z.string(),
    path: z.string(),
    verdict: z.enum(VERDICTS),
    score: z.number(),
    reasons: z.array(z.object({ code: z.string(), title: z.string() })).meta({ description: 'The reasons that lowered the score, most harmful first (at most three).' }),
    tokenValid: z.boolean(),
  })
  .meta({ id: 'EventSummary' });

export const eventsResponse = z
  .object({ items: z.array(eventSummary), nextCursor: z.string().nullable().meta({ description: 'Pass as `cursor` for the next (older) page; null on the last.' }) })
  .meta({ id: 'EventPage' });

export const REST_ERROR_CODES = {
  invalid_request: 400,
  unauthorized: 401,
  key_expired: 401,
  insufficient_scope: 403,
  not_found: 404,
  rate_limited: 429,
  internal_error: 500,
} as const;
export type RestErrorCode = keyof typeof REST_ERROR_CODES;

export const errorResponse = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(REST_ERROR_CODES) as [RestErrorCode, ...RestErrorCode[]]).meta({ description: 'Stable: switch on it, never on the message.' }),
      message: z.string(),
      issues: z.array(z.object({ path: z.string(), message: z.string() })).optional().meta({ description: 'What was wrong with which parameter (invalid_request).' }),
    }),
  })
  .meta({ id: 'Error' });
