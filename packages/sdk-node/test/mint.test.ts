import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { decodePageToken } from '@tagward/protocol';
import { MAX_TOKEN_TTL_S, TagwardError, mintPageToken, renderEmbedTag } from '../src/index.js';
import { seedSite, verifierFor, type SeededSite } from './tagward-server.js';

let db: TestDatabase;
let site: SeededSite;
const ORIGIN = 'https://shop.example';

beforeAll(async () => {
  db = await createTestDatabase('sdk_mint');
  site = await seedSite(db, 'Mint');
});
afterAll(async () => {
  await db?.dispose();
});

const context = (url: string) => ({ siteId: site.siteId, origin: ORIGIN, url });

describe('mintPageToken', () => {
  test('a minted token is accepted once by the verifier, for its origin and path only', async () => {
    const verifier = verifierFor(db);
    const token = mintPageToken({
      secretKey: site.key.secretKey,
      origin: ORIGIN,
      path: '/pricing',
    });
    expect((await verifier.verify(token, context(`${ORIGIN}/checkout`))).status).toBe('wrong_path');
    expect(
      (
        await verifier.verify(token, {
          ...context(`${ORIGIN}/pricing`),
          origin: 'https://evil.example',
        })
      ).status,
    ).toBe('wrong_origin');
    expect((await verifier.verify(token, context(`${ORIGIN}/pricing`))).status).toBe('valid');
    expect((await verifier.verify(token, context(`${ORIGIN}/pricing`))).status).toBe('replayed');
  });

  test('a prefix token covers the pages below it', async () => {
    const verifier = verifierFor(db);
    const token = mintPageToken({ secretKey: site.key.secretKey, origin: ORIGIN, path: '/blog/*' });
    expect((await verifier.verify(token, context(`${ORIGIN}/blog/2026/hello`))).status).toBe(
      'valid',
    );
  });

  test('every call mints a different token', () => {
    const options = { secretKey: site.key.secretKey, origin: ORIGIN, path: '/' };
    const tokens = new Set(Array.from({ length: 100 }, () => mintPageToken(options)));
    expect(tokens.size).toBe(100);
  });

  test.each([
    [{ ttlSeconds: 120 }, 120_000],
    [{ ttl: 90 }, 90_000],
    [{}, 300_000],
  ])('a lifetime of %o gives exp - iat = %i ms', (lifetime, expected) => {
    const token = mintPageToken({
      secretKey: site.key.secretKey,
      origin: ORIGIN,
      path: '/',
      ...lifetime,
    });
    const decoded = decodePageToken(token);
    expect(decoded.ok && decoded.token.claims.exp - decoded.token.claims.iat).toBe(expected);
  });

  test('the query string is ignored, the origin canonicalised, the ttl in seconds honoured', () => {
    const token = mintPageToken({
      secretKey: site.key.secretKey,
      origin: 'HTTPS://Shop.Example:443/',
      path: '/search?q=shoes#top',
      ttl: 60,
      now: 1_000_000,
    });
    const decoded = decodePageToken(token);
    expect(decoded.ok && decoded.token.claims).toMatchObject({
      kid: site.key.kid,
      origin: ORIGIN,
      path: '/search',
      iat: 1_000_000,
      exp: 1_060_000,
    });
  });

  test.each([
    ['a publishable key', { secretKey: 'pk_live_abcdefghijklmnopqrstuvwx' }, 'invalid_secret_key'],
    ['an empty key', { secretKey: '' }, 'invalid_secret_key'],
    ['a ttl of 0', { ttl: 0 }, 'invalid_argument'],
    ['a ttl over 15 minutes', { ttl: MAX_TOKEN_TTL_S + 1 }, 'invalid_argument'],
    ['a fractional ttl', { ttl: 1.5 }, 'invalid_argument'],
    ['a ttlSeconds over 15 minutes', { ttlSeconds: MAX_TOKEN_TTL_S + 1 }, 'invalid_argument'],
    ['two different lifetimes', { ttl: 60, ttlSeconds: 120 }, 'invalid_argument'],
    ['an origin with a path', { origin: 'https://shop.example/shop' }, 'invalid_argument'],
    ['a relative path', { path: 'pricing' }, 'invalid_argument'],
    ['a javascript: origin', { origin: 'javascript:alert(1)' }, 'invalid_argument'],
  ])('minting with %s throws %s', (_name, patch, code) => {
    const options = { secretKey: site.key.secretKey, origin: ORIGIN, path: '/', ...patch };
    expect(() => mintPageToken(options)).toThrow(TagwardError);
    expect(() => mintPageToken(options)).toThrow(expect.objectContaining({ code }));
  });
});

describe('renderEmbedTag', () => {
  test('renders src, SRI, the publishable key and the token as attributes', () => {
    const tag = renderEmbedTag({
      src: 'https://beacon.example/v1.js',
      integrity: 'sha384-abc',
      publishableKey: 'pk_live_abcdefghijklmnop',
      token: 'pt1.AAA.BBB',
    });
    expect(tag).toBe(
      '<script src="https://beacon.example/v1.js" integrity="sha384-abc" crossorigin="anonymous" data-site="pk_live_abcdefghijklmnop" data-token="pt1.AAA.BBB" async></script>',
    );
  });

  test('escapes attribute values', () => {
    const tag = renderEmbedTag({
      src: 'https://x.example/"><img src=x>',
      publishableKey: 'pk_test_abcdefghijklmnop',
    });
    expect(tag).not.toContain('"><img');
    expect(tag).toContain('&quot;&gt;&lt;img');
  });

  test('refuses to put a secret key in a page', () => {
    expect(() =>
      renderEmbedTag({ src: 'https://x.example/v1.js', publishableKey: site.key.secretKey }),
    ).toThrow(/never put the secret key/);
  });
});
