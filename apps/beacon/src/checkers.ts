import { AsyncLocalStorage } from 'node:async_hooks';
import type http from 'node:http';
import type { Logger } from 'pino';
import type { Database } from '@tagward/db';
import { createTokenVerifier, parseMasterKey, type KeyRecord } from '@tagward/keys';
import type { AttestationOutcome } from '@tagward/trust';
import type { BeaconConfig } from './config.js';
import type { AttestationChecker, TokenChecker } from './collect/handler.js';

export interface Checkers {
  tokens: TokenChecker;
  attestation: AttestationChecker;
  routes: Array<{ method: string; match: (pathname: string) => boolean; handle: http.RequestListener }>;
}

const DUPLICATE_KEY = 11000;

/**
 * Page tokens (layer 2): signature, claims and the single-use nonce. Nonces are spent with a
 * unique insert, so reuse is caught across every beacon process. The spent row remembers the
 * beacon that spent it: when the embed script retries the same beacon (same idempotency id) after
 * a 503, its token is not a replay.
 */
function createTokenChecker(db: Database, config: BeaconConfig, log: Logger): TokenChecker {
  if (!config.masterKey) {
    log.warn('TAGWARD_MASTER_KEY is not set: page tokens cannot be verified and score as bad_signature');
  }
  const currentEvent = new AsyncLocalStorage<string>();
  const verifier = config.masterKey
    ? createTokenVerifier({
        masterKey: parseMasterKey(config.masterKey),
        lookupKey: async (kid): Promise<KeyRecord | undefined> => {
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
        },
        spendNonce: async (nonceKey, siteId, expiresAt) => {
          const eventId = currentEvent.getStore() ?? null;
          try {
            await db.models.SpentNonce.collection.insertOne({
              _id: nonceKey as never,
              siteId: new db.conn.base.Types.ObjectId(siteId),
              eventId,
              expiresAt,
            });
            return true;
          } catch (error) {
            if ((error as { code?: number }).code !== DUPLICATE_KEY) throw error;
            const spent = await db.models.SpentNonce.findById(nonceKey).select({ eventId: 1 }).lean();
            return eventId !== null && spent?.eventId === eventId;
          }
        },
      })
    : undefined;
  return {
    async verify(token, context) {
      if (!token) return { status: 'missing' };
      if (!verifier) return { status: 'bad_signature' };
      const result = await currentEvent.run(context.eventId, () =>
        verifier.verify(token, {
          siteId: context.site.id,
          origin: context.origin ?? null,
          url: context.url.href,
          now: context.now,
        }),
      );
      return { status: result.status, ageMs: result.ageMs, ttlMs: result.ttlMs };
    },
  };
}

function createAttestationChecker(): AttestationChecker {
  return {
    async verify(token): Promise<AttestationOutcome> {
      // Wired to the Privacy Pass redeemer by the attestation experiment.
      return { status: token ? 'invalid' : 'absent' };
    },
  };
}

export function createCheckers(deps: { db: Database; config: BeaconConfig; log: Logger }): Checkers {
  return {
    tokens: createTokenChecker(deps.db, deps.config, deps.log),
    attestation: createAttestationChecker(),
    routes: [],
  };
}
