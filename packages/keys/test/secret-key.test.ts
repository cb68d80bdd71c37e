import { createHash, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { PUBLISHABLE_KEY_PATTERN } from '@tagward/protocol';
import {
  KeysError,
  SECRET_KEY_PATTERN,
  deriveSigningKey,
  generateMasterKey,
  generatePublishableKey,
  generateSecretKey,
  hashSecretKey,
  openSigningKey,
  parseMasterKey,
  parseSecretKey,
  sealSigningKey,
  secretKeyMatchesHash,
  storedSecretKey,
} from '../src/index.js';
import { newMasterKey } from './fixtures.js';

const masterKey = newMasterKey();

describe('secret keys', () => {
  test.each(['live', 'test'] as const)(
    'a generated %s key has the sk_<mode>_<kid>_<secret> shape',
    (mode) => {
      const key = generateSecretKey({ mode, masterKey });
      expect(key.secretKey).toMatch(SECRET_KEY_PATTERN);
      expect(key.secretKey.startsWith(`sk_${mode}_${key.kid}_`)).toBe(true);
      expect(parseSecretKey(key.secretKey)).toEqual({
        secretKey: key.secretKey,
        mode,
        kid: key.kid,
      });
      expect(key.hint).toBe(key.secretKey.slice(-4));
      expect(key.secretHash).toBe(createHash('sha256').update(key.secretKey).digest('hex'));
    },
  );

  test('two generated keys share nothing', () => {
    const a = generateSecretKey({ mode: 'live', masterKey });
    const b = generateSecretKey({ mode: 'live', masterKey });
    expect(new Set([a.kid, b.kid]).size).toBe(2);
    expect(a.secretHash).not.toBe(b.secretHash);
    expect(deriveSigningKey(a.secretKey).equals(deriveSigningKey(b.secretKey))).toBe(false);
  });

  test('nothing the database stores contains the secret or the signing key', () => {
    const key = generateSecretKey({ mode: 'live', masterKey });
    const secret = key.secretKey.split('_').slice(3).join('_');
    const signingKey = deriveSigningKey(key.secretKey);
    const document = storedSecretKey(key);
    expect(Object.keys(document).sort()).toEqual(['hint', 'kid', 'secretHash', 'signingKeyEnc']);
    for (const stored of Object.values(document)) {
      expect(stored.includes(secret)).toBe(false);
      for (const encoding of ['hex', 'base64', 'base64url'] as const) {
        expect(stored.includes(signingKey.toString(encoding))).toBe(false);
      }
    }
  });

  test.each([
    ['a publishable key', 'pk_live_abcdefghijklmnop'],
    ['a short secret', `sk_live_a1B2c3D4e5F6g7H8_${'x'.repeat(42)}`],
    ['an unknown mode', `sk_prod_a1B2c3D4e5F6g7H8_${'x'.repeat(43)}`],
    ['a kid with an underscore', `sk_live_a1B2c3D4e5F6g7_8_${'x'.repeat(43)}`],
    ['a non-canonical secret', `sk_live_a1B2c3D4e5F6g7H8_${'x'.repeat(42)}y`],
    ['surrounding spaces', ` sk_live_a1B2c3D4e5F6g7H8_${'x'.repeat(42)}w`],
    ['a number', 42],
  ])('parsing %s gives undefined', (_name, input) => {
    expect(parseSecretKey(input)).toBeUndefined();
  });

  test('the signing key is HKDF-SHA256 of the secret key with the page-token label, 32 bytes', () => {
    const key = generateSecretKey({ mode: 'test', masterKey });
    const derived = deriveSigningKey(key.secretKey);
    expect(derived).toHaveLength(32);
    expect(derived.equals(deriveSigningKey(key.secretKey))).toBe(true);
    expect(() => deriveSigningKey('sk_nope')).toThrow(KeysError);
  });

  test('a key matches its own hash and no other, including a hash of a different length', () => {
    const key = generateSecretKey({ mode: 'live', masterKey });
    const other = generateSecretKey({ mode: 'live', masterKey });
    expect(secretKeyMatchesHash(key.secretKey, key.secretHash)).toBe(true);
    expect(secretKeyMatchesHash(other.secretKey, key.secretHash)).toBe(false);
    expect(secretKeyMatchesHash(key.secretKey, key.secretHash.slice(2))).toBe(false);
    expect(hashSecretKey(key.secretKey)).toBe(key.secretHash);
  });

  test('publishable keys match the protocol pattern and carry their mode', () => {
    expect(generatePublishableKey('live')).toMatch(/^pk_live_/);
    expect(generatePublishableKey('test')).toMatch(/^pk_test_/);
    expect(generatePublishableKey('live')).toMatch(PUBLISHABLE_KEY_PATTERN);
    expect(() => generatePublishableKey('prod' as 'live')).toThrow(KeysError);
  });

  test('random key ids use the whole base62 alphabet roughly evenly', () => {
    const counts = new Map<string, number>();
    for (let i = 0; i < 2000; i++) {
      for (const c of generatePublishableKey('live').slice(8))
        counts.set(c, (counts.get(c) ?? 0) + 1);
    }
    expect(counts.size).toBe(62);
    const values = [...counts.values()];
    // 48000 draws over 62 symbols: ~774 each. Modulo bias would push the first 8 to ~1.2x.
    expect(Math.max(...values) / Math.min(...values)).toBeLessThan(1.35);
  });
});

describe('master key and sealing', () => {
  test.each([
    ['standard base64', randomBytes(32).toString('base64')],
    ['base64url', randomBytes(32).toString('base64url')],
    ['a generated key', generateMasterKey()],
  ])('a master key in %s parses to 32 bytes', (_name, text) => {
    expect(parseMasterKey(text)).toHaveLength(32);
  });

  test.each([
    ['an empty string', ''],
    ['16 bytes', randomBytes(16).toString('base64')],
    ['48 bytes', randomBytes(48).toString('base64')],
    ['hex', randomBytes(32).toString('hex')],
  ])('a master key in %s is refused', (_name, text) => {
    expect(() => parseMasterKey(text)).toThrow(
      expect.objectContaining({ code: 'invalid_master_key' }),
    );
  });

  test('a sealed signing key opens with the same master key and kid, to the same bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (signingKey) => {
        const sealed = sealSigningKey(signingKey, { kid: 'a1B2c3D4e5F6g7H8', masterKey });
        expect(
          new Uint8Array(openSigningKey(sealed, { kid: 'a1B2c3D4e5F6g7H8', masterKey })),
        ).toEqual(signingKey);
      }),
      { numRuns: 50 },
    );
  });

  test('sealing the same key twice gives different ciphertexts (fresh IV)', () => {
    const signingKey = randomBytes(32);
    const a = sealSigningKey(signingKey, { kid: 'a1B2c3D4e5F6g7H8', masterKey });
    const b = sealSigningKey(signingKey, { kid: 'a1B2c3D4e5F6g7H8', masterKey });
    expect(a).not.toBe(b);
  });

  const key = generateSecretKey({ mode: 'live', masterKey });
  const flip = (text: string, index: number) =>
    text.slice(0, index) + (text[index] === 'A' ? 'B' : 'A') + text.slice(index + 1);
  test.each([
    ['another master key', key.signingKeyEnc, key.kid, newMasterKey()],
    [
      'another kid (a sealed key copied to another record)',
      key.signingKeyEnc,
      'Zz9Zz9Zz9Zz9Zz9Z',
      masterKey,
    ],
    ['a changed IV', flip(key.signingKeyEnc, 5), key.kid, masterKey],
    ['a changed ciphertext', flip(key.signingKeyEnc, 25), key.kid, masterKey],
    ['a changed tag', flip(key.signingKeyEnc, key.signingKeyEnc.length - 3), key.kid, masterKey],
    ['a truncated value', key.signingKeyEnc.slice(0, -4), key.kid, masterKey],
    ['an unknown version', key.signingKeyEnc.replace(/^v1/, 'v9'), key.kid, masterKey],
    ['the secret hash', key.secretHash, key.kid, masterKey],
  ])('opening with %s fails with signing_key_unreadable', (_name, sealed, kid, mk) => {
    expect(() => openSigningKey(sealed, { kid, masterKey: mk })).toThrow(
      expect.objectContaining({ code: 'signing_key_unreadable' }),
    );
  });

  test('a master key of the wrong size is refused when sealing and opening', () => {
    expect(() =>
      sealSigningKey(randomBytes(32), { kid: key.kid, masterKey: randomBytes(31) }),
    ).toThrow(expect.objectContaining({ code: 'invalid_master_key' }));
    expect(() =>
      openSigningKey(key.signingKeyEnc, { kid: key.kid, masterKey: new Uint8Array(0) }),
    ).toThrow(expect.objectContaining({ code: 'invalid_master_key' }));
  });
});
