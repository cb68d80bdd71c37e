/** Paths and JSON bodies of the attest endpoints, shared by the handlers and the client. */
export const CHALLENGE_PATH = '/v1/attest/challenge';
export const ISSUE_PATH = '/v1/attest/issue';

/** Body of `POST /v1/attest/challenge` (also sent as a `WWW-Authenticate: PrivateToken` header). */
export interface ChallengeResponseBody {
  /** base64url TokenChallenge the tokens will be bound to. */
  'token-challenge': string;
  /** base64url SPKI of the key to blind for (must also be in the directory). */
  'token-key': string;
  pow: {
    challenge: string;
    bits: number;
    k: number;
    'max-tokens': number;
    'expires-at': number;
  };
}
