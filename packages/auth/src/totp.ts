import { createTOTPKeyURI, generateHOTP } from '@oslojs/otp';
import { constantTimeEqual } from '@oslojs/crypto/subtle';
import { encodeBase32UpperCaseNoPadding } from '@oslojs/encoding';
import { generateSecureRandomString } from './session.js';
import { sha256Hex } from './tokens.js';

/**
 * TOTP (RFC 6238) as every authenticator app speaks it: SHA-1, 30-second steps, 6 digits, a
 * 20-byte key. Codes are checked with `@oslojs/otp`'s HOTP at explicit counters rather than its
 * clock-reading TOTP helpers, so the caller's clock is used and the matching step is known: a
 * code is accepted once, and a step at or before the last one used is refused (no replay).
 */
export const TOTP_PERIOD_SECONDS = 30;
export const TOTP_DIGITS = 6;
/** One step either side of now: a phone clock a little off still works. */
const DRIFT_STEPS = 1;

export function generateTotpKey(): Uint8Array {
  const key = new Uint8Array(20);
  crypto.getRandomValues(key);
  return key;
}

/** The key as people type it into an app (base32, no padding). */
export function totpKeyText(key: Uint8Array): string {
  return encodeBase32UpperCaseNoPadding(key);
}

/** The `otpauth://` URI that authenticator apps read from a QR code. */
export function totpKeyUri(key: Uint8Array, accountName: string, issuer = 'Tagward'): string {
  return createTOTPKeyURI(issuer, accountName, key, TOTP_PERIOD_SECONDS, TOTP_DIGITS);
}

export function totpStep(now: Date): number {
  return Math.floor(now.getTime() / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of a step (for tests and for the demo's printed admin code). */
export function totpCode(key: Uint8Array, now: Date): string {
  return generateHOTP(key, BigInt(totpStep(now)), TOTP_DIGITS);
}

/**
 * The step whose code `code` is, if it is within the drift window and after `lastStep`; else null.
 */
export function verifyTotp(key: Uint8Array, code: string, now: Date, lastStep = 0): number | null {
  const digits = code.replace(/\s+/g, '');
  if (!/^\d{6}$/.test(digits)) return null;
  const current = totpStep(now);
  const given = new TextEncoder().encode(digits);
  for (let step = current - DRIFT_STEPS; step <= current + DRIFT_STEPS; step++) {
    if (step <= lastStep) continue;
    const expected = new TextEncoder().encode(generateHOTP(key, BigInt(step), TOTP_DIGITS));
    if (constantTimeEqual(expected, given)) return step;
  }
  return null;
}

export const RECOVERY_CODE_COUNT = 10;

/**
 * Recovery codes: 10 random codes of 16 characters (80 bits each), shown once. Only their SHA-256
 * is stored: they are random enough that a slow hash adds nothing.
 */
export function generateRecoveryCodes(): { codes: string[]; hashes: string[] } {
  const codes = Array.from({ length: RECOVERY_CODE_COUNT }, () => {
    const raw = generateSecureRandomString().slice(0, 16);
    return `${raw.slice(0, 4)}-${raw.slice(4, 8)}-${raw.slice(8, 12)}-${raw.slice(12, 16)}`;
  });
  return { codes, hashes: codes.map(hashRecoveryCode) };
}

/** Normalised (case, spaces and dashes ignored) before hashing, as people type them. */
export function hashRecoveryCode(code: string): string {
  return sha256Hex(code.toLowerCase().replace(/[\s-]+/g, ''));
}
