import { createHmac, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { checkWebhookSignature, parseWebhookSignature, signWebhook } from './webhook-signature.js';
import { parseRestrictedKey } from './api-keys.js';

const SECRET = `whsec_${randomBytes(32).toString('base64url')}`;
const BODY = JSON.stringify({ id: 'evt_1', type: 'webhook.test', data: { hello: 'wörld' } });
const T = 1_767_225_600;

describe('webhook signatures', () => {
  test('the header is t and the hex HMAC-SHA256 of "t.body" under the secret', () => {
    const expected = createHmac('sha256', SECRET).update(`${T}.${BODY}`).digest('hex');
    expect(signWebhook(BODY, [SECRET], T)).toBe(`t=${T},v1=${expected}`);
  });

  test('a fresh signature verifies, for string and byte bodies alike', () => {
    const header = signWebhook(BODY, [SECRET], T);
    expect(checkWebhookSignature(BODY, header, SECRET, T + 10)).toEqual({ ok: true, timestamp: T });
    expect(checkWebhookSignature(Buffer.from(BODY), header, SECRET, T + 10)).toEqual({ ok: true, timestamp: T });
  });

  test.each([
    ['signed 5 minutes ago', 300, true],
    ['signed 5 minutes and 1 second ago', 301, false],
    ['signed 6 minutes in the future', -360, false],
  ])('a request %s is %s', (_name, age, ok) => {
    const header = signWebhook(BODY, [SECRET], T);
    const check = checkWebhookSignature(BODY, header, SECRET, T + age);
    expect(check.ok).toBe(ok);
    if (!check.ok) expect(check.code).toBe('webhook_timestamp_expired');
  });

  test.each([
    ['another secret', BODY, `whsec_${randomBytes(32).toString('base64url')}`],
    ['a changed body', BODY.replace('wörld', 'world'), SECRET],
  ])('refuses a signature made with %s', (_name, body, secret) => {
    const header = signWebhook(BODY, [secret], T);
    expect(checkWebhookSignature(body, header, SECRET, T)).toEqual({ ok: false, code: 'webhook_signature_invalid' });
  });

  test('during a roll the header carries both secrets and either verifies', () => {
    const next = `whsec_${randomBytes(32).toString('base64url')}`;
    const header = signWebhook(BODY, [next, SECRET], T);
    expect(checkWebhookSignature(BODY, header, SECRET, T).ok).toBe(true);
    expect(checkWebhookSignature(BODY, header, next, T).ok).toBe(true);
  });

  test.each([undefined, '', 'v1=abc', `t=${T}`, `t=x,v1=${'a'.repeat(64)}`, `t=${T},t=${T},v1=${'a'.repeat(64)}`, `t=${T},v1=${'g'.repeat(64)}`])(
    'refuses the malformed header %j',
    (header) => {
      expect(checkWebhookSignature(BODY, header, SECRET, T)).toEqual({ ok: false, code: 'webhook_header_invalid' });
    },
  );

  test('unknown schemes are ignored beside a v1', () => {
    const header = `${signWebhook(BODY, [SECRET], T)},v2=future`;
    expect(parseWebhookSignature(header)?.signatures).toHaveLength(1);
    expect(checkWebhookSignature(BODY, header, SECRET, T).ok).toBe(true);
  });

  test('any body signed verifies, and flipping any one byte of it does not', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 200 }), fc.nat(), (bytes, at) => {
        const body = Buffer.from(bytes);
        const header = signWebhook(body, [SECRET], T);
        if (!checkWebhookSignature(body, header, SECRET, T).ok) return false;
        const flipped = Buffer.from(body);
        const i = at % flipped.length;
        flipped[i] = flipped[i]! ^ 0x01;
        return !checkWebhookSignature(flipped, header, SECRET, T).ok;
      }),
      { numRuns: 200 },
    );
  });
});

describe('restricted keys', () => {
  test('parses a canonical key and nothing else', () => {
    const secret = randomBytes(32).toString('base64url');
    const key = `rk_live_a1B2c3D4e5F6g7H8_${secret}`;
    expect(parseRestrictedKey(key)).toEqual({ restrictedKey: key, mode: 'live', kid: 'a1B2c3D4e5F6g7H8' });
    expect(parseRestrictedKey(key.replace('rk_', 'sk_'))).toBeUndefined();
    expect(parseRestrictedKey(`${key}x`)).toBeUndefined();
    expect(parseRestrictedKey(42)).toBeUndefined();
  });
});
