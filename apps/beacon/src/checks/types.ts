import type { AttestationOutcome, TokenOutcome } from '@tagward/trust';
import type { BeaconSite } from '../collect/site-cache.js';

/**
 * The outcome of a single-use credential (page token, Privacy Pass token) checked in full except
 * for its single use: `nonce` is what storing the beacon spends. The beacon stores the event and
 * spends its nonces in one write (`@tagward/db` insertEvents), so a replay is caught there.
 */
export interface Checked<T> {
  outcome: T;
  nonce?: string;
}

export interface TokenChecker {
  check(token: string | undefined, context: { site: BeaconSite; origin: string | undefined; url: URL; now: number }): Promise<Checked<TokenOutcome>>;
}

export interface AttestationChecker {
  check(token: string | undefined, context: { site: BeaconSite; origin: string | undefined; now: number }): Promise<Checked<AttestationOutcome>>;
}
