import { createSecretKey, type KeyObject } from 'node:crypto';
import {
  canonicalPageTokenOrigin,
  decodePageToken,
  pagePathMatches,
  verifyPageTokenSignature,
  type PageTokenErrorCode,
} from '@tagward/protocol';
import { KeysError } from './errors.js';
import { keyRejection, type KeyRecord, type LookupKey } from './key-record.js';
import { openSigningKey } from './master-key.js';
import { pageUrlParts, type PageUrlParts } from './page-url.js';
import type { SpendNonce } from './nonce.js';
import type { TokenOutcome } from '@tagward/trust';

/** Default tolerance between the minter's clock and ours. */
export const DEFAULT_CLOCK_SKEW_MS = 30_000;
/** Largest accepted tolerance: beyond this a token's lifetime bound means little. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/**
 * How long an opened key (and its revokedAt/expiresAt) is reused before it is read again: the
 * bound on how late a revocation or rotation takes effect in a running verifier process.
 */
export const DEFAULT_KEY_CACHE_TTL_MS = 5_000;
export const DEFAULT_KEY_CACHE_MAX_ENTRIES = 10_000;

export interface TokenVerifierOptions {
  /** The 32-byte master key (`TAGWARD_MASTER_KEY`, parsed with `parseMasterKey`). */
  masterKey: Uint8Array;
  lookupKey: LookupKey;
  /** Records a nonce as spent; needed by `verify` only (`check` leaves the spending to the caller). */
  spendNonce?: SpendNonce;
  /** Allowed difference between the minter's clock and ours (default 30 s, max 5 min). */
  clockSkewMs?: number;
  /**
   * A token presented sooner than this after it was issued is `not_yet_valid` (default 0: off).
   * The trust engine already scores `ageMs`; set this only to make "too fast" a hard failure, and
   * only when the minting servers' clocks agree with ours to well under `minAgeMs` (NTP), since a
   * minter clock running ahead makes real page views look too fast.
   */
  minAgeMs?: number;
  /** See {@link DEFAULT_KEY_CACHE_TTL_MS}. */
  keyCacheTtlMs?: number;
  keyCacheMaxEntries?: number;
  /** Monotonic clock for the cache (ms); tests inject one. */
  cacheClock?: () => number;
}

/** Where and when a beacon carrying a token arrived. */
export interface TokenVerifyContext {
  /** Site the beacon claims (resolved from its publishable key). */
  siteId: string;
  /** The request's `Origin` header; when absent the page URL's origin is used. */
  origin?: string | null;
  /** The page URL from the beacon payload. */
  url: string;
  /** Arrival time in ms (default: `Date.now()`). */
  now?: number;
}

/** A {@link TokenOutcome} plus what helps debugging; assignable to `TokenOutcome`. */
export interface TokenVerification extends TokenOutcome {
  /** Key id from the token, once the token parsed. */
  kid?: string;
  /** Why a token is `malformed`. */
  detail?: PageTokenErrorCode;
}

/** A token that passed every check but the single use: the caller must spend `nonce` atomically. */
export interface TokenCheck extends TokenVerification {
  /** Present when the status is `valid`: the nonce to record as spent (`<kid>.<nonce>`). */
  nonce?: { key: string; siteId: string; expiresAt: Date };
}

export interface TokenVerifier {
  /** Every check, then the nonce spent with `spendNonce`: `replayed` if it was spent before. */
  verify(token: string | undefined | null, context: TokenVerifyContext): Promise<TokenVerification>;
  /**
   * Every check except the single use. A `valid` result carries the nonce, which the caller
   * spends itself — the beacon stores it with the event, in the same write, so a replay is
   * caught by the database at the moment the event would be stored.
   */
  check(token: string | undefined | null, context: TokenVerifyContext): Promise<TokenCheck>;
  /** Drops a cached key now (in this process), e.g. right after revoking it here. */
  forget(kid: string): void;
}

interface OpenedKey {
  record: KeyRecord;
  signingKey: KeyObject;
}

interface CacheEntry {
  value: OpenedKey | undefined;
  freshUntil: number;
}

function requireDuration(name: string, value: number, max: number): number {
  if (!Number.isFinite(value) || value < 0 || value > max) {
    throw new KeysError('invalid_argument', `${name} must be between 0 and ${max} ms`);
  }
  return value;
}

/**
 * Opened keys by kid, short-lived. Unknown kids are cached too, so a flood of tokens with random
 * kids costs one lookup per kid per TTL, not one per beacon; concurrent misses share one lookup.
 */
function createKeyCache(options: {
  masterKey: Uint8Array;
  lookupKey: LookupKey;
  ttlMs: number;
  maxEntries: number;
  clock: () => number;
}) {
  const entries = new Map<string, CacheEntry>();
  const pending = new Map<string, Promise<OpenedKey | undefined>>();

  async function load(kid: string): Promise<OpenedKey | undefined> {
    const record = await options.lookupKey(kid);
    if (!record || record.kid !== kid) return undefined;
    const raw = openSigningKey(record.signingKeyEnc, { kid, masterKey: options.masterKey });
    return { record, signingKey: createSecretKey(raw) };
  }

  return {
    get(kid: string): OpenedKey | undefined | Promise<OpenedKey | undefined> {
      const hit = entries.get(kid);
      if (hit && hit.freshUntil > options.clock()) return hit.value;
      const inFlight = pending.get(kid);
      if (inFlight) return inFlight;
      const loading = load(kid)
        .then((value) => {
          entries.delete(kid);
          entries.set(kid, { value, freshUntil: options.clock() + options.ttlMs });
          if (entries.size > options.maxEntries) {
            const oldest = entries.keys().next();
            if (!oldest.done) entries.delete(oldest.value);
          }
          return value;
        })
        .finally(() => pending.delete(kid));
      pending.set(kid, loading);
      return loading;
    },
    forget(kid: string) {
      entries.delete(kid);
    },
  };
}

