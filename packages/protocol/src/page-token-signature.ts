/** The MAC of a page token: HMAC-SHA256 over `pt1.<payload>` with the site's signing key. */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { encodePayload } from './page-token-codec.js';
import type { DecodedPageToken, PageTokenClaims, PageTokenSigningKey } from './page-token.js';

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
