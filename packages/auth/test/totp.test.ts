import { describe, expect, test } from 'vitest';
import { generateHOTP } from '@oslojs/otp';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { generateRecoveryCodes, generateTotpKey, hashRecoveryCode, totpCode, totpKeyText, totpKeyUri, totpStep, verifyTotp } from '../src/index.js';

// RFC 6238 appendix B: the SHA-1 test key, and the 8-digit codes' last 6 digits.
const RFC_KEY = new TextEncoder().encode('12345678901234567890');

describe('TOTP', () => {
  test.each([
    [59, '287082'],
    [1111111109, '081804'],
    [1234567890, '005924'],
    [2000000000, '279037'],
  ])('the code at %i s is the RFC 6238 vector %s', (seconds, code) => {
    expect(totpCode(RFC_KEY, new Date(seconds * 1000))).toBe(code);
  });

  test('a code from the step before or after now is accepted, two steps away is not', () => {
    const key = generateTotpKey();
    const now = new Date('2030-01-01T00:00:15Z');
    const step = totpStep(now);
    expect(verifyTotp(key, generateHOTP(key, BigInt(step - 1), 6), now)).toBe(step - 1);
    expect(verifyTotp(key, generateHOTP(key, BigInt(step + 1), 6), now)).toBe(step + 1);
    expect(verifyTotp(key, generateHOTP(key, BigInt(step - 2), 6), now)).toBeNull();
  });

  test('a code is accepted once: its step or an earlier one is refused after use', () => {
    const key = generateTotpKey();
    const now = new Date('2030-01-01T00:00:15Z');
    const used = verifyTotp(key, totpCode(key, now), now);
    expect(used).toBe(totpStep(now));
    expect(verifyTotp(key, totpCode(key, now), now, used!)).toBeNull();
  });

  test.each(['', '12345', '1234567', 'abcdef'])('malformed code %j is refused', (code) => {
    expect(verifyTotp(generateTotpKey(), code, new Date())).toBeNull();
  });

  test('the key text and URI carry the same key an app would read', () => {
    const key = generateTotpKey();
    expect(decodeBase32IgnorePadding(totpKeyText(key))).toEqual(key);
    expect(totpKeyUri(key, 'ada@example.com')).toMatch(/^otpauth:\/\/totp\/Tagward:ada%40example\.com\?/);
  });
});

describe('recovery codes', () => {
  test('ten distinct codes; a typed code matches its hash whatever its case, spaces and dashes', () => {
    const { codes, hashes } = generateRecoveryCodes();
    expect(new Set(codes).size).toBe(10);
    expect(hashRecoveryCode(` ${codes[0]!.toUpperCase().replace(/-/g, ' ')} `)).toBe(hashes[0]);
    expect(hashRecoveryCode(codes[1]!)).not.toBe(hashes[0]);
  });
});