function requestOriginMatches(
  claimOrigin: string,
  headerOrigin: string | null | undefined,
  page: PageUrlParts | undefined,
): boolean {
  const presented = headerOrigin ?? page?.origin;
  if (!presented) return false;
  // Browsers send the canonical form, so the exact comparison is the common (fast) case.
  return presented === claimOrigin || canonicalPageTokenOrigin(presented) === claimOrigin;
}

/**
 * Builds the beacon's page-token verifier. Each failure gets its own status; checks run cheapest
 * and most fundamental first, and the nonce is spent LAST, so only a token that passed every other
 * check can use up its single use (a token sent to the wrong path first still works on its page).
 * Statuses after `bad_signature` are only ever reported for tokens the key really signed.
 *
 * @example
 * const verifier = createTokenVerifier({
 *   masterKey: parseMasterKey(config.TAGWARD_MASTER_KEY),
 *   lookupKey: async (kid) => toKeyRecord(await db.models.SecretKey.findOne({ kid }).lean()),
 *   spendNonce: createNonceSpender((doc) => db.models.SpentNonce.create(doc)),
 * });
 * const outcome = await verifier.verify(payload.token, {
 *   siteId: site.id, origin: req.headers.origin, url: payload.url, now: Date.now(),
 * });
 * // outcome.status === 'valid' | 'replayed' | 'wrong_origin' | ...
 */
export function createTokenVerifier(options: TokenVerifierOptions): TokenVerifier {
  const clockSkewMs = requireDuration(
    'clockSkewMs',
    options.clockSkewMs ?? DEFAULT_CLOCK_SKEW_MS,
    MAX_CLOCK_SKEW_MS,
  );
  const minAgeMs = requireDuration('minAgeMs', options.minAgeMs ?? 0, 60_000);
  // Fails at start-up on a bad master key rather than on the first token.
  if (!(options.masterKey instanceof Uint8Array) || options.masterKey.length !== 32) {
    throw new KeysError('invalid_master_key', 'the master key must be 32 bytes');
  }
  const cache = createKeyCache({
    masterKey: options.masterKey,
    lookupKey: options.lookupKey,
    ttlMs: requireDuration(
      'keyCacheTtlMs',
      options.keyCacheTtlMs ?? DEFAULT_KEY_CACHE_TTL_MS,
      600_000,
    ),
    maxEntries: options.keyCacheMaxEntries ?? DEFAULT_KEY_CACHE_MAX_ENTRIES,
    clock: options.cacheClock ?? (() => performance.now()),
  });

  async function check(
    token: string | undefined | null,
    context: TokenVerifyContext,
  ): Promise<TokenCheck> {
    if (token === undefined || token === null || token === '') return { status: 'missing' };
    const decoded = decodePageToken(token);
    if (!decoded.ok) return { status: 'malformed', detail: decoded.code };
    const { claims } = decoded.token;
    const kid = claims.kid;

    const cached = cache.get(kid);
    const key = cached instanceof Promise ? await cached : cached;
    if (!key) return { status: 'unknown_key', kid };
    if (!verifyPageTokenSignature(decoded.token, key.signingKey)) {
      return { status: 'bad_signature', kid };
    }

    const now = context.now ?? Date.now();
    const found: TokenVerification = {
      status: 'valid',
      kid,
      ageMs: now - claims.iat,
      ttlMs: claims.exp - claims.iat,
    };
    const rejection = keyRejection(key.record, now);
    if (rejection === 'revoked') return { ...found, status: 'revoked_key' };
    if (rejection === 'expired') return { ...found, status: 'expired_key' };
    if (key.record.siteId !== context.siteId) return { ...found, status: 'wrong_site' };

    const page = pageUrlParts(context.url, claims.origin);
    if (!requestOriginMatches(claims.origin, context.origin, page)) {
      return { ...found, status: 'wrong_origin' };
    }
    if (!page || !pagePathMatches(claims.path, page.pathname)) {
      return { ...found, status: 'wrong_path' };
    }
    if (now >= claims.exp + clockSkewMs) return { ...found, status: 'expired' };
    if (now + clockSkewMs < claims.iat) return { ...found, status: 'not_yet_valid' };
    if (minAgeMs > 0 && now - claims.iat < minAgeMs) return { ...found, status: 'not_yet_valid' };

    // The nonce record must outlive every moment the token could still be accepted.
    return {
      ...found,
      nonce: { key: `${kid}.${claims.nonce}`, siteId: key.record.siteId, expiresAt: new Date(claims.exp + clockSkewMs) },
    };
  }

  async function verify(
    token: string | undefined | null,
    context: TokenVerifyContext,
  ): Promise<TokenVerification> {
    const { nonce, ...result } = await check(token, context);
    if (!nonce) return result;
    if (!options.spendNonce) throw new KeysError('invalid_argument', 'verify() needs a spendNonce option; use check() to spend nonces yourself');
    const first = await options.spendNonce(nonce.key, nonce.siteId, nonce.expiresAt);
    return first ? result : { ...result, status: 'replayed' };
  }

  return { verify, check, forget: (kid) => cache.forget(kid) };
}
