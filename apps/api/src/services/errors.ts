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
