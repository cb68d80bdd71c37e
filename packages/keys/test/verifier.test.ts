// The page-token verifier's answer for each kind of token, and what a valid outcome carries.
// Single use: verifier-single-use.test.ts; key lookups and their cache: verifier-key-cache.test.ts.
import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import { buildPageTokenClaims, encodePageToken, signPageToken } from '@tagward/protocol';
import { deriveSigningKey } from '../src/index.js';
import { NOW, ORIGIN, mint, newMasterKey } from './fixtures.js';
import {
  context,
  expiredKey,
  graceKey,
  key,
  makeVerifier,
  otherSiteKey,
  revokedKey,
  unknownKey,
  wrongKeyToken,
} from './verifier-fixtures.js';

describe('the page-token verifier', () => {
  test.each([
    ['a valid token', mint(key), {}, 'valid'],
    ['a valid prefix token', mint(key, { path: '/blog/*' }), {}, 'valid'],
    ['no token', undefined, {}, 'missing'],
    ['an empty token', '', {}, 'missing'],
    ['a JWT', 'eyJhbGciOiJub25lIn0.e30.', {}, 'malformed'],
    [
      'a token with a flipped MAC character',
      mint(key).replace(/.$/, (c) => (c === 'A' ? 'Q' : 'A')),
      {},
      'bad_signature',
    ],
    ['a token signed with another key under the right kid', wrongKeyToken, {}, 'bad_signature'],
    ['a token whose kid is not in the database', mint(unknownKey), {}, 'unknown_key'],
    ['a token of a revoked key', mint(revokedKey), {}, 'revoked_key'],
    ['a token of a key past its rotation grace', mint(expiredKey), {}, 'expired_key'],
    ['a token of a key inside its rotation grace', mint(graceKey), {}, 'valid'],
    ['a token of another site presented for this site', mint(otherSiteKey), {}, 'wrong_site'],
    [
      'a token for another origin',
      mint(key, { origin: 'https://evil.example' }),
      {},
      'wrong_origin',
    ],
    [
      'a token for http on an https page',
      mint(key, { origin: 'http://shop.example' }),
      {},
      'wrong_origin',
    ],
    [
      'a token for another port',
      mint(key, { origin: 'https://shop.example:8443' }),
      {},
      'wrong_origin',
    ],
    [
      'a token presented with no Origin from a page on another origin',
      mint(key),
      { origin: null, url: 'https://evil.example/blog/hello' },
      'wrong_origin',
    ],
    ['a token for another path', mint(key, { path: '/checkout' }), {}, 'wrong_path'],
    ['a token for a sibling prefix', mint(key, { path: '/blogger/*' }), {}, 'wrong_path'],
    ['a token with an unparsable page URL', mint(key), { url: 'not a url' }, 'wrong_path'],
    [
      'a token past its expiry plus skew',
      mint(key, { ttlMs: 60_000 }),
      { now: NOW + 60_000 + 30_000 },
      'expired',
    ],
    [
      'a token past its expiry but within skew',
      mint(key, { ttlMs: 60_000 }),
      { now: NOW + 60_000 + 29_999 },
      'valid',
    ],
    [
      'a token issued beyond the skew in the future',
      mint(key, { now: NOW + 31_000 }),
      { now: NOW },
      'not_yet_valid',
    ],
    [
      'a token issued within the skew in the future',
      mint(key, { now: NOW + 29_000 }),
      { now: NOW },
      'valid',
    ],
  ])('%s is %s', async (_name, token, patch, status) => {
    const { verifier } = makeVerifier();
    const outcome = await verifier.verify(token, { ...context, ...patch });
    expect(outcome.status).toBe(status);
  });

  test('the Origin header is canonicalised before comparing', async () => {
    const { verifier } = makeVerifier();
    const outcome = await verifier.verify(mint(key), {
      ...context,
      origin: 'HTTPS://SHOP.example:443',
    });
    expect(outcome.status).toBe('valid');
  });

  test('without an Origin header the page URL origin is used', async () => {
    const { verifier } = makeVerifier();
    expect((await verifier.verify(mint(key), { ...context, origin: undefined })).status).toBe(
      'valid',
    );
  });

  test('a valid outcome carries the token age and lifetime', async () => {
    const { verifier } = makeVerifier();
    const outcome = await verifier.verify(mint(key, { ttlMs: 120_000 }), context);
    expect(outcome).toMatchObject({ status: 'valid', ageMs: 2000, ttlMs: 120_000, kid: key.kid });
  });

  test('tokens that fail before the signature check carry no age: their claims are not authentic', async () => {
    const { verifier } = makeVerifier();
    const forged = await verifier.verify(wrongKeyToken, context);
    expect(forged.ageMs).toBeUndefined();
    const malformed = await verifier.verify('pt1.AAAA.BBBB', context);
    expect(malformed).toEqual({ status: 'malformed', detail: 'bad_length' });
  });

  test('with minAgeMs a token presented faster than a page could load is not yet valid', async () => {
    const { verifier } = makeVerifier({ minAgeMs: 500 });
    const token = mint(key);
    expect((await verifier.verify(token, { ...context, now: NOW + 100 })).status).toBe(
      'not_yet_valid',
    );
    expect((await verifier.verify(token, { ...context, now: NOW + 600 })).status).toBe('valid');
  });

  test('a bad signature is reported even for a revoked key, so forgeries never learn key states', async () => {
    const { verifier } = makeVerifier();
    const forged = signPageToken(
      buildPageTokenClaims({ kid: revokedKey.kid, origin: ORIGIN, path: '/', now: NOW }),
      randomBytes(32),
    );
    expect((await verifier.verify(forged, context)).status).toBe('bad_signature');
  });

  test('a token assembled with a MAC over different claims is a bad signature', async () => {
    const { verifier } = makeVerifier();
    const claims = buildPageTokenClaims({
      kid: key.kid,
      origin: ORIGIN,
      path: '/blog/hello',
      now: NOW,
    });
    const signed = signPageToken({ ...claims, path: '/other' }, deriveSigningKey(key.secretKey));
    const mac = Buffer.from(signed.split('.')[2] ?? '', 'base64url');
    expect((await verifier.verify(encodePageToken(claims, mac), context)).status).toBe(
      'bad_signature',
    );
  });

  test('a verifier with the wrong master key cannot open keys and says so loudly', async () => {
    const { verifier } = makeVerifier({ masterKey: newMasterKey() });
    await expect(verifier.verify(mint(key), context)).rejects.toMatchObject({
      code: 'signing_key_unreadable',
    });
  });

  test.each([
    ['a 31-byte master key', { masterKey: randomBytes(31) }],
    ['a negative clock skew', { clockSkewMs: -1 }],
    ['a ten-minute clock skew', { clockSkewMs: 600_000 }],
  ])('a verifier with %s is refused at construction', (_name, patch) => {
    expect(() => makeVerifier(patch)).toThrow();
  });
});
