import type { NextFunction, Request, RequestHandler, Response } from 'express';
import type { Logger } from 'pino';
import { restrictedKeyLookup, secretKeyLookup, type Database, type KeyUseCounter } from '@tagward/db';
import { authenticateApiKey, type ApiPrincipal } from '@tagward/keys';
import type { ApiScope } from '@tagward/protocol';
import { Types } from 'mongoose';
import type { ApiConfig } from '../config.js';
import { RestError, sendRestError, toRestError } from './respond.js';
import { takeRate, type RateDecision } from './rate-limit.js';

export interface RestLocals {
  principal: ApiPrincipal;
  siteId: Types.ObjectId;
}

/** The caller a request was authenticated as (set by `authenticate`). */
export function principalOf(res: Response): RestLocals {
  return res.locals as RestLocals;
}

function rateHeaders(res: Response, decision: RateDecision): void {
  res.setHeader('RateLimit-Limit', String(decision.limit));
  res.setHeader('RateLimit-Remaining', String(decision.remaining));
  res.setHeader('RateLimit-Reset', String(decision.resetS));
}

/**
 * Bearer authentication for /api/v1: a secret key (every scope) or a restricted key. Then the
 * per-key rate limit, and the use is counted per key. Order matters: nothing is limited or
 * counted before the key checks out, so nobody can spend another site's quota.
 */
export function authenticate(deps: { db: Database; config: ApiConfig; log: Logger; uses: KeyUseCounter; now: () => Date }): RequestHandler {
  const lookupKey = secretKeyLookup(deps.db);
  const lookupRestrictedKey = restrictedKeyLookup(deps.db);
  return (req: Request, res: Response, next: NextFunction) => {
    void (async () => {
      const auth = await authenticateApiKey(req.headers.authorization, { lookupKey, lookupRestrictedKey, now: () => deps.now().getTime() });
      if (!auth.ok) {
        const challenge = auth.code === 'key_expired' ? 'Bearer realm="tagward", error="invalid_token"' : 'Bearer realm="tagward"';
        throw new RestError(auth.code, auth.message, { 'WWW-Authenticate': challenge });
      }
      const { principal } = auth;
      const { perKey, windowMs } = deps.config.apiRateLimit;
      const decision = await takeRate(deps.db, `key:${principal.kid}`, perKey, windowMs, deps.now().getTime());
      rateHeaders(res, decision);
      deps.uses.record({ kid: principal.kid, siteId: principal.siteId, limited: !decision.allowed, at: deps.now().getTime() });
      if (!decision.allowed) {
        throw new RestError('rate_limited', `At most ${perKey} requests per key per ${windowMs / 1000} s.`, { 'Retry-After': String(decision.resetS) });
      }
      Object.assign(res.locals, { principal, siteId: new Types.ObjectId(principal.siteId) } satisfies RestLocals);
    })().then(
      () => next(),
      (error: unknown) => {
        if (!(error instanceof RestError)) deps.log.error({ err: error }, 'API key authentication failed');
        sendRestError(res, toRestError(error));
      },
    );
  };
}

/** Refuses a key without `scope` (403 insufficient_scope). */
export function requireScope(scope: ApiScope): RequestHandler {
  return (_req, res, next) => {
    if (principalOf(res).principal.scopes.includes(scope)) return next();
    sendRestError(
      res,
      new RestError('insufficient_scope', `This key does not have the ${scope} scope.`, {
        'WWW-Authenticate': `Bearer realm="tagward", error="insufficient_scope", scope="${scope}"`,
      }),
    );
  };
}

/** The extra, stricter limit of exports (per key per hour). */
export async function takeExportRate(db: Database, config: ApiConfig, key: string, now: Date): Promise<void> {
  const decision = await takeRate(db, `export:${key}`, config.apiRateLimit.exportsPerHour, 3_600_000, now.getTime());
  if (!decision.allowed) {
    throw new RestError('rate_limited', `At most ${config.apiRateLimit.exportsPerHour} exports per hour.`, { 'Retry-After': String(decision.resetS) });
  }
}
