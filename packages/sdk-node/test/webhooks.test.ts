import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { signWebhook } from '@tagward/protocol';
import { TagwardError, verifyWebhook } from '../src/index.js';

const secret = `whsec_${randomBytes(32).toString('base64url')}`;
const event = { id: 'evt_abc123', type: 'webhook.test', createdAt: '2026-12-01T00:00:00.000Z', siteId: 'a'.repeat(24), data: { note: 'hi' } };
const body = JSON.stringify(event);
const now = Date.UTC(2026, 11, 1, 12);
const t = Math.floor(now / 1000);

function codeOf(fn: () => unknown): string {
  try {
    fn();
    return 'ok';
  } catch (error) {
    if (error instanceof TagwardError) return error.code;
    throw error;
  }
}

describe('verifyWebhook', () => {
  test('returns the event of a correctly signed raw body (string or Buffer)', () => {
    const header = signWebhook(body, [secret], t);
    expect(verifyWebhook(body, header, secret, { now })).toEqual(event);
    expect(verifyWebhook(Buffer.from(body), header, secret, { now })).toEqual(event);
  });

  test.each([
    ['no header', () => verifyWebhook(body, undefined, secret, { now }), 'webhook_header_invalid'],
    ['another secret', () => verifyWebhook(body, signWebhook(body, [`whsec_${randomBytes(32).toString('base64url')}`], t), secret, { now }), 'webhook_signature_invalid'],
    ['a re-serialised body', () => verifyWebhook(JSON.stringify(event, null, 2), signWebhook(body, [secret], t), secret, { now }), 'webhook_signature_invalid'],
    ['a signature six minutes old', () => verifyWebhook(body, signWebhook(body, [secret], t - 360), secret, { now }), 'webhook_timestamp_expired'],
    ['a signed body that is not an event', () => verifyWebhook('[1]', signWebhook('[1]', [secret], t), secret, { now }), 'webhook_body_invalid'],
    ['a secret that is not one', () => verifyWebhook(body, signWebhook(body, [secret], t), 'hunter2', { now }), 'invalid_argument'],
    ['a parsed body', () => verifyWebhook(event as never, signWebhook(body, [secret], t), secret, { now }), 'invalid_argument'],
  ])('refuses %s', (_name, call, code) => {
    expect(codeOf(call)).toBe(code);
  });

  test('the tolerance can be narrowed', () => {
    const header = signWebhook(body, [secret], t - 60);
    expect(codeOf(() => verifyWebhook(body, header, secret, { now }))).toBe('ok');
    expect(codeOf(() => verifyWebhook(body, header, secret, { now, toleranceS: 30 }))).toBe('webhook_timestamp_expired');
  });
});
