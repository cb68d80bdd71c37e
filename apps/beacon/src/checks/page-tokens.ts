import type { Logger } from 'pino';
import type { Database } from '@tagward/db';
import { createTokenVerifier, parseMasterKey, type KeyRecord, type LookupKey } from '@tagward/keys';
import type { BeaconConfig } from '../config.js';
import type { TokenChecker } from './types.js';

/** Secret-key records by kid, for page tokens and the verify API (the verifier caches them). */
export function keyLookup(db: Database): LookupKey {
  return async (kid): Promise<KeyRecord | undefined> => {
    const doc = await db.models.SecretKey.findOne({ kid }).lean();
    if (!doc) return undefined;
    return {
      kid: doc.kid,
      siteId: String(doc.siteId),
      secretHash: doc.secretHash,
      signingKeyEnc: doc.signingKeyEnc,
      expiresAt: doc.expiresAt ?? null,
      revokedAt: doc.revokedAt ?? null,
    };
  };
}

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
