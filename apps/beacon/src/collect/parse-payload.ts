import { collectPayloadSchema, type CollectPayload } from '@tagward/protocol';
import { BeaconError } from '../errors.js';

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** NUL can't be stored safely everywhere (C-string drivers and tools, logs, CSV exports). */
function hasNul(value: unknown): boolean {
  if (typeof value === 'string') return value.includes('\u0000');
  if (Array.isArray(value)) return value.some(hasNul);
  if (value && typeof value === 'object') return Object.values(value).some(hasNul);
  return false;
}

/**
 * Bytes -> validated payload. Invalid UTF-8 and bad JSON are `malformed_body`; well-formed JSON of
 * the wrong shape is `invalid_payload` with the first offending path. The schema is strict, so
 * `__proto__`/`constructor` keys are unknown keys and rejected (JSON.parse makes them plain own
 * properties; nothing is ever merged into a prototype).
 */
export function parsePayload(body: Buffer): CollectPayload {
  let text: string;
  try {
    text = utf8.decode(body);
  } catch {
    throw new BeaconError('malformed_body', 'body is not valid UTF-8');
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BeaconError('malformed_body', 'body is not valid JSON');
  }
  const parsed = collectPayloadSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.length ? issue.path.join('.') : 'body';
    throw new BeaconError('invalid_payload', `${where}: ${issue?.message ?? 'invalid'}`);
  }
  if (hasNul(parsed.data)) throw new BeaconError('invalid_payload', 'strings must not contain NUL');
  return parsed.data;
}
