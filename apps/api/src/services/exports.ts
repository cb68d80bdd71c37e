/**
 * Streamed exports of a site's events: CSV or NDJSON for a time window, optionally one verdict.
 * Rows come from one database cursor (batches of EXPORT_BATCH documents) and are written as the
 * response drains: `Readable.from` pulls the next chunk only when the socket took the last, so
 * memory holds a batch and a chunk whatever the window (test/export-memory.test.ts checks it on
 * 1,000,000 events).
 */
import { Readable } from 'node:stream';
import { stringify } from 'csv-stringify/sync';
import type { Database } from '@tagward/db';
import type { Types } from 'mongoose';

export type ExportFormat = 'csv' | 'ndjson';
export type Verdict = 'trusted' | 'suspect' | 'fraud';

export interface ExportRequest {
  siteId: Types.ObjectId;
  from: Date;
  to: Date;
  verdict?: Verdict;
  format: ExportFormat;
}

/** Documents per cursor batch, and rows per chunk written to the socket. */
export const EXPORT_BATCH = 1000;
const ROWS_PER_CHUNK = 200;

export const CSV_COLUMNS = [
  'event_id',
  'received_at',
  'verdict',
  'score',
  'path',
  'url',
  'referrer',
  'reasons',
  'failed_checks',
  'token_valid',
  'attestation_cohort',
  'rules_version',
] as const;

const PROJECTION = {
  _id: 0,
  eventId: 1,
  receivedAt: 1,
  verdict: 1,
  score: 1,
  page: 1,
  reasons: 1,
  checks: 1,
  tokenValid: 1,
  attestationCohort: 1,
  rulesVersion: 1,
} as const;

interface ExportDoc {
  eventId: string;
  receivedAt: Date;
  verdict: string;
  score: number;
  page?: { url?: string; path?: string; referrer?: string };
  reasons?: Array<{ code?: unknown; weight?: unknown; detail?: unknown }>;
  checks?: Array<{ id?: unknown; pass?: unknown }>;
  tokenValid?: boolean;
  attestationCohort?: boolean;
  rulesVersion?: number;
}

/**
 * Page fields are whatever a beacon claimed, so a hostile one could carry a spreadsheet formula
 * (`=HYPERLINK(…)`). Cells that a spreadsheet would evaluate get a leading `'` (OWASP's advice
 * for CSV injection); real paths and URLs never start with these characters.
 */
function neutralise(text: string): string {
  return /^[=+\-@\t\r]/.test(text) ? `'${text}` : text;
}

function reasonsOf(doc: ExportDoc) {
  return (doc.reasons ?? [])
    .filter((r) => typeof r.code === 'string')
    .map((r) => ({ code: String(r.code), weight: typeof r.weight === 'number' ? r.weight : 0, detail: typeof r.detail === 'string' ? r.detail : '' }));
}

function failedChecks(doc: ExportDoc): string[] {
  return (doc.checks ?? []).filter((c) => typeof c.id === 'string' && c.pass !== true).map((c) => String(c.id));
}

function csvRow(doc: ExportDoc): string[] {
  return [
    doc.eventId,
    doc.receivedAt.toISOString(),
    doc.verdict,
    String(doc.score),
    neutralise(doc.page?.path ?? ''),
    neutralise(doc.page?.url ?? ''),
    neutralise(doc.page?.referrer ?? ''),
    reasonsOf(doc)
      .filter((r) => r.weight < 0)
      .map((r) => r.code)
      .join(' '),
    failedChecks(doc).join(' '),
    String(Boolean(doc.tokenValid)),
    String(Boolean(doc.attestationCohort)),
    String(doc.rulesVersion ?? ''),
  ];
}

function jsonRow(doc: ExportDoc): string {
  return JSON.stringify({
    eventId: doc.eventId,
    receivedAt: doc.receivedAt.toISOString(),
    verdict: doc.verdict,
    score: doc.score,
    page: { path: doc.page?.path ?? '', url: doc.page?.url ?? '', referrer: doc.page?.referrer ?? '' },
    reasons: reasonsOf(doc),
    failedChecks: failedChecks(doc),
    tokenValid: Boolean(doc.tokenValid),
    attestationCohort: Boolean(doc.attestationCohort),
    rulesVersion: doc.rulesVersion ?? null,
  });
}

function render(format: ExportFormat, docs: ExportDoc[]): string {
  if (format === 'csv') return stringify(docs.map(csvRow), { record_delimiter: '\r\n' });
  return docs.map((d) => `${jsonRow(d)}\n`).join('');
}

/**
 * The rows, newest first (as the explorer lists them), as text chunks. The filter and sort are
 * the `{siteId, receivedAt: -1, _id: -1}` index (or the verdict one) read forwards, which
 * SecantusDB reads about half again as fast as backwards; the cursor is closed when the consumer
 * stops early (a client that hangs up), because `for await` calls its `return`.
 */
async function* exportChunks(db: Database, request: ExportRequest): AsyncGenerator<string> {
  if (request.format === 'csv') yield stringify([[...CSV_COLUMNS]], { record_delimiter: '\r\n' });
  const filter: Record<string, unknown> = { siteId: request.siteId, receivedAt: { $gte: request.from, $lt: request.to } };
  if (request.verdict) filter.verdict = request.verdict;
  const cursor = db.models.Event.collection.find(filter, { projection: PROJECTION, sort: { receivedAt: -1, _id: -1 }, batchSize: EXPORT_BATCH });
  let rows: ExportDoc[] = [];
  try {
    for await (const doc of cursor) {
      rows.push(doc as unknown as ExportDoc);
      if (rows.length >= ROWS_PER_CHUNK) {
        yield render(request.format, rows);
        rows = [];
      }
    }
    if (rows.length) yield render(request.format, rows);
  } finally {
    await cursor.close();
  }
}

/** A readable stream of the export, to pipe into a response. */
export function exportEvents(db: Database, request: ExportRequest): Readable {
  // objectMode off: chunks are strings counted in bytes against the default highWaterMark.
  return Readable.from(exportChunks(db, request), { objectMode: false });
}

export function exportContentType(format: ExportFormat): string {
  return format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8';
}

export function exportFileName(siteName: string, request: Pick<ExportRequest, 'from' | 'to' | 'format'>): string {
  const slug = siteName.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '').slice(0, 40) || 'site';
  const day = (d: Date) => d.toISOString().slice(0, 10);
  return `tagward-${slug}-events-${day(request.from)}-${day(request.to)}.${request.format === 'csv' ? 'csv' : 'ndjson'}`;
}
