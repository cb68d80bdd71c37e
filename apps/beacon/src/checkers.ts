import type { Logger } from 'pino';
import { KeyUseCounter, secretKeyLookup, type Database } from '@tagward/db';
import type { BeaconConfig } from './config.js';
import { createAttestation } from './checks/attestation.js';
import { createPageTokenChecker } from './checks/page-tokens.js';
import type { AttestationChecker, TokenChecker } from './checks/types.js';
import { SharedQuotaLimiter } from './collect/rate-limit.js';
import type { Route } from './routes/route.js';
import { verifyRoute } from './routes/verify.js';

export type { Route };

export interface Checkers {
  tokens: TokenChecker;
  attestation: AttestationChecker;
  routes: Route[];
}

const VERIFY_LIMIT_PER_MINUTE = 600;

/** The credential checkers of the collect path and the extra routes (verify API, issuer). */
export function createCheckers(deps: { db: Database; config: BeaconConfig; log: Logger }): Checkers {
  // Secret-key records by kid, for page tokens and the verify API (the verifier caches them).
  const lookupKey = secretKeyLookup(deps.db);
  const attestation = createAttestation(deps);
  const verifyLimiter = new SharedQuotaLimiter(deps.db, 'verify', VERIFY_LIMIT_PER_MINUTE, 60_000);
  const keyUses = new KeyUseCounter(deps.db, { onError: (err) => deps.log.warn({ err }, 'could not write key use counts') });
  return {
    tokens: createPageTokenChecker({ config: deps.config, log: deps.log, lookupKey }),
    attestation: attestation.checker,
    routes: [verifyRoute(deps.db, lookupKey, verifyLimiter, keyUses), ...attestation.routes],
  };
}
