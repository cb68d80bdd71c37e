import { WEBHOOK_SECRET_PATTERN, WEBHOOK_TOLERANCE_S, checkWebhookSignature } from '@tagward/protocol';
import { TagwardError } from './errors.js';

/** A webhook event as Tagward sends it. `id` is the same on every retry: deduplicate on it. */
export interface WebhookEvent<T = Record<string, unknown>> {
  id: string;
  type: 'fraud.spike' | 'integration.silent' | 'key.rotated' | 'rules.published' | 'webhook.test' | (string & {});
  /** ISO 8601: when the event happened (not when this attempt was sent). */
  createdAt: string;
  siteId: string;
  data: T;
}

export interface VerifyWebhookOptions {
  /** Oldest signature accepted, in seconds (default 300: five minutes). */
  toleranceS?: number;
  /** Clock override, ms since the epoch (tests). */
  now?: number;
}

const MESSAGES = {
  webhook_header_invalid: 'the Tagward-Signature header is missing or malformed',
  webhook_signature_invalid: 'no signature in Tagward-Signature matches this body and secret',
  webhook_timestamp_expired: 'the signature is older than the tolerance (a replay, or a skewed clock)',
} as const;

/**
 * Checks a webhook request and returns its event. Pass the RAW body exactly as received (a
 * parsed and re-serialised JSON object does not verify), the `Tagward-Signature` header and the
 * endpoint's signing secret (`whsec_…`). Throws {@link TagwardError}: `webhook_header_invalid`,
 * `webhook_signature_invalid`, `webhook_timestamp_expired` (signed more than five minutes ago)
 * or `webhook_body_invalid`; answer those with a 400 and Tagward retries.
 *
 * Delivery is at-least-once: the same event can arrive twice (a retry after a timeout). Keep the
 * ids you processed and skip one you have seen.
 *
 * @example
 * import express from 'express';
 * import { verifyWebhook } from '@tagward/sdk-node';
 *
 * app.post('/tagward/webhooks', express.raw({ type: 'application/json' }), (req, res) => {
 *   let event;
 *   try {
 *     event = verifyWebhook(req.body, req.get('tagward-signature'), process.env.TAGWARD_WEBHOOK_SECRET!);
 *   } catch {
 *     return res.status(400).end();
 *   }
 *   if (!alreadyProcessed(event.id)) handle(event);
 *   res.status(204).end();
 * });
 */
export function verifyWebhook<T = Record<string, unknown>>(
  body: string | Uint8Array,
  header: string | null | undefined,
  secret: string,
  options: VerifyWebhookOptions = {},
): WebhookEvent<T> {
  if (typeof secret !== 'string' || !WEBHOOK_SECRET_PATTERN.test(secret)) {
    throw new TagwardError('invalid_argument', 'secret is not a Tagward webhook signing secret (whsec_…)');
  }
  if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
    throw new TagwardError('invalid_argument', 'pass the raw body as a string or a Buffer, not a parsed object');
  }
  const nowS = Math.floor((options.now ?? Date.now()) / 1000);
  const check = checkWebhookSignature(body, header ?? undefined, secret, nowS, options.toleranceS ?? WEBHOOK_TOLERANCE_S);
  if (!check.ok) throw new TagwardError(check.code, MESSAGES[check.code]);
  let event: unknown;
  try {
    event = JSON.parse(typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));
  } catch (cause) {
    throw new TagwardError('webhook_body_invalid', 'the signed body is not JSON', { cause });
  }
  const e = event as Partial<WebhookEvent<T>> | null;
  if (!e || typeof e.id !== 'string' || typeof e.type !== 'string' || typeof e.createdAt !== 'string' || typeof e.siteId !== 'string') {
    throw new TagwardError('webhook_body_invalid', 'the signed body is not a Tagward webhook event');
  }
  return { id: e.id, type: e.type, createdAt: e.createdAt, siteId: e.siteId, data: (e.data ?? {}) as T };
}
