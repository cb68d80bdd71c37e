/**
 * Page tokens (integration level 2): a short-lived, single-use proof that the client's backend
 * rendered this page view. Minted by the client's server with its secret key (SDK, no network
 * call), carried by the embed script in the beacon, verified by the beacon.
 *
 * Wire format, version 1:
 *
 *   pt1.<base64url(payload)>.<base64url(HMAC-SHA256(signingKey, "pt1.<base64url(payload)>"))>
 *
 * The payload is a fixed binary layout (big-endian), not JSON: it has exactly one encoding per set
 * of claims (no key order, duplicate keys or number formats to argue about), it parses without an
 * allocation-heavy JSON parser on the beacon's hot path, and it is ~40% shorter.
 *
 *   offset  size  field
 *   0       16    kid     key id, 16 ASCII base62 characters (public; one key belongs to one site)
 *   16      6     iat     issued-at, ms since the Unix epoch (uint48)
 *   22      6     exp     expiry, ms since the Unix epoch (uint48), iat < exp <= iat + 15 min
 *   28      16    nonce   random, single use
 *   44      1     n       origin length (1..255)
 *   45      n     origin  canonical origin, ASCII (`https://shop.example`, punycode host)
 *   45+n    2     m       path length (1..400)
 *   47+n    m     path    exact path (`/blog/post-1`) or prefix pattern (`/blog/*`), ASCII
 *
 * The site is bound through the key id: a kid belongs to exactly one site, and the MAC key is
 * derived from that site's secret key, so a token minted for site A can never verify as site B.
 * Binding the kid (rather than the publishable key) means the SDK only needs the secret key.
 *
 * Uses `node:crypto`: server-side only (the embed script never imports this module).
 */
