/** Stable codes of {@link KeysError}. */
export type KeysErrorCode =
  'invalid_master_key' | 'invalid_secret_key' | 'signing_key_unreadable' | 'invalid_argument';

/**
 * A programming or configuration error in key handling (bad master key, unreadable sealed key).
 * Token and API failures are not errors: they are outcomes with their own status codes.
 */
export class KeysError extends Error {
  readonly code: KeysErrorCode;
  constructor(code: KeysErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'KeysError';
    this.code = code;
  }
}
