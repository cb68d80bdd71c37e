/**
 * The TokenChallenge a page's tokens are bound to: issuer_name = the beacon's host, origin_info =
 * the page's host, empty redemption_context. The challenge endpoint hands it out and the beacon
 * expects it at redemption; both must build it the same way, so both call this.
 */
import { TOKEN_TYPE_BLIND_RSA, type TokenChallenge } from '../shared/wire.js';

const cache = new Map<string, TokenChallenge>();
const CACHE_LIMIT = 10_000;

/**
 * Returns the same frozen object for the same (issuer, origin host), which lets the verifier
 * reuse the challenge digest it computed the first time.
 *
 * The redemption context stays empty on purpose: tokens are fetched ahead, in batches, and
 * redeemed later on any page of the origin in the same tab; a per-page context would force an
 * issuance right before each redemption, and that timing alone would link the two.
 *
 * @example
 * const expected = challengeForOrigin('beacon.tagward.example', new URL(req.headers.origin!).host);
 * await verifier.verify(payload.att, { expectedChallenge: expected, spend });
 */
export function challengeForOrigin(issuerName: string, originHost: string): TokenChallenge {
  const key = `${issuerName}\n${originHost}`;
  let challenge = cache.get(key);
  if (!challenge) {
    challenge = Object.freeze({
      tokenType: TOKEN_TYPE_BLIND_RSA,
      issuerName,
      redemptionContext: new Uint8Array(0),
      originInfo: Object.freeze([originHost]),
    });
    // Bounded: origins come from request headers, so an attacker could otherwise grow it.
    if (cache.size >= CACHE_LIMIT) cache.clear();
    cache.set(key, challenge);
  }
  return challenge;
}
