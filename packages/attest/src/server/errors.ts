/**
 * Stable codes for every refusal of the attest endpoints. The HTTP handlers map them to statuses;
 * dashboards and logs key on the code, so never rename one, only add.
 */
export const ATTEST_ERROR_CODES = {
  // RFC 9578 §5.2/§6.2: an unsupported type, an unknown truncated key id or a wrongly sized
  // blinded message MUST be answered with 422 Unprocessable Content.
  malformed_request: 422,
  unsupported_token_type: 422,
  unknown_key: 422,
  too_many_tokens: 400,
  origin_required: 400,
  pow_required: 401,
  pow_invalid: 403,
  pow_expired: 403,
  // A solution is good for one issuance: sent again, it is refused before any signing work.
  pow_replayed: 409,
  not_admitted: 403,
  not_found: 404,
  method_not_allowed: 405,
  body_too_large: 413,
  unsupported_media_type: 415,
  issuer_failure: 500,
} as const;

export type AttestErrorCode = keyof typeof ATTEST_ERROR_CODES;

export class AttestError extends Error {
  constructor(
    readonly code: AttestErrorCode,
    message: string = code,
  ) {
    super(message);
    this.name = 'AttestError';
  }
}
