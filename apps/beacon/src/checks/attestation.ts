import { createHash } from 'node:crypto';
import fs from 'node:fs';
import type { Logger } from 'pino';
import type { Database } from '@tagward/db';
import { challengeForOrigin, createAttestHandlers, createAttester, createIssuer, createVerifier } from '@tagward/attest';
import type { AttestationOutcome } from '@tagward/trust';
import type { BeaconConfig } from '../config.js';
import { sendJson } from '../errors.js';
import type { Route } from '../routes/route.js';
import type { AttestationChecker } from './types.js';

const DUPLICATE_KEY = 11000;

/**
 * A solved proof-of-work challenge is good for one issuance, across every beacon process: its
 * hash is inserted into `spent_nonces` (unique `_id`, TTL on the challenge's expiry) before any
 * token is signed.
 */
function challengeSpender(db: Database) {
  return async (challenge: string, expiresAtSeconds: number): Promise<boolean> => {
    const id = `pow:${createHash('sha256').update(challenge).digest('base64url')}`;
    try {
      await db.models.SpentNonce.collection.insertOne({ _id: id as never, siteId: null, eventId: null, expiresAt: new Date(expiresAtSeconds * 1000) });
      return true;
    } catch (error) {
      if ((error as { code?: number }).code === DUPLICATE_KEY) return false;
      throw error;
    }
  };
}

/**
 * The attestation experiment: this beacon is the Privacy Pass issuer (after a proof-of-work
 * challenge) and the origin that redeems one token per beacon, bound to the page's origin. The
 * token's nonce is spent by storing the beacon (see checks/types.ts).
 */
export function createAttestation(deps: { db: Database; config: BeaconConfig; log: Logger }): { checker: AttestationChecker; routes: Route[] } {
  const { db, config, log } = deps;
  if (!config.attestIssuerKeyFile || !config.attestSecret) {
    return {
      // Without an issuer nothing can be verified: a token is scored as invalid, not trusted.
      checker: { check: async (token) => ({ outcome: { status: token ? 'invalid' : 'absent' } }) },
      routes: [],
    };
  }
  const issuer = createIssuer({
    keys: [{ privateKey: fs.readFileSync(config.attestIssuerKeyFile, 'utf8'), notBefore: 0 }],
    issuerRequestUri: '/v1/attest/issue',
  });
  const attester = createAttester({ secret: config.attestSecret, difficultyBits: config.attestDifficultyBits });
  const handlers = createAttestHandlers({ issuer, attester, issuerName: config.attestIssuerName, spendChallenge: challengeSpender(db) });
  const verifier = createVerifier({ publicKeys: issuer.verificationKeys() });
  log.info({ issuerName: config.attestIssuerName }, 'attestation issuer enabled');
  return {
    checker: {
      async check(token, context) {
        if (!token) return { outcome: { status: 'absent' } };
        let host: string;
        try {
          host = new URL(context.origin ?? '').host;
        } catch {
          return { outcome: { status: 'wrong_origin' } };
        }
        const expectedChallenge = challengeForOrigin(config.attestIssuerName, host);
        // Every check but the single use; storing the beacon spends the nonce.
        const result = await verifier.verify(token, { expectedChallenge, spend: async () => true });
        const outcome: AttestationOutcome = { status: result.outcome };
        return result.outcome === 'valid' && result.nonce ? { outcome, nonce: `pp:${result.nonce}` } : { outcome };
      },
    },
    routes: [
      {
        method: 'ANY',
        match: (pathname) => pathname === '/.well-known/private-token-issuer-directory' || pathname.startsWith('/v1/attest/'),
        handle: (req, res) => {
          void handlers.handle(req, res).then((handled) => {
            if (!handled) sendJson(res, 404, { error: { code: 'not_found', message: 'no such route' } });
          });
        },
      },
    ],
  };
}
