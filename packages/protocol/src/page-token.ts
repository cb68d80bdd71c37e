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
 * The format is spread over a few modules, all re-exported by the package index: this one has the
 * limits and types, `page-token-claims.ts` what claims are valid and how they are built,
 * `page-token-codec.ts` the binary layout, `page-token-signature.ts` the MAC, and
 * `page-token-key.ts` the signing key derived from a secret key. They use `node:crypto`: server
 * side only (the embed script never imports them).
 */
import type { KeyObject } from 'node:crypto';

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
