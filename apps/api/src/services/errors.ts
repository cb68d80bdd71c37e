/**
 * What services throw: a domain error with a code, a message written for the person at the form,
 * and (for the cases a client acts on) a stable `appCode`. Services know nothing of tRPC; the
 * tRPC layer maps these to `TRPCError` (`src/trpc.ts`), the REST API to its own codes
 * (`src/rest/respond.ts`).
 */
export type ServiceErrorCode = 'BAD_REQUEST' | 'UNAUTHORIZED' | 'FORBIDDEN' | 'NOT_FOUND' | 'CONFLICT' | 'TOO_MANY_REQUESTS';

export class ServiceError extends Error {
  readonly appCode: AppCode | null;
  constructor(
    readonly code: ServiceErrorCode,
    message: string,
    options: { appCode?: AppCode; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'ServiceError';
    this.appCode = options.appCode ?? null;
  }
}

export function notFound(message = 'Not found.'): ServiceError {
  return new ServiceError('NOT_FOUND', message);
}

export function badRequest(message: string): ServiceError {
  return new ServiceError('BAD_REQUEST', message);
}

export function conflict(message: string): ServiceError {
  return new ServiceError('CONFLICT', message);
}

export function forbidden(message: string): ServiceError {
  return new ServiceError('FORBIDDEN', message);
}

export function unauthorized(message = 'Please log in.'): ServiceError {
  return new ServiceError('UNAUTHORIZED', message);
}

export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/**
 * A stable, machine-readable reason beside the coarse code, for the cases a client acts on (open
 * the re-authentication dialog, show "verify your email first"). tRPC answers carry it in
 * `error.data.appCode`.
 */
export type AppCode = 'reauth_required' | 'email_unverified' | 'two_factor_required' | 'throttled' | 'signup_throttled';

export function appError(code: 'FORBIDDEN' | 'TOO_MANY_REQUESTS' | 'UNAUTHORIZED' | 'BAD_REQUEST', appCode: AppCode, message: string): ServiceError {
  return new ServiceError(code, message, { appCode });
}

export function tooManyAttempts(retryAfterSeconds: number): ServiceError {
  const wait = retryAfterSeconds < 90 ? `${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
  return appError('TOO_MANY_REQUESTS', 'throttled', `Too many failed attempts from your address. Try again in ${wait}.`);
}
