/** What the claims of a page token may say, and how a minter builds them. */
import { randomBytes } from 'node:crypto';
import { decodeCanonicalBase64url } from './base64url.js';
import { normalizeOrigin } from './origin-parse.js';
import {
  KID_PATTERN,
  PAGE_TOKEN_DEFAULT_TTL_MS,
  PAGE_TOKEN_MAX_ORIGIN_LENGTH,
  PAGE_TOKEN_MAX_PATH_LENGTH,
  PAGE_TOKEN_MAX_TTL_MS,
  PAGE_TOKEN_NONCE_BYTES,
  PageTokenError,
  type PageTokenClaims,
  type PageTokenErrorCode,
} from './page-token.js';

const MAX_TIME_MS = 2 ** 48 - 1;

/** Canonical origin as browsers serialise it: lowercase scheme and host, no default port. */
const ORIGIN_CLAIM_PATTERN =
  /^https?:\/\/(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])(?::[1-9][0-9]{0,4})?$/;
/** Printable ASCII except `#`, `*` and `?`: a pathname as `URL.pathname` serialises it. */
const PATH_BODY_PATTERN = /^\/[!"$-)+->@-~]*$/;

function isValidTime(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_TIME_MS;
}

/** Returns the first rule the claims break, or undefined when they can be encoded. */
export function checkClaims(claims: PageTokenClaims): PageTokenErrorCode | undefined {
  if (typeof claims.kid !== 'string' || !KID_PATTERN.test(claims.kid)) return 'bad_kid';
  if (!isValidTime(claims.iat) || !isValidTime(claims.exp) || claims.exp <= claims.iat) {
    return 'bad_times';
  }
  if (claims.exp - claims.iat > PAGE_TOKEN_MAX_TTL_MS) return 'ttl_too_long';
  if (!isPageTokenOriginClaim(claims.origin)) return 'bad_origin';
  if (!isPageTokenPathClaim(claims.path)) return 'bad_path';
  const nonce =
    typeof claims.nonce === 'string' ? decodeCanonicalBase64url(claims.nonce) : undefined;
  if (nonce?.length !== PAGE_TOKEN_NONCE_BYTES) return 'bad_nonce';
  return undefined;
}

/** Whether a string is a canonical origin claim (`https://shop.example:8443`). */
export function isPageTokenOriginClaim(origin: unknown): origin is string {
  return (
    typeof origin === 'string' &&
    origin.length <= PAGE_TOKEN_MAX_ORIGIN_LENGTH &&
    ORIGIN_CLAIM_PATTERN.test(origin)
  );
}

/**
 * Whether a string is a valid path claim: an absolute pathname in `URL.pathname` form (printable
 * ASCII, no `?`, `#`), optionally ending in `/*` to cover a whole subtree.
 *
 * @example
 * isPageTokenPathClaim('/blog/*'); // true
 * isPageTokenPathClaim('/blog*'); // false: `*` only as a whole last segment
 */
export function isPageTokenPathClaim(path: unknown): path is string {
  if (typeof path !== 'string' || path.length === 0) return false;
  if (path.length > PAGE_TOKEN_MAX_PATH_LENGTH) return false;
  return PATH_BODY_PATTERN.test(path.endsWith('/*') ? path.slice(0, -1) : path);
}

/**
 * Whether a page's pathname is covered by a token's path claim. Exact claims match exactly
 * (case-sensitive, trailing slash significant, as servers route). A prefix claim `/blog/*`
 * matches `/blog` and everything under `/blog/`, never `/blogger`. `/*` matches every path.
 *
 * @example
 * pagePathMatches('/blog/*', '/blog/2024/hello'); // true
 * pagePathMatches('/blog/*', '/blogger'); // false
 * pagePathMatches('/pricing', '/pricing/'); // false
 */
export function pagePathMatches(claim: string, pathname: string): boolean {
  if (!claim.endsWith('/*')) return claim === pathname;
  const base = claim.slice(0, -1); // keeps the trailing '/'
  return pathname.startsWith(base) || pathname === base.slice(0, -1);
}

/**
 * Canonical form of an origin for a page token: what a browser sends in `Origin` for that page,
 * by the same rules as the allowlist (`normalizeOrigin` in origin-parse.ts): lowercase scheme and
 * host, IDNs to punycode, no default port. One trailing `/` is tolerated (people paste
 * `https://shop.example/`). Anything else with a path, query, fragment or credentials, and
 * non-http(s) schemes, give undefined.
 *
 * @example
 * canonicalPageTokenOrigin('HTTPS://Bücher.example:443'); // 'https://xn--bcher-kva.example'
 * canonicalPageTokenOrigin('https://shop.example/cart'); // undefined
 */
export function canonicalPageTokenOrigin(input: string): string | undefined {
  const origin = normalizeOrigin(input.endsWith('/') ? input.slice(0, -1) : input);
  return origin !== null && isPageTokenOriginClaim(origin) ? origin : undefined;
}

/**
 * Canonical form of a path claim: resolves `.`/`..` segments and percent-encodes non-ASCII the
 * way browsers report `location.pathname`, keeping a trailing `/*` prefix marker. Returns
 * undefined for anything that is not an absolute path.
 *
 * @example
 * canonicalPageTokenPath('/café/../menü'); // '/men%C3%BC'
 * canonicalPageTokenPath('/blog/*'); // '/blog/*'
 */
export function canonicalPageTokenPath(input: string): string | undefined {
  if (!input.startsWith('/') || input.startsWith('//')) return undefined;
  const isPrefix = input.endsWith('/*');
  const body = isPrefix ? input.slice(0, -1) : input;
  if (/[?#*]/.test(body)) return undefined;
  let pathname: string;
  try {
    pathname = new URL(body, 'http://path.invalid').pathname;
  } catch {
    return undefined;
  }
  const claim = isPrefix ? (pathname.endsWith('/') ? `${pathname}*` : `${pathname}/*`) : pathname;
  return isPageTokenPathClaim(claim) ? claim : undefined;
}

/** Options of {@link buildPageTokenClaims}. */
export interface BuildPageTokenClaimsOptions {
  kid: string;
  /** The page's origin; canonicalised (`HTTPS://Shop.Example:443` -> `https://shop.example`). */
  origin: string;
  /** Exact path or `/prefix/*`; canonicalised like `location.pathname`. */
  path: string;
  /** Issue time in ms (the caller's clock). */
  now: number;
  /** Lifetime in ms, default {@link PAGE_TOKEN_DEFAULT_TTL_MS}, at most {@link PAGE_TOKEN_MAX_TTL_MS}. */
  ttlMs?: number;
  /** 16 bytes; random by default. Only tests pass one. */
  nonce?: Uint8Array;
}

/**
 * Builds validated claims for a new token: canonical origin and path, a fresh 128-bit nonce,
 * `exp = now + ttl`. Throws {@link PageTokenError} with a stable code on bad input.
 *
 * @example
 * const claims = buildPageTokenClaims({
 *   kid: 'a1B2c3D4e5F6g7H8',
 *   origin: 'https://shop.example',
 *   path: '/blog/*',
 *   now: Date.now(),
 *   ttlMs: 10 * 60_000,
 * });
 */
export function buildPageTokenClaims(options: BuildPageTokenClaimsOptions): PageTokenClaims {
  const origin = canonicalPageTokenOrigin(options.origin);
  if (!origin) {
    throw new PageTokenError(
      'bad_origin',
      `not an http(s) origin: ${JSON.stringify(options.origin)}`,
    );
  }
  const path = canonicalPageTokenPath(options.path);
  if (!path) {
    throw new PageTokenError(
      'bad_path',
      `not an absolute path of at most ${PAGE_TOKEN_MAX_PATH_LENGTH} characters: ${JSON.stringify(options.path)}`,
    );
  }
  const ttlMs = options.ttlMs ?? PAGE_TOKEN_DEFAULT_TTL_MS;
  if (!Number.isSafeInteger(ttlMs) || ttlMs <= 0) {
    throw new PageTokenError('bad_times', 'ttl must be a positive whole number of milliseconds');
  }
  if (ttlMs > PAGE_TOKEN_MAX_TTL_MS) {
    throw new PageTokenError('ttl_too_long', `ttl is at most ${PAGE_TOKEN_MAX_TTL_MS} ms`);
  }
  const nonce = options.nonce ?? randomBytes(PAGE_TOKEN_NONCE_BYTES);
  const claims: PageTokenClaims = {
    kid: options.kid,
    origin,
    path,
    iat: Math.floor(options.now),
    exp: Math.floor(options.now) + ttlMs,
    nonce: Buffer.from(nonce).toString('base64url'),
  };
  const problem = checkClaims(claims);
  if (problem) throw new PageTokenError(problem, `page token claims rejected: ${problem}`);
  return claims;
}
