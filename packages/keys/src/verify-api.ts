import type { Verdict } from '@tagward/trust';
import type { LookupKey } from './key-record.js';
import { authenticateApiKey, type ApiPrincipal } from './api-auth.js';
import type { LookupRestrictedKey } from './restricted-key.js';

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
  // A restricted key without the `verify` scope.
  insufficient_scope: 403,
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
  /**
   * ISO 8601, or null: when a later beacon re-scored this one in hindsight (it was part of a
   * burst or a timer that showed only later). A verdict can change in the seconds after arrival.
   */
  revisedAt: string | null;
}

/** The stored event, as `findEvent` returns it. */
export interface StoredBeacon {
  eventId: string;
  receivedAt: Date;
  score: number;
  verdict: Verdict;
  reasons: readonly BeaconReason[];
  revision?: { at: Date } | null;
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
  /** Restricted keys (`rk_…`) by key id; without it only secret keys authenticate. */
  lookupRestrictedKey?: LookupRestrictedKey;
  /** Told of every authenticated use of a key, to count uses per key. Must not throw. */
  recordUse?: (use: { principal: ApiPrincipal; limited: boolean }) => void;
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
 * Authenticates `Authorization: Bearer sk_…` (or a restricted `rk_…` key with the `verify` scope)
 * by key id, then compares sha256(key) with the stored hash in constant time; revoked keys get
 * `unauthorized`, keys past their end `key_expired`, both 401; a restricted key without the
 * scope `insufficient_scope`, 403.
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
  const auth = await authenticateApiKey(input.authorization, {
    lookupKey: deps.lookupKey,
    lookupRestrictedKey: deps.lookupRestrictedKey,
    now: deps.now,
  });
  if (!auth.ok) {
    if (auth.code === 'unauthorized') return unauthorized(auth.message);
    return fail('key_expired', auth.message, {
      'www-authenticate': 'Bearer realm="tagward", error="invalid_token"',
    });
  }
  const { principal } = auth;
  // Limited before the scope check: a key hammering an API it may not call still spends its quota.
  if (deps.rateLimit) {
    const decision = await deps.rateLimit(principal.kid);
    if (!decision.allowed) {
      deps.recordUse?.({ principal, limited: true });
      const retryAfter = String(Math.max(1, Math.ceil(decision.retryAfterS)));
      return fail('rate_limited', 'Too many verify requests for this key.', {
        'retry-after': retryAfter,
      });
    }
  }
  deps.recordUse?.({ principal, limited: false });
  if (!principal.scopes.includes('verify')) {
    return fail('insufficient_scope', 'This key does not have the verify scope.', {
      'www-authenticate': 'Bearer realm="tagward", error="insufficient_scope", scope="verify"',
    });
  }
  if (!EVENT_ID_PATTERN.test(input.eventId)) {
    return fail('invalid_request', 'A beacon id is 8–64 characters of A–Z, a–z, 0–9, _ and -.');
  }
  const event = await deps.findEvent(principal.siteId, input.eventId);
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
      revisedAt: event.revision?.at instanceof Date ? event.revision.at.toISOString() : null,
    },
  };
}
