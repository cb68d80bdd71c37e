import type { ServerResponse } from 'node:http';
import { BEACON_ERROR_CODES, type BeaconErrorCode } from '@tagward/protocol';

/** A rejection with a stable code; the handler turns it into one response shape. */
export class BeaconError extends Error {
  constructor(
    readonly code: BeaconErrorCode,
    message: string,
    readonly retryAfterS?: number,
  ) {
    super(message);
    this.name = 'BeaconError';
  }

  get status(): number {
    return BEACON_ERROR_CODES[this.code];
  }
}

const CORS_HEADERS = {
  // The body holds nothing but an event id, so any page may read it; no credentials are used.
  'access-control-allow-origin': '*',
  // The embed script reads Retry-After on 429/503 to pace its retries.
  'access-control-expose-headers': 'Retry-After',
  'cache-control': 'no-store',
} as const;

export function sendJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  const text = JSON.stringify(body);
  res.writeHead(status, {
    ...CORS_HEADERS,
    'content-type': 'application/json; charset=utf-8',
    'content-length': String(Buffer.byteLength(text)),
    ...headers,
  });
  res.end(text);
}

/** The one error response helper: `{ "error": { "code", "message" } }`, Retry-After when known. */
export function sendError(res: ServerResponse, error: BeaconError): void {
  const headers: Record<string, string> = {};
  if (error.retryAfterS !== undefined) headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterS)));
  // A rejected upload may still be streaming in: close the connection rather than read it all.
  if (error.code === 'body_too_large' || error.code === 'request_timeout') headers.connection = 'close';
  sendJson(res, error.status, { error: { code: error.code, message: error.message } }, headers);
}
