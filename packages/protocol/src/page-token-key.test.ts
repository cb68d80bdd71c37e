import { hkdfSync, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  PAGE_TOKEN_KEY_INFO,
  derivePageTokenSigningKey,
  parseSecretKey,
} from './page-token-key.js';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const kidArb = fc.string({ unit: fc.constantFrom(...BASE62), minLength: 16, maxLength: 16 });

describe('secret keys in the wire contract', () => {
  const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
  const secretArb = fc.string({ unit: fc.constantFrom(...alphabet), minLength: 43, maxLength: 43 });

  test('a key parses exactly when its secret is canonical base64url of 32 bytes', () => {
    fc.assert(
      fc.property(fc.constantFrom('live', 'test'), kidArb, secretArb, (mode, kid, secret) => {
        const key = `sk_${mode}_${kid}_${secret}`;
        const canonical = Buffer.from(secret, 'base64url').toString('base64url') === secret;
        expect(parseSecretKey(key)).toEqual(canonical ? { secretKey: key, mode, kid } : undefined);
      }),
      { numRuns: 300 },
    );
  });

  test('the signing key is HKDF-SHA256 over the whole key with the v1 label, and nothing for non-keys', () => {
    const key = `sk_live_a1B2c3D4e5F6g7H8_${randomBytes(32).toString('base64url')}`;
    const expected = Buffer.from(hkdfSync('sha256', key, Buffer.alloc(0), PAGE_TOKEN_KEY_INFO, 32));
    expect(derivePageTokenSigningKey(key)?.equals(expected)).toBe(true);
    expect(derivePageTokenSigningKey(key.replace('sk_live_', 'sk_test_'))?.equals(expected)).toBe(
      false,
    );
    expect(derivePageTokenSigningKey('pk_live_abcdefghijklmnop')).toBeUndefined();
  });
});
