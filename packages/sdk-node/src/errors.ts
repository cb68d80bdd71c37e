/**
 * Stable codes of {@link TagwardError}. The first two are mistakes in the caller's input; the
 * `webhook_*` ones come from `verifyWebhook`; the rest from the verify API (same codes as its
 * `error.code`) or from the network.
 */
export type TagwardErrorCode =
  | 'invalid_secret_key'
  | 'invalid_argument'
  | 'unauthorized'
  | 'key_expired'
  | 'invalid_request'
  | 'not_found'
  | 'rate_limited'
  | 'insufficient_scope'
  | 'webhook_header_invalid'
  | 'webhook_signature_invalid'
  | 'webhook_timestamp_expired'
  | 'webhook_body_invalid'
  | 'server_error'
  | 'bad_response'
  | 'network_error'
  | 'timeout';

/**
 * Every error the SDK throws. Switch on `code`, never on `message`.
 *
 * @example
 * try {
 *   await tagward.getBeacon(id);
 * } catch (error) {
 *   if (error instanceof TagwardError && error.code === 'not_found') return rejectSignup();
 *   throw error;
 * }
 */
export class TagwardError extends Error {
  readonly code: TagwardErrorCode;
  /** HTTP status from the verify API, when there was a response. */
  readonly status: number | undefined;
  /** Seconds to wait before retrying, for `rate_limited`. */
  readonly retryAfterS: number | undefined;

  constructor(
    code: TagwardErrorCode,
    message: string,
    options: { status?: number; retryAfterS?: number; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TagwardError';
    this.code = code;
    this.status = options.status;
    this.retryAfterS = options.retryAfterS;
  }
}
