import { randomBytes } from 'node:crypto';
import { describe, expect, test } from 'vitest';
import {
  PAGE_TOKEN_DEFAULT_TTL_MS,
  PAGE_TOKEN_MAX_PATH_LENGTH,
  PAGE_TOKEN_MAX_TTL_MS,
} from './page-token.js';
import {
  buildPageTokenClaims,
  canonicalPageTokenOrigin,
  canonicalPageTokenPath,
  pagePathMatches,
} from './page-token-claims.js';

const KID = 'a1B2c3D4e5F6g7H8';
const NOW = Date.UTC(2026, 10, 29, 12, 0, 0);

describe('page token claims', () => {
  test.each([
    ['https://shop.example', 'https://shop.example'],
    ['HTTPS://Shop.Example:443', 'https://shop.example'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://127.0.0.1:80', 'http://127.0.0.1'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['https://[::1]:8443', 'https://[::1]:8443'],
    ['https://shop.example/', 'https://shop.example'],
    ['https://shop.example/cart', undefined],
    ['https://shop.example?x=1', undefined],
    ['https://shop.example?', undefined],
    ['https://shop.example#top', undefined],
    ['https://user:pw@shop.example', undefined],
    ['ftp://shop.example', undefined],
    ['null', undefined],
    ['shop.example', undefined],
    ['https://shop.example.', undefined],
    ['https://shop.example//', undefined],
  ])('the origin %s canonicalises to %s', (input, expected) => {
    expect(canonicalPageTokenOrigin(input)).toBe(expected);
  });

  test.each([
    ['/pricing', '/pricing'],
    ['/blog/*', '/blog/*'],
    ['/blog/', '/blog/'],
    ['/*', '/*'],
    ['/a/./b/../c', '/a/c'],
    ['/café', '/caf%C3%A9'],
    ['/with space', '/with%20space'],
    ['/blog*', undefined],
    ['/a?b', undefined],
    ['/a#b', undefined],
    ['pricing', undefined],
    ['//evil.example/x', undefined],
    [`/${'x'.repeat(PAGE_TOKEN_MAX_PATH_LENGTH)}`, undefined],
  ])('the path %s canonicalises to %s', (input, expected) => {
    expect(canonicalPageTokenPath(input)).toBe(expected);
  });

  test.each([
    ['/blog/*', '/blog', true],
    ['/blog/*', '/blog/', true],
    ['/blog/*', '/blog/2024/hello', true],
    ['/blog/*', '/blogger', false],
    ['/blog/*', '/', false],
    ['/*', '/', true],
    ['/*', '/anything/at/all', true],
    ['/pricing', '/pricing', true],
    ['/pricing', '/pricing/', false],
    ['/pricing', '/Pricing', false],
    ['/pricing', '/pricing/extra', false],
  ])('the path claim %s covers %s: %s', (claim, pathname, expected) => {
    expect(pagePathMatches(claim, pathname)).toBe(expected);
  });

  test('built claims carry a fresh 128-bit nonce and exp = now + ttl', () => {
    const a = buildPageTokenClaims({
      kid: KID,
      origin: 'https://Shop.example',
      path: '/x',
      now: NOW,
    });
    const b = buildPageTokenClaims({
      kid: KID,
      origin: 'https://Shop.example',
      path: '/x',
      now: NOW,
    });
    expect(a.nonce).not.toBe(b.nonce);
    expect(Buffer.from(a.nonce, 'base64url')).toHaveLength(16);
    expect(a).toMatchObject({
      origin: 'https://shop.example',
      iat: NOW,
      exp: NOW + PAGE_TOKEN_DEFAULT_TTL_MS,
    });
  });

  test.each([
    ['an origin with a path', { origin: 'https://shop.example/x' }, 'bad_origin'],
    ['a relative path', { path: 'x' }, 'bad_path'],
    ['a zero ttl', { ttlMs: 0 }, 'bad_times'],
    ['a 16-minute ttl', { ttlMs: 16 * 60_000 }, 'ttl_too_long'],
    ['a bad kid', { kid: 'sk_live_nope' }, 'bad_kid'],
  ] as const)('building claims with %s throws %s', (_name, patch, code) => {
    const options = {
      kid: KID,
      origin: 'https://shop.example',
      path: '/',
      now: NOW,
      ...patch,
    };
    expect(() => buildPageTokenClaims(options)).toThrow(expect.objectContaining({ code }));
  });

  test('a 15-minute ttl is the longest accepted', () => {
    const claims = buildPageTokenClaims({
      kid: KID,
      origin: 'https://shop.example',
      path: '/',
      now: NOW,
      ttlMs: PAGE_TOKEN_MAX_TTL_MS,
      nonce: randomBytes(16),
    });
    expect(claims.exp - claims.iat).toBe(PAGE_TOKEN_MAX_TTL_MS);
  });
});
