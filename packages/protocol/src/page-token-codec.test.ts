import { createHmac } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import {
  PAGE_TOKEN_DEFAULT_TTL_MS,
  PAGE_TOKEN_MAX_LENGTH,
  PAGE_TOKEN_MAX_ORIGIN_LENGTH,
  PAGE_TOKEN_MAX_PATH_LENGTH,
  PAGE_TOKEN_MAX_TTL_MS,
  PageTokenError,
  type PageTokenClaims,
} from './page-token.js';
import { decodePageToken, encodePageToken } from './page-token-codec.js';
import { signPageToken, verifyPageTokenSignature } from './page-token-signature.js';

const BASE62 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
const KEY = Buffer.alloc(32, 7);
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

const baseClaims: PageTokenClaims = {
  kid: 'a1B2c3D4e5F6g7H8',
  origin: 'https://shop.example',
  path: '/pricing',
  iat: NOW,
  exp: NOW + PAGE_TOKEN_DEFAULT_TTL_MS,
  nonce: Buffer.alloc(16, 1).toString('base64url'),
};

const kidArb = fc.string({ unit: fc.constantFrom(...BASE62), minLength: 16, maxLength: 16 });
const labelArb = fc.stringMatching(/^[a-z0-9](?:[a-z0-9-]{0,20}[a-z0-9])?$/);
const originArb = fc
  .tuple(
    fc.constantFrom('https', 'http'),
    fc.array(labelArb, { minLength: 1, maxLength: 4 }),
    fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  )
  .map(([scheme, labels, port]) => `${scheme}://${labels.join('.')}${port ? `:${port}` : ''}`)
  .filter((origin) => origin.length <= PAGE_TOKEN_MAX_ORIGIN_LENGTH);
