import { createSecretKey, type KeyObject } from 'node:crypto';
import {
  PAGE_TOKEN_DEFAULT_TTL_MS,
  PAGE_TOKEN_MAX_TTL_MS,
  PageTokenError,
  buildPageTokenClaims,
  derivePageTokenSigningKey,
  parseSecretKey,
  signPageToken,
} from '@tagward/protocol';
import { TagwardError } from './errors.js';

/** Default token lifetime in seconds (5 minutes). */
export const DEFAULT_TOKEN_TTL_S = PAGE_TOKEN_DEFAULT_TTL_MS / 1000;
/** Longest token lifetime in seconds (15 minutes). */
export const MAX_TOKEN_TTL_S = PAGE_TOKEN_MAX_TTL_MS / 1000;

export interface MintPageTokenOptions {
  /** Your secret key, `sk_live_…` or `sk_test_…`. Keep it on the server. */
  secretKey: string;
  /** The public origin the page is served from, e.g. `https://shop.example`. */
  origin: string;
  /**
   * The page's path (`/pricing`), or a prefix (`/blog/*`) for a token that may be used on any
   * page below it. A query string or fragment is ignored: tokens bind the path only.
   */
  path: string;
  /** Lifetime in seconds, default 300, at most 900. */
  ttlSeconds?: number;
  /** Same as `ttlSeconds` (the name the issue uses); give one or the other. */
  ttl?: number;
  /** Issue time in ms since the epoch; defaults to now. For tests. */
  now?: number;
}

// Deriving is cheap (one HKDF) but a server mints on every page view: keep a few derived keys.
const signingKeys = new Map<string, KeyObject>();
const MAX_CACHED_KEYS = 8;

function signingKeyFor(secretKey: string): KeyObject {
  const cached = signingKeys.get(secretKey);
  if (cached) return cached;
  const derived = derivePageTokenSigningKey(secretKey);
  if (!derived) {
    throw new TagwardError(
      'invalid_secret_key',
      'secretKey is not a Tagward secret key (sk_live_… or sk_test_…); the publishable pk_… key cannot mint tokens',
    );
  }
  const key = createSecretKey(derived);
  if (signingKeys.size >= MAX_CACHED_KEYS) signingKeys.clear();
  signingKeys.set(secretKey, key);
  return key;
}

/**
 * Mints a page token for one page view, locally (no network call): HMAC-SHA256 with a key
 * derived from your secret key. Put it in the snippet's `data-token`; the beacon accepts it once,
 * for this origin and path, until it expires. Mint one per response, and send pages that carry a
 * token with `Cache-Control: no-store` (or `private`): a cached page would hand the same
 * single-use token to many visitors, and all but the first would be scored as replays.
 *
 * @example
 * import { mintPageToken } from '@tagward/sdk-node';
 *
 * const token = mintPageToken({
 *   secretKey: process.env.TAGWARD_SECRET_KEY!,
 *   origin: 'https://shop.example',
 *   path: req.path, // '/pricing'
 * });
 * // <script src="https://beacon.tagward.example/v1.js" data-site="pk_live_…" data-token="${token}" async></script>
 */
export function mintPageToken(options: MintPageTokenOptions): string {
  const parsed = parseSecretKey(options.secretKey);
  if (!parsed) {
    throw new TagwardError(
      'invalid_secret_key',
      'secretKey is not a Tagward secret key (sk_live_… or sk_test_…); the publishable pk_… key cannot mint tokens',
    );
  }
  if (
    options.ttl !== undefined &&
    options.ttlSeconds !== undefined &&
    options.ttl !== options.ttlSeconds
  ) {
    throw new TagwardError('invalid_argument', 'give ttlSeconds or ttl, not two different values');
  }
  const ttl = options.ttlSeconds ?? options.ttl ?? DEFAULT_TOKEN_TTL_S;
  if (!Number.isInteger(ttl) || ttl < 1 || ttl > MAX_TOKEN_TTL_S) {
    throw new TagwardError(
      'invalid_argument',
      `ttl is a whole number of seconds from 1 to ${MAX_TOKEN_TTL_S}`,
    );
  }
  if (typeof options.path !== 'string' || typeof options.origin !== 'string') {
    throw new TagwardError('invalid_argument', 'origin and path are strings');
  }
  const path = options.path.split(/[?#]/, 1)[0] ?? '';
  try {
    const claims = buildPageTokenClaims({
      kid: parsed.kid,
      origin: options.origin,
      path,
      now: options.now ?? Date.now(),
      ttlMs: ttl * 1000,
    });
    return signPageToken(claims, signingKeyFor(parsed.secretKey));
  } catch (error) {
    if (error instanceof PageTokenError) {
      throw new TagwardError('invalid_argument', error.message, { cause: error });
    }
    throw error;
  }
}
