import { AsyncLocalStorage } from 'node:async_hooks';
import fs from 'node:fs';
import type http from 'node:http';
import type { Logger } from 'pino';
import type { Database } from '@tagward/db';
import {
  challengeForOrigin,
  createAttestHandlers,
  createAttester,
  createIssuer,
  createVerifier,
} from '@tagward/attest';
import {
  createTokenVerifier,
  handleVerifyRequest,
  parseMasterKey,
  type KeyRecord,
  type LookupKey,
} from '@tagward/keys';
import type { AttestationOutcome } from '@tagward/trust';
import type { BeaconConfig } from './config.js';
import type { AttestationChecker, TokenChecker } from './collect/handler.js';
import { SharedQuotaLimiter } from './collect/rate-limit.js';
import { sendJson } from './errors.js';

export interface Route {
  method: string;
  match: (pathname: string) => boolean;
  handle: http.RequestListener;
}

export interface Checkers {
  tokens: TokenChecker;
  attestation: AttestationChecker;
  routes: Route[];
}

const DUPLICATE_KEY = 11000;
const VERIFY_PATH = /^\/v1\/verify\/beacons\/([^/]+)$/;
const VERIFY_LIMIT_PER_MINUTE = 600;

function keyLookup(db: Database): LookupKey {
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

/**
 * Spends a single-use nonce (page token or Privacy Pass token) with a unique insert, so reuse is
 * caught across every beacon process. The row remembers the beacon that spent it: when the embed
 * script retries that same beacon (same idempotency id) after a 503, it is not a replay.
 */
function nonceSpender(db: Database, currentEvent: AsyncLocalStorage<string>) {
  return async (nonceKey: string, siteId: string, expiresAt: Date): Promise<boolean> => {
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
  };
}

/** Page tokens (layer 2): signature, claims and the single-use nonce. */
function createTokenChecker(
  deps: { db: Database; config: BeaconConfig; log: Logger },
  lookupKey: LookupKey,
  currentEvent: AsyncLocalStorage<string>,
): TokenChecker {
  const { db, config, log } = deps;
  if (!config.masterKey) {
    log.warn('TAGWARD_MASTER_KEY is not set: page tokens cannot be verified and score as bad_signature');
    return { verify: async (token) => ({ status: token ? 'bad_signature' : 'missing' }) };
  }
  const verifier = createTokenVerifier({
    masterKey: parseMasterKey(config.masterKey),
    lookupKey,
    spendNonce: nonceSpender(db, currentEvent),
  });
  return {
    async verify(token, context) {
      if (!token) return { status: 'missing' };
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

/** `GET /v1/verify/beacons/:id` with `Authorization: Bearer sk_…` (server to server). */
function verifyRoute(db: Database, lookupKey: LookupKey, limiter: SharedQuotaLimiter): Route {
  return {
    method: 'GET',
    match: (pathname) => VERIFY_PATH.test(pathname),
    handle: (req, res) => {
      const eventId = decodeURIComponent(VERIFY_PATH.exec((req.url ?? '').split('?')[0]!)?.[1] ?? '');
      handleVerifyRequest(
        { authorization: req.headers.authorization, eventId },
        {
          lookupKey,
          now: Date.now,
          findEvent: async (siteId, id) => {
            const event = await db.models.Event.findOne({ siteId, eventId: id })
              .select({ eventId: 1, receivedAt: 1, score: 1, verdict: 1, reasons: 1 })
              .lean();
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

/**
 * The attestation experiment: this beacon is the Privacy Pass issuer (after a proof-of-work
 * challenge) and the origin that redeems one token per beacon, bound to the page's origin.
 */
function createAttestation(
  deps: { db: Database; config: BeaconConfig; log: Logger },
  currentEvent: AsyncLocalStorage<string>,
): { checker: AttestationChecker; routes: Route[] } {
  const { db, config, log } = deps;
  if (!config.attestIssuerKeyFile || !config.attestSecret) {
    return {
      // Without an issuer nothing can be verified: a token is scored as invalid, not trusted.
      checker: { verify: async (token): Promise<AttestationOutcome> => ({ status: token ? 'invalid' : 'absent' }) },
      routes: [],
    };
  }
  const issuer = createIssuer({
    keys: [{ privateKey: fs.readFileSync(config.attestIssuerKeyFile, 'utf8'), notBefore: 0 }],
    issuerRequestUri: '/v1/attest/issue',
  });
  const attester = createAttester({ secret: config.attestSecret, difficultyBits: config.attestDifficultyBits });
  const handlers = createAttestHandlers({ issuer, attester, issuerName: config.attestIssuerName });
  const verifier = createVerifier({ publicKeys: issuer.verificationKeys() });
  const spend = nonceSpender(db, currentEvent);
  log.info({ issuerName: config.attestIssuerName }, 'attestation issuer enabled');
  return {
    checker: {
      async verify(token, context): Promise<AttestationOutcome> {
        if (!token) return { status: 'absent' };
        let host: string;
        try {
          host = new URL(context.origin ?? '').host;
        } catch {
          return { status: 'wrong_origin' };
        }
        const expectedChallenge = challengeForOrigin(config.attestIssuerName, host);
        // Tokens of a rotated-out key are refused by the verifier; a day bounds the nonce rows.
        const expiresAt = new Date(context.now + 86_400_000);
        const result = await currentEvent.run(context.eventId, () =>
          verifier.verify(token, { expectedChallenge, spend: (nonce) => spend(`pp:${nonce}`, context.site.id, expiresAt) }),
        );
        return { status: result.outcome };
      },
    },
    routes: [
      {
        method: 'ANY',
        match: (pathname) =>
          pathname === '/.well-known/private-token-issuer-directory' || pathname.startsWith('/v1/attest/'),
        handle: (req, res) => {
          void handlers.handle(req, res).then((handled) => {
            if (!handled) sendJson(res, 404, { error: { code: 'not_found', message: 'no such route' } });
          });
        },
      },
    ],
  };
}

export function createCheckers(deps: { db: Database; config: BeaconConfig; log: Logger }): Checkers {
  const lookupKey = keyLookup(deps.db);
  const currentEvent = new AsyncLocalStorage<string>();
  const attestation = createAttestation(deps, currentEvent);
  const verifyLimiter = new SharedQuotaLimiter(deps.db, 'verify', VERIFY_LIMIT_PER_MINUTE, 60_000);
  return {
    tokens: createTokenChecker(deps, lookupKey, currentEvent),
    attestation: attestation.checker,
    routes: [verifyRoute(deps.db, lookupKey, verifyLimiter), ...attestation.routes],
  };
}