const segmentArb = fc.stringMatching(/^[A-Za-z0-9._~%!$&'()+,;=:@-]{0,12}$/);
const pathArb = fc
  .tuple(fc.array(segmentArb, { maxLength: 6 }), fc.boolean())
  .map(
    ([segments, prefix]) => `/${segments.join('/')}${prefix ? (segments.length ? '/*' : '*') : ''}`,
  )
  .filter((path) => path.length <= PAGE_TOKEN_MAX_PATH_LENGTH);
const claimsArb: fc.Arbitrary<PageTokenClaims> = fc
  .record({
    kid: kidArb,
    origin: originArb,
    path: pathArb,
    iat: fc.integer({ min: 0, max: 2 ** 48 - 1 - PAGE_TOKEN_MAX_TTL_MS }),
    ttl: fc.integer({ min: 1, max: PAGE_TOKEN_MAX_TTL_MS }),
    nonce: fc.uint8Array({ minLength: 16, maxLength: 16 }),
  })
  .map(({ ttl, nonce, ...rest }) => ({
    ...rest,
    exp: rest.iat + ttl,
    nonce: Buffer.from(nonce).toString('base64url'),
  }));

describe('page token codec', () => {
  test('decoding an encoded token gives back the same claims and MAC', () => {
    fc.assert(
      fc.property(claimsArb, fc.uint8Array({ minLength: 32, maxLength: 32 }), (claims, mac) => {
        const decoded = decodePageToken(encodePageToken(claims, mac));
        expect(decoded.ok).toBe(true);
        if (!decoded.ok) return;
        expect(decoded.token.claims).toEqual(claims);
        expect(new Uint8Array(decoded.token.mac)).toEqual(mac);
      }),
    );
  });

  test('every token fits the beacon payload limit and is URL-safe', () => {
    fc.assert(
      fc.property(claimsArb, (claims) => {
        const token = signPageToken(claims, KEY);
        expect(token.length).toBeLessThanOrEqual(PAGE_TOKEN_MAX_LENGTH);
        expect(token).toMatch(/^pt1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{43}$/);
      }),
    );
    const longest: PageTokenClaims = {
      ...baseClaims,
      origin: `https://${'a'.repeat(PAGE_TOKEN_MAX_ORIGIN_LENGTH - 8)}`,
      path: `/${'p'.repeat(PAGE_TOKEN_MAX_PATH_LENGTH - 1)}`,
    };
    expect(signPageToken(longest, KEY).length).toBeLessThanOrEqual(PAGE_TOKEN_MAX_LENGTH);
  });

  test('a short token is short: a typical one is under 160 characters', () => {
    expect(signPageToken(baseClaims, KEY).length).toBeLessThan(160);
  });

  test('any single-character change to a signed token is rejected', () => {
    fc.assert(
      fc.property(
        claimsArb,
        fc.nat(),
        fc.integer({ min: 0, max: 0xff }),
        (claims, position, charCode) => {
          const token = signPageToken(claims, KEY);
          const index = position % token.length;
          fc.pre(token.charCodeAt(index) !== charCode);
          const mutated =
            token.slice(0, index) + String.fromCharCode(charCode) + token.slice(index + 1);
          const decoded = decodePageToken(mutated);
          expect(decoded.ok && verifyPageTokenSignature(decoded.token, KEY)).toBe(false);
        },
      ),
      { numRuns: 1000 },
    );
  }, 60_000);

  test('changing the last character of the MAC is rejected even when it decodes to the same bytes', () => {
    const token = signPageToken(baseClaims, KEY);
    // base64url's last character of a 32-byte value carries 2 unused bits: lenient decoders map
    // up to four characters to the same bytes.
    const last = token.at(-1) ?? '';
    const siblings = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'].filter(
      (c) =>
        c !== last &&
        Buffer.from(`${token.slice(-43, -1)}${c}`, 'base64url').equals(
          Buffer.from(token.slice(-43), 'base64url'),
        ),
    );
    expect(siblings).toHaveLength(3);
    for (const sibling of siblings) {
      expect(decodePageToken(`${token.slice(0, -1)}${sibling}`)).toEqual({
        ok: false,
        code: 'bad_base64',
      });
    }
  });

  test('a MAC spelling is accepted exactly when it is the canonical base64url of its bytes', () => {
    const [prefix, payload] = signPageToken(baseClaims, KEY).split('.');
    const alphabet = [...'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'];
    fc.assert(
      fc.property(
        fc.string({ unit: fc.constantFrom(...alphabet), minLength: 43, maxLength: 43 }),
        (mac) => {
          const canonical = Buffer.from(mac, 'base64url').toString('base64url') === mac;
          expect(decodePageToken(`${prefix}.${payload}.${mac}`).ok).toBe(canonical);
        },
      ),
      { numRuns: 500 },
    );
  });

  test('a token verifies with its key and not with another key', () => {
    fc.assert(
      fc.property(
        claimsArb,
        fc.uint8Array({ minLength: 32, maxLength: 32 }),
        (claims, otherKey) => {
          fc.pre(!Buffer.from(otherKey).equals(KEY));
          const decoded = decodePageToken(signPageToken(claims, KEY));
          if (!decoded.ok) throw new Error(decoded.code);
          expect(verifyPageTokenSignature(decoded.token, KEY)).toBe(true);
          expect(verifyPageTokenSignature(decoded.token, otherKey)).toBe(false);
        },
      ),
    );
  });

  test('the MAC covers the version prefix: a pt1 MAC computed without the prefix does not verify', () => {
    const token = signPageToken(baseClaims, KEY);
    const payload = token.split('.')[1] ?? '';
    const macWithoutPrefix = createHmac('sha256', KEY).update(payload).digest();
    const forged = encodePageToken(baseClaims, macWithoutPrefix);
    const decoded = decodePageToken(forged);
    expect(decoded.ok && verifyPageTokenSignature(decoded.token, KEY)).toBe(false);
  });

  const validPayload = (signPageToken(baseClaims, KEY).split('.')[1] ?? '') as string;
  const validMac = (signPageToken(baseClaims, KEY).split('.')[2] ?? '') as string;
  const payloadWith = (mutate: (bytes: Buffer) => Buffer) =>
    `pt1.${mutate(Buffer.from(validPayload, 'base64url')).toString('base64url')}.${validMac}`;

  test.each([
    ['a number', 42, 'not_a_string'],
    ['undefined', undefined, 'not_a_string'],
    ['an over-long string', `pt1.${'A'.repeat(2000)}.${validMac}`, 'too_long'],
    ['a future version', `pt2.${validPayload}.${validMac}`, 'unsupported_version'],
    [
      'a JWT',
      'eyJhbGciOiJIUzI1NiJ9.e30.ZRrHA1JJJW8opsbCGfG_HACGpVUMN_a9IV7pAx_Zmeo',
      'bad_structure',
    ],
    ['an empty string', '', 'bad_structure'],
    ['a missing MAC', `pt1.${validPayload}`, 'bad_structure'],
    ['an extra segment', `pt1.${validPayload}.${validMac}.x`, 'bad_structure'],
    ['a short MAC', `pt1.${validPayload}.${validMac.slice(1)}`, 'bad_length'],
    ['padding', `pt1.${validPayload}=.${validMac}`, 'bad_base64'],
    ['a standard-base64 character', `pt1.+${validPayload.slice(1)}.${validMac}`, 'bad_base64'],
    ['an empty payload', `pt1..${validMac}`, 'bad_base64'],
    ['a truncated payload', payloadWith((b) => b.subarray(0, 30)), 'bad_length'],
    ['a trailing byte', payloadWith((b) => Buffer.concat([b, Buffer.from([0])])), 'bad_length'],
    [
      'a path length past the end',
      payloadWith((b) => (b.writeUInt16BE(999, 44 + 1 + 20), b)),
      'bad_length',
    ],
    ['a kid with a dash', payloadWith((b) => (b.write('-', 0, 'latin1'), b)), 'bad_kid'],
    ['exp before iat', payloadWith((b) => (b.writeUIntBE(NOW - 1, 22, 6), b)), 'bad_times'],
    [
      'a one-hour lifetime',
      payloadWith((b) => (b.writeUIntBE(NOW + 3_600_000, 22, 6), b)),
      'ttl_too_long',
    ],
    ['an uppercase origin', payloadWith((b) => (b.write('HTTPS', 45, 'latin1'), b)), 'bad_origin'],
    ['a non-ASCII origin byte', payloadWith((b) => (b.writeUInt8(0xe9, 55), b)), 'bad_origin'],
    [
      'a path with a query',
      payloadWith((b) => (b.write('?', 44 + 1 + 20 + 2 + 3, 'latin1'), b)),
      'bad_path',
    ],
    [
      'a relative path',
      payloadWith((b) => (b.write('x', 44 + 1 + 20 + 2, 'latin1'), b)),
      'bad_path',
    ],
  ])('decoding %s fails with %s', (_name, input, code) => {
    expect(decodePageToken(input)).toEqual({ ok: false, code });
  });

  test.each([
    ['a bad kid', { kid: 'short' }, 'bad_kid'],
    ['a fractional iat', { iat: NOW + 0.5 }, 'bad_times'],
    ['exp equal to iat', { exp: NOW }, 'bad_times'],
    ['a lifetime over 15 minutes', { exp: NOW + PAGE_TOKEN_MAX_TTL_MS + 1 }, 'ttl_too_long'],
    ['an origin with a path', { origin: 'https://shop.example/' }, 'bad_origin'],
    ['a mixed-case origin', { origin: 'https://Shop.example' }, 'bad_origin'],
    ['a path without a leading slash', { path: 'pricing' }, 'bad_path'],
    ['a star inside a segment', { path: '/blog*' }, 'bad_path'],
    ['a 15-byte nonce', { nonce: Buffer.alloc(15).toString('base64url') }, 'bad_nonce'],
  ] as const)('encoding claims with %s throws %s', (_name, patch, code) => {
    const claims = { ...baseClaims, ...patch } as PageTokenClaims;
    expect(() => signPageToken(claims, KEY)).toThrow(PageTokenError);
    try {
      signPageToken(claims, KEY);
    } catch (error) {
      expect((error as PageTokenError).code).toBe(code);
    }
  });

  test('a MAC that is not 32 bytes cannot be encoded', () => {
    expect(() => encodePageToken(baseClaims, new Uint8Array(16))).toThrow(PageTokenError);
  });
});
