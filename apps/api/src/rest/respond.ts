import type { Response } from 'express';
import { ServiceError } from '../services/errors.js';
import type { ZodError } from 'zod';
import { REST_ERROR_CODES, type RestErrorCode } from './schemas.js';

/** An error with a stable code, thrown by handlers and written by `sendRestError`. */
export class RestError extends Error {
  constructor(
    readonly code: RestErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
    readonly issues?: Array<{ path: string; message: string }>,
  ) {
    super(message);
    this.name = 'RestError';
  }
}

export function invalidRequest(error: ZodError): RestError {
  const issues = error.issues.map((issue) => ({ path: issue.path.join('.') || '(query)', message: issue.message }));
  const first = issues[0];
  return new RestError('invalid_request', first ? `${first.path}: ${first.message}` : 'Invalid request.', {}, issues);
}

/** Services throw domain errors written for people; the REST API maps them to its codes. */
function fromService(error: ServiceError): RestError {
  if (error.code === 'BAD_REQUEST') return new RestError('invalid_request', error.message);
  if (error.code === 'NOT_FOUND') return new RestError('not_found', error.message);
  return new RestError('internal_error', 'Something went wrong on our side.');
}

export function toRestError(error: unknown): RestError {
  if (error instanceof RestError) return error;
  if (error instanceof ServiceError) return fromService(error);
  return new RestError('internal_error', 'Something went wrong on our side.');
}

export function sendRestError(res: Response, error: RestError): void {
  if (res.headersSent) {
    // A stream already under way cannot change its status: cutting it is the only honest signal.
    res.destroy();
    return;
  }
  for (const [name, value] of Object.entries(error.headers)) res.setHeader(name, value);
  res.status(REST_ERROR_CODES[error.code]).json({
    error: { code: error.code, message: error.message, ...(error.issues ? { issues: error.issues } : {}) },
  });
}
