import type { Logger } from 'pino';
import { createTokenVerifier, parseMasterKey, type LookupKey } from '@tagward/keys';
import type { BeaconConfig } from '../config.js';
import type { TokenChecker } from './types.js';

/** Page tokens (layer 2): signature, claims and key state; the single use is spent on storing. */
export function createPageTokenChecker(deps: { config: BeaconConfig; log: Logger; lookupKey: LookupKey }): TokenChecker {
  const { config, log } = deps;
  if (!config.masterKey) {
    log.warn('TAGWARD_MASTER_KEY is not set: page tokens cannot be verified and score as bad_signature');
    return { check: async (token) => ({ outcome: { status: token ? 'bad_signature' : 'missing' } }) };
  }
  const verifier = createTokenVerifier({ masterKey: parseMasterKey(config.masterKey), lookupKey: deps.lookupKey });
  return {
    async check(token, context) {
      if (!token) return { outcome: { status: 'missing' } };
      const result = await verifier.check(token, {
        siteId: context.site.id,
        origin: context.origin ?? null,
        url: context.url.href,
        now: context.now,
      });
      return { outcome: { status: result.status, ageMs: result.ageMs, ttlMs: result.ttlMs }, nonce: result.nonce?.key };
    },
  };
}
