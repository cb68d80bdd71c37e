import type { Verdict } from '@tagward/trust';
import { keyRejection, type LookupKey } from './key-record.js';
import { parseSecretKey, secretKeyMatchesHash } from './secret-key.js';

/** Route of the server-to-server verify API (served by the beacon). */
export const VERIFY_BEACON_PATH = '/v1/verify/beacons/:id';
/** Event ids are the embed script's idempotency ids (`id` in the collect payload). */
export const EVENT_ID_PATTERN = /^[A-Za-z0-9_-]{8,64}$/;

/** Stable error codes of the verify API and their HTTP statuses. Never rename; only add. */
export const VERIFY_API_ERROR_CODES = {
  unauthorized: 401,
  key_expired: 401,
  invalid_request: 400,
  not_found: 404,
  rate_limited: 429,
} as const;
export type VerifyApiErrorCode = keyof typeof VERIFY_API_ERROR_CODES;

export interface VerifyApiErrorBody {
  error: { code: VerifyApiErrorCode; message: string };
}

/** One reason of a trust verdict, as stored with the event. */
export interface BeaconReason {
  code: string;
  weight: number;
  detail?: string;
}

/** What Tagward recorded for one beacon: the verify API's 200 body. */
export interface BeaconVerification {
  id: string;
  /** ISO 8601. */
  receivedAt: string;
  score: number;
  verdict: Verdict;
  reasons: BeaconReason[];
}

/** The stored event, as `findEvent` returns it. */
export interface StoredBeacon {
  eventId: string;
  receivedAt: Date;
  score: number;
  verdict: Verdict;
  reasons: readonly BeaconReason[];
}

export interface VerifyRequestInput {
  /** The raw `Authorization` header. */
  authorization: string | undefined;
  /** The `:id` route parameter. */
  eventId: string;
}

export type RateLimitDecision = { allowed: true } | { allowed: false; retryAfterS: number };

export interface VerifyRequestDeps {
  /** The same lookup the token verifier uses (by public key id). */
  lookupKey: LookupKey;
  /** The event with that id OF THAT SITE ONLY: a key never reads another site's events. */
  findEvent: (siteId: string, eventId: string) => Promise<StoredBeacon | undefined>;
  now: () => number;
  /** Per-key limit, checked after authentication so nobody can exhaust another site's quota. */
  rateLimit?: (kid: string) => Promise<RateLimitDecision>;
}

export interface VerifyResponse {
  status: number;
  headers: Record<string, string>;
  body: BeaconVerification | VerifyApiErrorBody;
}

const BASE_HEADERS = {
  'content-type': 'application/json; charset=utf-8',
  'cache-control': 'no-store',
};

function fail(
  code: VerifyApiErrorCode,
  message: string,
  headers: Record<string, string> = {},
): VerifyResponse {
  return {
    status: VERIFY_API_ERROR_CODES[code],
    headers: { ...BASE_HEADERS, ...headers },
    body: { error: { code, message } },
  };
}

const unauthorized = (message: string) =>
  fail('unauthorized', message, { 'www-authenticate': 'Bearer realm="tagward"' });

/**
 * `GET /v1/verify/beacons/:id` as a framework-agnostic function: the beacon's router passes the
 * header and route parameter in and writes `{ status, headers, body }` out (body as JSON).
 * Authenticates `Authorization: Bearer sk_…` by key id, then compares sha256(key) with the stored
 * hash in constant time; revoked keys get `unauthorized`, keys past their rotation grace
 * `key_expired`, both 401.
 *
 * @example
 * const res = await handleVerifyRequest(
 *   { authorization: req.headers.authorization, eventId: params.id },
 *   { lookupKey, findEvent: (siteId, id) => findStoredBeacon(siteId, id), now: Date.now },
 * );
 * response.writeHead(res.status, res.headers).end(JSON.stringify(res.body));
 */
export async function handleVerifyRequest(
  input: VerifyRequestInput,
  deps: VerifyRequestDeps,
): Promise<VerifyResponse> {
  const match = /^Bearer +(\S+) *$/i.exec(input.authorization ?? '');
  if (!match?.[1]) return unauthorized('Send the secret key as "Authorization: Bearer sk_…".');
  const parsed = parseSecretKey(match[1]);
  if (!parsed) return unauthorized('The bearer token is not a Tagward secret key.');
  const record = await deps.lookupKey(parsed.kid);
  if (!record || !secretKeyMatchesHash(parsed.secretKey, record.secretHash)) {
    return unauthorized('Unknown secret key.');
  }
  const rejection = keyRejection(record, deps.now());
  if (rejection === 'revoked') return unauthorized('This secret key was revoked.');
  if (rejection === 'expired') {
    return fail('key_expired', 'This secret key was rotated and its grace period is over.', {
      'www-authenticate': 'Bearer realm="tagward", error="invalid_token"',
    });
  }
  if (deps.rateLimit) {
    const decision = await deps.rateLimit(parsed.kid);
    if (!decision.allowed) {
      const retryAfter = String(Math.max(1, Math.ceil(decision.retryAfterS)));
      return fail('rate_limited', 'Too many verify requests for this key.', {
        'retry-after': retryAfter,
      });
    }
  }
  if (!EVENT_ID_PATTERN.test(input.eventId)) {
    return fail('invalid_request', 'A beacon id is 8–64 characters of A–Z, a–z, 0–9, _ and -.');
  }
  const event = await deps.findEvent(record.siteId, input.eventId);
  if (!event) return fail('not_found', 'No beacon with this id for this site.');
  return {
    status: 200,
    headers: { ...BASE_HEADERS },
    body: {
      id: event.eventId,
      receivedAt: event.receivedAt.toISOString(),
      score: event.score,
      verdict: event.verdict,
      reasons: event.reasons.map((r) => ({
        code: r.code,
        weight: r.weight,
        ...(r.detail === undefined ? {} : { detail: r.detail }),
      })),
    },
  };
}
