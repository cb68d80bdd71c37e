/**
 * Stable, machine-readable codes for every beacon and verify-API rejection. Clients and
 * dashboards key on these; never rename one, only add.
 */
export const BEACON_ERROR_CODES = {
  body_too_large: 413,
  unsupported_media_type: 415,
  malformed_body: 400,
  invalid_payload: 400,
  unknown_key: 401,
  revoked_key: 403,
  rate_limited: 429,
  method_not_allowed: 405,
  not_found: 404,
  request_timeout: 408,
  database_unavailable: 503,
  overloaded: 503,
  shutting_down: 503,
  unauthorized: 401,
  // The verify API: an event id whose %-encoding does not decode.
  invalid_event_id: 400,
} as const;

export type BeaconErrorCode = keyof typeof BEACON_ERROR_CODES;

/** Body of every error response: `{ "error": { "code": "...", "message": "..." } }`. */
export interface ErrorBody {
  error: { code: BeaconErrorCode; message: string };
}

/** Body of an accepted beacon: the stored event's id, which the page may hand to its backend. */
export interface CollectAccepted {
  id: string;
}
