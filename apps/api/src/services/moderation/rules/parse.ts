import { applyOverride, rulesOverrideSchema, rulesSchema, type Rules, type RulesOverride } from '@tagward/trust';
import { ZodRealError, type ZodError, type core } from 'zod';
import { badRequest, ServiceError } from '../../errors.js';

/**
 * Rewrites a zod error so that each issue's path is one dotted segment (`weights.origin_missing`).
 * The API's error formatter flattens zod errors to their first path segment; with the whole path
 * in that one segment, the editor can still put each message beside its own field.
 */
export function rulesValidationError(error: { issues: readonly core.$ZodIssue[] }, prefix: ReadonlyArray<string | number> = []) {
  const issues = error.issues.map((issue) => {
    const path = [...prefix, ...issue.path].map(String).join('.');
    return { ...issue, path: path ? [path] : [] } as core.$ZodIssue;
  });
  // ZodRealError, not ZodError: only the former is an Error, kept as the cause all the way to the client.
  return badRequestWithZod(new ZodRealError(issues), 'The rules are not valid: see the marked fields.');
}

function badRequestWithZod(cause: ZodError, message: string): ServiceError {
  // The tRPC layer passes the cause on, and its error formatter flattens it for the client.
  return new ServiceError('BAD_REQUEST', message, { cause });
}

/** Parses global rules; the document version is written into the rules themselves. */
export function parseGlobalRules(input: unknown, version?: number): Rules {
  const parsed = rulesSchema.safeParse(input);
  if (!parsed.success) throw rulesValidationError(parsed.error);
  return version === undefined ? parsed.data : { ...parsed.data, version };
}

export function parseOverride(input: unknown): RulesOverride {
  const parsed = rulesOverrideSchema.safeParse(input);
  if (!parsed.success) throw rulesValidationError(parsed.error);
  return parsed.data;
}

/** Merges, turning a broken merge (say thresholds above base) into field errors. */
export function mergeOrExplain(global: Rules, override: RulesOverride): Rules {
  try {
    return applyOverride(global, override);
  } catch (error) {
    if (error instanceof Error && 'issues' in error) throw rulesValidationError(error as unknown as ZodError);
    throw error;
  }
}

export function requireNote(note: string): string {
  const trimmed = note.trim();
  if (trimmed.length < 3) throw badRequest('Say what changed and why (at least 3 characters).');
  return trimmed;
}
