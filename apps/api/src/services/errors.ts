import { TRPCError } from '@trpc/server';

/** Services throw tRPC errors directly: their messages are written for the person at the form. */
export function notFound(message = 'Not found.'): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message });
}

export function badRequest(message: string): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message });
}

export function conflict(message: string): TRPCError {
  return new TRPCError({ code: 'CONFLICT', message });
}

export function forbidden(message: string): TRPCError {
  return new TRPCError({ code: 'FORBIDDEN', message });
}

export function isDuplicateKeyError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === 11000;
}

/**
 * A stable, machine-readable reason beside tRPC's coarse code, for the cases a client acts on
 * (open the re-authentication dialog, show "verify your email first"). The error formatter puts
 * it in `error.data.appCode`.
 */
export type AppCode = 'reauth_required' | 'email_unverified' | 'two_factor_required' | 'throttled' | 'signup_throttled';

export class AppCodeCause extends Error {
  constructor(readonly appCode: AppCode) {
    super(appCode);
  }
}

export function appError(code: 'FORBIDDEN' | 'TOO_MANY_REQUESTS' | 'UNAUTHORIZED' | 'BAD_REQUEST', appCode: AppCode, message: string): TRPCError {
  return new TRPCError({ code, message, cause: new AppCodeCause(appCode) });
}

export function tooManyAttempts(retryAfterSeconds: number): TRPCError {
  const wait = retryAfterSeconds < 90 ? `${retryAfterSeconds} second${retryAfterSeconds === 1 ? '' : 's'}` : `${Math.ceil(retryAfterSeconds / 60)} minutes`;
  return appError('TOO_MANY_REQUESTS', 'throttled', `Too many failed attempts from your address. Try again in ${wait}.`);
}
