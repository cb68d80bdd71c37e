/**
 * The page-token outcome the trust engine scores. Identical to the type `@tagward/trust` exports;
 * declared here until that package exports it (then this file re-exports it).
 */
export type TokenStatus =
  | 'missing'
  | 'valid'
  | 'malformed'
  | 'bad_signature'
  | 'unknown_key'
  | 'revoked_key'
  | 'expired_key'
  | 'expired'
  | 'not_yet_valid'
  | 'wrong_site'
  | 'wrong_origin'
  | 'wrong_path'
  | 'replayed';

export interface TokenOutcome {
  status: TokenStatus;
  ageMs?: number;
  ttlMs?: number;
}
