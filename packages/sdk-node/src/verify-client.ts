import { parseRestrictedKey, parseSecretKey } from '@tagward/protocol';
import { TagwardError, type TagwardErrorCode } from './errors.js';

/** What Tagward recorded for one beacon. */
export interface BeaconRecord {
  /** The beacon id, as the page received it in the `tagward:beacon` event. */
  id: string;
  receivedAt: Date;
  /** Trust score in [0, 1]. */
  score: number;
  verdict: 'trusted' | 'suspect' | 'fraud';
  /** Why the score is what it is; `code`s are documented in docs/signals.md. */
  reasons: Array<{ code: string; weight: number; detail?: string }>;
  /**
   * When a later beacon re-scored this one in hindsight (part of a burst or a timer that showed
   * only later), else null. A verdict can change in the seconds after a beacon arrives.
   */
  revisedAt: Date | null;
}

export interface VerifyClientOptions {
  /** Your secret key, `sk_live_…` or `sk_test_…`, or a restricted key with the `verify` scope (`rk_…`). */
  secretKey: string;
  /** Base URL of the Tagward beacon service, e.g. `https://beacon.tagward.example`. */
  endpoint: string;
  /** Abort a call after this many ms (default 5000). */
  timeoutMs?: number;
  /** A `fetch` implementation (default: the global one). */
  fetch?: typeof globalThis.fetch;
}

export interface VerifyClient {
  /**
   * What Tagward recorded for a beacon of YOUR site. Throws {@link TagwardError}: `not_found`
   * (no such beacon for this site, or not stored yet), `unauthorized`, `key_expired`,
   * `rate_limited` (see `retryAfterS`), `invalid_argument`, `server_error`, `network_error`,
   * `timeout`, `bad_response`.
   */
  getBeacon(eventId: string): Promise<BeaconRecord>;
}

const EVENT_ID = /^[A-Za-z0-9_-]{8,64}$/;
const API_CODES = new Set<TagwardErrorCode>([
  'unauthorized',
  'key_expired',
  'invalid_request',
  'not_found',
  'rate_limited',
  'insufficient_scope',
]);
const VERDICTS = new Set(['trusted', 'suspect', 'fraud']);

function isLoopback(hostname: string): boolean {
  return hostname === 'localhost' || hostname === '[::1]' || /^127\.\d+\.\d+\.\d+$/.test(hostname);
}

function parseEndpoint(endpoint: string): URL {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    throw new TagwardError(
      'invalid_argument',
      `endpoint is not a URL: ${JSON.stringify(endpoint)}`,
    );
  }
  // The secret key travels in a header: never over plain HTTP, except to this machine.
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new TagwardError(
      'invalid_argument',
      'endpoint must be https:// (http:// only for localhost)',
    );
  }
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function toBeaconRecord(body: unknown): BeaconRecord | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const b = body as Record<string, unknown>;
  const receivedAt = typeof b.receivedAt === 'string' ? new Date(b.receivedAt) : undefined;
  if (
    typeof b.id !== 'string' ||
    !receivedAt ||
    Number.isNaN(receivedAt.getTime()) ||
    typeof b.score !== 'number' ||
    typeof b.verdict !== 'string' ||
    !VERDICTS.has(b.verdict) ||
    !Array.isArray(b.reasons)
  ) {
    return undefined;
  }
  const reasons: BeaconRecord['reasons'] = [];
  for (const r of b.reasons as unknown[]) {
    const reason = r as Record<string, unknown> | null;
    if (!reason || typeof reason.code !== 'string' || typeof reason.weight !== 'number')
      return undefined;
    reasons.push({
      code: reason.code,
      weight: reason.weight,
      ...(typeof reason.detail === 'string' ? { detail: reason.detail } : {}),
    });
  }
  // Absent from beacon servers older than hindsight revisions: not revised.
  const revisedAt = typeof b.revisedAt === 'string' ? new Date(b.revisedAt) : null;
  if (revisedAt && Number.isNaN(revisedAt.getTime())) return undefined;
  return {
    id: b.id,
    receivedAt,
    score: b.score,
    verdict: b.verdict as BeaconRecord['verdict'],
    reasons,
    revisedAt,
  };
}

async function readJson(response: Response): Promise<unknown> {
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/**
 * A client for the server-to-server verify API: your backend asks what Tagward recorded for a
 * beacon (score, verdict, reasons), the way reCAPTCHA's `siteverify` lets a backend check a token.
 * The page learns the beacon id from the `tagward:beacon` DOM event and sends it along with the
 * form or request you want to check.
 *
 * @example
 * import { createVerifyClient } from '@tagward/sdk-node';
 *
 * const tagward = createVerifyClient({
 *   secretKey: process.env.TAGWARD_SECRET_KEY!,
 *   endpoint: 'https://beacon.tagward.example',
 * });
 * const beacon = await tagward.getBeacon(req.body.beaconId);
 * if (beacon.verdict === 'fraud') return res.status(403).send('Request refused');
 */
export function createVerifyClient(options: VerifyClientOptions): VerifyClient {
  const key = parseSecretKey(options.secretKey)?.secretKey ?? parseRestrictedKey(options.secretKey)?.restrictedKey;
  if (!key) {
    throw new TagwardError(
      'invalid_secret_key',
      'secretKey is not a Tagward secret key (sk_live_… or sk_test_…) or restricted key (rk_…)',
    );
  }
  const base = parseEndpoint(options.endpoint);
  const timeoutMs = options.timeoutMs ?? 5000;
  const doFetch = options.fetch ?? globalThis.fetch;
  const authorization = `Bearer ${key}`;

  return {
    async getBeacon(eventId) {
      if (typeof eventId !== 'string' || !EVENT_ID.test(eventId)) {
        throw new TagwardError(
          'invalid_argument',
          'a beacon id is 8–64 characters of A–Z, a–z, 0–9, _ and -',
        );
      }
      const url = new URL(`v1/verify/beacons/${eventId}`, base);
      let response: Response;
      try {
        response = await doFetch(url, {
          method: 'GET',
          headers: { authorization, accept: 'application/json' },
          signal: AbortSignal.timeout(timeoutMs),
          redirect: 'error', // never replay the secret key to wherever a redirect points
        });
      } catch (cause) {
        const timedOut = cause instanceof Error && cause.name === 'TimeoutError';
        throw new TagwardError(
          timedOut ? 'timeout' : 'network_error',
          timedOut
            ? `no answer from ${base.origin} within ${timeoutMs} ms`
            : `cannot reach ${base.origin}`,
          { cause },
        );
      }
      const body = await readJson(response);
      if (response.ok) {
        const record = toBeaconRecord(body);
        if (!record)
          throw new TagwardError(
            'bad_response',
            'the verify API answered with an unexpected body',
            { status: response.status },
          );
        return record;
      }
      const error = (body as { error?: { code?: unknown; message?: unknown } } | undefined)?.error;
      const apiCode =
        typeof error?.code === 'string' ? (error.code as TagwardErrorCode) : undefined;
      const code: TagwardErrorCode = apiCode && API_CODES.has(apiCode) ? apiCode : 'server_error';
      const retryAfter = Number(response.headers.get('retry-after'));
      throw new TagwardError(
        code,
        typeof error?.message === 'string'
          ? error.message
          : `verify API answered ${response.status}`,
        {
          status: response.status,
          ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterS: retryAfter } : {}),
        },
      );
    },
  };
}
