import { restrictedKeyLookup, type Database, type KeyUseCounter } from '@tagward/db';
import { handleVerifyRequest, type LookupKey } from '@tagward/keys';
import { BeaconError, sendError, sendJson } from '../errors.js';
import type { SharedQuotaLimiter } from '../collect/rate-limit.js';
import type { Route } from './route.js';

const VERIFY_PATH = /^\/v1\/verify\/beacons\/([^/]+)$/;

/** The event id of a verify URL, or undefined when its %-encoding is broken. */
function eventIdOf(url: string | undefined): string | undefined {
  const raw = VERIFY_PATH.exec((url ?? '').split('?')[0]!)?.[1] ?? '';
  try {
    return decodeURIComponent(raw);
  } catch {
    return undefined;
  }
}

/**
 * `GET /v1/verify/beacons/:id` with `Authorization: Bearer sk_…`, or a restricted `rk_…` key with
 * the `verify` scope (server to server). Every authenticated use is counted per key.
 */
export function verifyRoute(db: Database, lookupKey: LookupKey, limiter: SharedQuotaLimiter, uses?: KeyUseCounter): Route {
  const lookupRestrictedKey = restrictedKeyLookup(db);
  return {
    method: 'GET',
    match: (pathname) => VERIFY_PATH.test(pathname),
    handle: (req, res) => {
      const eventId = eventIdOf(req.url);
      // A client's mistake, not ours: a clear 400, and nothing logged.
      if (eventId === undefined) return sendError(res, new BeaconError('invalid_event_id', 'the event id is not valid percent-encoding'));
      handleVerifyRequest(
        { authorization: req.headers.authorization, eventId },
        {
          lookupKey,
          lookupRestrictedKey,
          recordUse: ({ principal, limited }) => uses?.record({ kid: principal.kid, siteId: principal.siteId, limited }),
          now: Date.now,
          findEvent: async (siteId, id) => {
            const event = await db.models.Event.findOne({ siteId, eventId: id }).select({ eventId: 1, receivedAt: 1, score: 1, verdict: 1, reasons: 1, 'revision.at': 1 }).lean();
            return event ?? undefined;
          },
          rateLimit: async (kid) => {
            const result = await limiter.take(kid, Date.now());
            return result.ok ? { allowed: true } : { allowed: false, retryAfterS: result.retryAfterS };
          },
        },
      ).then(
        (response) => {
          res.writeHead(response.status, response.headers);
          res.end(JSON.stringify(response.body));
        },
        () => sendJson(res, 503, { error: { code: 'database_unavailable', message: 'retry later' } }, { 'retry-after': '5' }),
      );
    },
  };
}