import { createHmac, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import { normalizeOrigin } from './origin-parse.js';

/** Version prefix of the current format; a new format gets a new prefix (`pt2`). */
export const PAGE_TOKEN_PREFIX = 'pt1';
/** Lifetime when the minter does not choose one. */
export const PAGE_TOKEN_DEFAULT_TTL_MS = 5 * 60_000;
/** Longest lifetime a token may carry: a page view older than this should mint a new token. */
export const PAGE_TOKEN_MAX_TTL_MS = 15 * 60_000;
/** Longest token string accepted (the beacon payload's `token` field has the same cap). */
export const PAGE_TOKEN_MAX_LENGTH = 1024;
/** 128-bit nonces: collisions between honest tokens are negligible, guessing one is hopeless. */
export const PAGE_TOKEN_NONCE_BYTES = 16;
/** Longest origin claim (a DNS name is at most 253 characters). */
export const PAGE_TOKEN_MAX_ORIGIN_LENGTH = 255;
/** Longest path claim: keeps the whole token under {@link PAGE_TOKEN_MAX_LENGTH}. */
export const PAGE_TOKEN_MAX_PATH_LENGTH = 400;
/** Key ids: 16 base62 characters, public. */
export const KID_PATTERN = /^[A-Za-z0-9]{16}$/;

const KID_LENGTH = 16;
const MAC_BYTES = 32;
const MAC_CHARS = 43; // base64url of 32 bytes, unpadded
const MAX_TIME_MS = 2 ** 48 - 1;
const FIXED_BYTES = KID_LENGTH + 6 + 6 + PAGE_TOKEN_NONCE_BYTES; // 44
const PREFIX_DOT = `${PAGE_TOKEN_PREFIX}.`;

/** Canonical origin as browsers serialise it: lowercase scheme and host, no default port. */
const ORIGIN_CLAIM_PATTERN =
  /^https?:\/\/(?:[a-z0-9_-]+(?:\.[a-z0-9_-]+)*|\[[0-9a-f:.]+\])(?::[1-9][0-9]{0,4})?$/;
/** Printable ASCII except `#`, `*` and `?`: a pathname as `URL.pathname` serialises it. */
const PATH_BODY_PATTERN = /^\/[!"$-)+->@-~]*$/;
const BASE64URL_PATTERN = /^[A-Za-z0-9_-]*$/;

/** What a page token asserts. Times are milliseconds since the Unix epoch. */
export interface PageTokenClaims {
  /** Key id of the secret key that signed the token (and through it, the site). */
  kid: string;
  /** The one origin the page is served from, canonical (`https://shop.example`). */
  origin: string;
  /** Exact path (`/pricing`) or prefix pattern ending in `/*` (`/blog/*`). */
  path: string;
  /** Issued at (ms). */
  iat: number;
  /** Expires at (ms), after `iat`, at most {@link PAGE_TOKEN_MAX_TTL_MS} later. */
  exp: number;
  /** 16 random bytes, base64url (22 characters). */
  nonce: string;
}

/** A structurally valid token: claims, plus what the MAC covers and the MAC itself. */
export interface DecodedPageToken {
  claims: PageTokenClaims;
  /** The exact ASCII string the MAC was computed over: `pt1.<payload>`. */
  signingInput: string;
  mac: Buffer;
}

/**
 * Stable codes for a token that cannot even be parsed. All of them mean "malformed" to the trust
 * engine; the detail helps a client debugging their integration.
 */
export const PAGE_TOKEN_ERROR_CODES = [
  'not_a_string',
  'too_long',
  'unsupported_version',
  'bad_structure',
  'bad_base64',
  'bad_length',
  'bad_kid',
  'bad_times',
  'ttl_too_long',
  'bad_nonce',
  'bad_origin',
  'bad_path',
] as const;
export type PageTokenErrorCode = (typeof PAGE_TOKEN_ERROR_CODES)[number];

export type PageTokenDecodeResult =
  { ok: true; token: DecodedPageToken } | { ok: false; code: PageTokenErrorCode };

/** Thrown when asked to encode or build claims that do not fit the format. */
export class PageTokenError extends Error {
  readonly code: PageTokenErrorCode;
  constructor(code: PageTokenErrorCode, message: string) {
    super(message);
    this.name = 'PageTokenError';
    this.code = code;
  }
}

/** A signing key: 32 raw bytes, or a secret KeyObject holding them (slightly faster to use). */
export type PageTokenSigningKey = Uint8Array | KeyObject;

const BASE64URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/**
 * Decodes base64url, refusing anything but the one canonical spelling. Node's decoder skips
 * invalid characters and ignores the unused low bits of the last character, so without this
 * check a token whose last MAC character was changed could still verify.
 */
function decodeCanonicalBase64url(text: string): Buffer | undefined {
  const rest = text.length % 4;
  if (text.length === 0 || rest === 1 || !BASE64URL_PATTERN.test(text)) return undefined;
  if (rest !== 0) {
    // 2 trailing characters carry 1 byte (4 spare bits), 3 carry 2 bytes (2 spare bits): the
    // spare bits of the last character must be zero.
    const last = BASE64URL_ALPHABET.indexOf(text.charAt(text.length - 1));
    if ((last & (rest === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return Buffer.from(text, 'base64url');
}

function isAscii(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x21 || c > 0x7e) return false;
  }
  return true;
}

function isValidTime(ms: number): boolean {
  return Number.isSafeInteger(ms) && ms >= 0 && ms <= MAX_TIME_MS;
}

/** Returns the first rule the claims break, or undefined when they can be encoded. */
function checkClaims(claims: PageTokenClaims): PageTokenErrorCode | undefined {
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
 * by the same rules as the allowlist (`normalizeOrigin` in origin-parse.ts): lowercase scheme and host,
 * IDNs to punycode, no default port. One trailing `/` is tolerated (people paste
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

function encodePayload(claims: PageTokenClaims): string {
  const problem = checkClaims(claims);
  if (problem) throw new PageTokenError(problem, `page token claims rejected: ${problem}`);
  const originLength = claims.origin.length;
  const pathLength = claims.path.length;
  const bytes = Buffer.alloc(FIXED_BYTES + 1 + originLength + 2 + pathLength);
  bytes.write(claims.kid, 0, 'latin1');
  bytes.writeUIntBE(claims.iat, 16, 6);
  bytes.writeUIntBE(claims.exp, 22, 6);
  Buffer.from(claims.nonce, 'base64url').copy(bytes, 28);
  bytes.writeUInt8(originLength, FIXED_BYTES);
  bytes.write(claims.origin, FIXED_BYTES + 1, 'latin1');
  bytes.writeUInt16BE(pathLength, FIXED_BYTES + 1 + originLength);
  bytes.write(claims.path, FIXED_BYTES + 3 + originLength, 'latin1');
  return `${PREFIX_DOT}${bytes.toString('base64url')}`;
}

/**
 * Assembles a token from claims and an already computed MAC. Most callers want
 * {@link signPageToken}; this exists so the codec can be tested (and reused) on its own.
 * Throws {@link PageTokenError} if the claims do not fit the format.
 *
 * @example
 * const token = encodePageToken(claims, mac); // 'pt1.<payload>.<mac>'
 * decodePageToken(token); // { ok: true, token: { claims, signingInput, mac } }
 */
export function encodePageToken(claims: PageTokenClaims, mac: Uint8Array): string {
  if (mac.length !== MAC_BYTES) {
    throw new PageTokenError('bad_length', `a page token MAC is ${MAC_BYTES} bytes`);
  }
  return `${encodePayload(claims)}.${Buffer.from(mac).toString('base64url')}`;
}

/**
 * Parses a token's structure without checking its signature. Never throws: a bad input gives
 * `{ ok: false, code }` with a stable {@link PageTokenErrorCode}. Strict: one canonical spelling
 * per token, no trailing bytes, claims within the format's limits.
 *
 * @example
 * const decoded = decodePageToken(payload.token);
 * if (!decoded.ok) return { status: 'malformed', detail: decoded.code };
 * decoded.token.claims.kid; // look the key up by id, then verifyPageTokenSignature
 */
export function decodePageToken(token: unknown): PageTokenDecodeResult {
  if (typeof token !== 'string') return { ok: false, code: 'not_a_string' };
  if (token.length > PAGE_TOKEN_MAX_LENGTH) return { ok: false, code: 'too_long' };
  if (!token.startsWith(PREFIX_DOT)) {
    return { ok: false, code: /^pt[0-9]+\./.test(token) ? 'unsupported_version' : 'bad_structure' };
  }
  const dot = token.indexOf('.', PREFIX_DOT.length);
  if (dot < 0 || token.indexOf('.', dot + 1) >= 0) return { ok: false, code: 'bad_structure' };
  const macText = token.slice(dot + 1);
  if (macText.length !== MAC_CHARS) return { ok: false, code: 'bad_length' };
  const payload = decodeCanonicalBase64url(token.slice(PREFIX_DOT.length, dot));
  const mac = decodeCanonicalBase64url(macText);
  if (!payload || !mac) return { ok: false, code: 'bad_base64' };
  if (payload.length < FIXED_BYTES + 3) return { ok: false, code: 'bad_length' };

  const originLength = payload.readUInt8(FIXED_BYTES);
  const pathLengthAt = FIXED_BYTES + 1 + originLength;
  if (payload.length < pathLengthAt + 2) return { ok: false, code: 'bad_length' };
  const pathLength = payload.readUInt16BE(pathLengthAt);
  if (payload.length !== pathLengthAt + 2 + pathLength) return { ok: false, code: 'bad_length' };

  const kid = payload.toString('latin1', 0, KID_LENGTH);
  if (!KID_PATTERN.test(kid)) return { ok: false, code: 'bad_kid' };
  const iat = payload.readUIntBE(16, 6);
  const exp = payload.readUIntBE(22, 6);
  if (exp <= iat) return { ok: false, code: 'bad_times' };
  if (exp - iat > PAGE_TOKEN_MAX_TTL_MS) return { ok: false, code: 'ttl_too_long' };
  const nonce = payload.toString('base64url', 28, FIXED_BYTES);
  const origin = payload.toString('latin1', FIXED_BYTES + 1, pathLengthAt);
  if (!isAscii(origin) || !isPageTokenOriginClaim(origin)) return { ok: false, code: 'bad_origin' };
  const path = payload.toString('latin1', pathLengthAt + 2);
  if (!isAscii(path) || !isPageTokenPathClaim(path)) return { ok: false, code: 'bad_path' };

  return {
    ok: true,
    token: {
      claims: { kid, origin, path, iat, exp, nonce },
      signingInput: token.slice(0, dot),
      mac,
    },
  };
}

function computeMac(signingInput: string, signingKey: PageTokenSigningKey): Buffer {
  return createHmac('sha256', signingKey).update(signingInput, 'latin1').digest();
}

/**
 * Encodes and signs claims with a site's page-token signing key (HMAC-SHA256).
 *
 * @example
 * const token = signPageToken(
 *   buildPageTokenClaims({ kid, origin: 'https://shop.example', path: '/pricing', now: Date.now() }),
 *   signingKey,
 * );
 */
export function signPageToken(claims: PageTokenClaims, signingKey: PageTokenSigningKey): string {
  const signingInput = encodePayload(claims);
  return `${signingInput}.${computeMac(signingInput, signingKey).toString('base64url')}`;
}

/**
 * Checks a decoded token's MAC against a signing key, in constant time. Says nothing about
 * expiry, origin, path or replay: those are the verifier's job once the MAC holds.
 *
 * @example
 * const decoded = decodePageToken(token);
 * if (decoded.ok && verifyPageTokenSignature(decoded.token, signingKey)) {
 *   // claims are authentic
 * }
 */
export function verifyPageTokenSignature(
  decoded: DecodedPageToken,
  signingKey: PageTokenSigningKey,
): boolean {
  const expected = computeMac(decoded.signingInput, signingKey);
  return decoded.mac.length === expected.length && timingSafeEqual(decoded.mac, expected);
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

/** `sk_<live|test>_<kid>_<secret>`: kid is 16 base62 characters, secret is 32 bytes base64url. */
export const SECRET_KEY_PATTERN = /^sk_(live|test)_([A-Za-z0-9]{16})_([A-Za-z0-9_-]{43})$/;
/** HKDF `info` of the page-token signing key; a new token format gets a new label. */
export const PAGE_TOKEN_KEY_INFO = 'tagward/page-token/v1';

/** The parts of a secret key. `kid` is public (it travels in page tokens); `secretKey` is not. */
export interface ParsedSecretKey {
  secretKey: string;
  mode: 'live' | 'test';
  kid: string;
}

/**
 * Splits a secret key into mode and key id, or returns undefined if it is not one. The secret
 * part must be canonical base64url, so every key has exactly one spelling (and one hash).
 *
 * @example
 * parseSecretKey(process.env.TAGWARD_SECRET_KEY); // { secretKey, mode: 'live', kid: 'a1B2c3D4e5F6g7H8' }
 * parseSecretKey('pk_live_abc'); // undefined
 */
export function parseSecretKey(secretKey: unknown): ParsedSecretKey | undefined {
  if (typeof secretKey !== 'string') return undefined;
  const match = SECRET_KEY_PATTERN.exec(secretKey);
  if (!match) return undefined;
  const [, mode, kid, secret] = match;
  if (!kid || !secret || (mode !== 'live' && mode !== 'test')) return undefined;
  const last = BASE64URL_ALPHABET.indexOf(secret.charAt(secret.length - 1));
  if ((last & 0x03) !== 0) return undefined; // 43 characters: the last one has 2 spare bits
  return { secretKey, mode, kid };
}

/**
 * The page-token signing key of a secret key: HKDF-SHA256(ikm = the whole `sk_…` string, salt =
 * empty, info = {@link PAGE_TOKEN_KEY_INFO}), 32 bytes. The SDK derives it to mint tokens without
 * a network call; the server keeps it only sealed under its master key. One-way: it does not
 * give back the secret key, so it cannot call the verify API. Returns undefined for a string that
 * is not a secret key.
 *
 * @example
 * const signingKey = derivePageTokenSigningKey(secretKey);
 * const token = signPageToken(claims, signingKey!);
 */
export function derivePageTokenSigningKey(secretKey: string): Buffer | undefined {
  if (!parseSecretKey(secretKey)) return undefined;
  // An empty salt is fine for a uniformly random input key (RFC 5869 section 3.1); info separates uses.
  return Buffer.from(hkdfSync('sha256', secretKey, Buffer.alloc(0), PAGE_TOKEN_KEY_INFO, 32));
}
