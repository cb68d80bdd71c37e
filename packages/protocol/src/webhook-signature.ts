/**
 * Webhook signatures: `Tagward-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "t.body")>`.
 * The API signs every delivery attempt with a fresh timestamp; receivers (the SDK's
 * `verifyWebhook`) accept a request only when one `v1` matches and `t` is within five minutes.
 * During a secret roll the header carries one `v1` per secret still in use.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const WEBHOOK_SIGNATURE_HEADER = 'Tagward-Signature';
export const WEBHOOK_EVENT_ID_HEADER = 'Tagward-Event-Id';
/** Requests signed longer ago than this (or this far in the future) are refused. */
export const WEBHOOK_TOLERANCE_S = 300;
/** `whsec_` + 32 random bytes, base64url. */
export const WEBHOOK_SECRET_PATTERN = /^whsec_[A-Za-z0-9_-]{43}$/;

/** What a receiver concludes about a signed request. */
export type WebhookSignatureCheck =
  | { ok: true; timestamp: number }
  | { ok: false; code: 'webhook_header_invalid' | 'webhook_signature_invalid' | 'webhook_timestamp_expired' };

function hmacHex(secret: string, timestamp: number, body: string | Uint8Array): string {
  const mac = createHmac('sha256', secret);
  mac.update(`${timestamp}.`);
  mac.update(body);
  return mac.digest('hex');
}

/**
 * The signature header for one attempt, one `v1` per secret.
 *
 * @example
 * const header = signWebhook(JSON.stringify(event), [secret], Math.floor(Date.now() / 1000));
 * // 't=1767225600,v1=5f2b…'
 */
export function signWebhook(body: string | Uint8Array, secrets: readonly string[], timestamp: number): string {
  if (!Number.isSafeInteger(timestamp) || timestamp < 0) throw new TypeError('timestamp must be unix seconds');
  if (secrets.length === 0) throw new TypeError('at least one secret is needed');
  return [`t=${timestamp}`, ...secrets.map((secret) => `v1=${hmacHex(secret, timestamp, body)}`)].join(',');
}

/**
 * `t` and every `v1` of a header, or undefined when it does not have that shape.
 *
 * @example
 * parseWebhookSignature('t=1767225600,v1=5f2b…'); // { timestamp: 1767225600, signatures: ['5f2b…'] }
 */
export function parseWebhookSignature(header: string): { timestamp: number; signatures: string[] } | undefined {
  let timestamp: number | undefined;
  const signatures: string[] = [];
  for (const part of header.split(',')) {
    const eq = part.indexOf('=');
    if (eq < 1) return undefined;
    const name = part.slice(0, eq).trim();
    const value = part.slice(eq + 1).trim();
    if (name === 't') {
      if (!/^\d{1,12}$/.test(value) || timestamp !== undefined) return undefined;
      timestamp = Number(value);
    } else if (name === 'v1') {
      if (!/^[0-9a-f]{64}$/.test(value)) return undefined;
      signatures.push(value);
    }
    // Other schemes (a future v2) are ignored, so receivers keep working when one is added.
  }
  if (timestamp === undefined || signatures.length === 0) return undefined;
  return { timestamp, signatures };
}

/**
 * Checks a received request: the header's shape, a constant-time comparison of each `v1` with
 * the expected HMAC, then the timestamp against `nowS` (unix seconds) within `toleranceS`.
 *
 * @example
 * const check = checkWebhookSignature(rawBody, req.headers['tagward-signature'], secret, Date.now() / 1000);
 * if (!check.ok) return res.status(400).end(check.code);
 */
export function checkWebhookSignature(
  body: string | Uint8Array,
  header: string | undefined,
  secret: string,
  nowS: number,
  toleranceS = WEBHOOK_TOLERANCE_S,
): WebhookSignatureCheck {
  const parsed = header ? parseWebhookSignature(header) : undefined;
  if (!parsed) return { ok: false, code: 'webhook_header_invalid' };
  const expected = Buffer.from(hmacHex(secret, parsed.timestamp, body), 'hex');
  const matches = parsed.signatures.some((sig) => timingSafeEqual(Buffer.from(sig, 'hex'), expected));
  if (!matches) return { ok: false, code: 'webhook_signature_invalid' };
  // After the signature: an unsigned request learns nothing about the receiver's clock.
  if (Math.abs(nowS - parsed.timestamp) > toleranceS) return { ok: false, code: 'webhook_timestamp_expired' };
  return { ok: true, timestamp: parsed.timestamp };
}
