import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  DEV_COOKIE_NAME,
  SECURE_COOKIE_NAME,
  parseCookieHeader,
  readSessionToken,
  serializeBlankSessionCookie,
  serializeSessionCookie,
  shouldUseSecureCookie,
  verifyRequestOrigin,
} from '../src/index.js';

describe('session cookie', () => {
  test.each([
    ['auto', 'http', 'localhost', false],
    ['auto', 'http', '127.0.0.1', false],
    ['auto', 'http', '[::1]', false],
    ['auto', 'http', 'app.localhost', false],
    ['auto', 'https', 'localhost', true],
    ['auto', 'http', 'dashboard.example.com', true],
    ['auto', 'https', 'dashboard.example.com', true],
    ['always', 'http', 'localhost', true],
  ] as const)('policy %s over %s to %s uses Secure: %s', (policy, protocol, hostname, expected) => {
    expect(shouldUseSecureCookie(policy, { protocol, hostname })).toBe(expected);
  });

  test('a secure cookie is HttpOnly, SameSite=Lax, Secure and __Host- prefixed', () => {
    const header = serializeSessionCookie('abc.def', new Date('2030-01-01T00:00:00Z'), true);
    expect(header).toBe(
      `${SECURE_COOKIE_NAME}=abc.def; Path=/; HttpOnly; SameSite=Lax; Expires=Tue, 01 Jan 2030 00:00:00 GMT; Secure`,
    );
  });

  test('the localhost cookie drops only Secure and the prefix', () => {
    const header = serializeSessionCookie('abc.def', new Date('2030-01-01T00:00:00Z'), false);
    expect(header).toContain(`${DEV_COOKIE_NAME}=abc.def; Path=/; HttpOnly; SameSite=Lax;`);
    expect(header).not.toContain('Secure');
  });

  test('the blank cookie expires the session cookie at once', () => {
    expect(serializeBlankSessionCookie(true)).toBe(
      `${SECURE_COOKIE_NAME}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0; Secure`,
    );
  });

  test.each([
    [undefined, false, null],
    ['', false, null],
    [`${DEV_COOKIE_NAME}=a.b`, false, 'a.b'],
    [`other=1; ${SECURE_COOKIE_NAME}=x.y; ${DEV_COOKIE_NAME}=a.b`, true, 'x.y'],
    [`${DEV_COOKIE_NAME}=first; ${DEV_COOKIE_NAME}=second`, false, 'first'],
    ['garbage;;=;', false, null],
    // A secure request reads only the __Host- name: a plain cookie planted by a sibling subdomain is ignored.
    [`${DEV_COOKIE_NAME}=planted.by-sibling`, true, null],
    [`${SECURE_COOKIE_NAME}=x.y`, false, null],
  ])('reads the session token from %j (secure request: %j) as %j', (header, secure, expected) => {
    expect(readSessionToken(header, secure)).toBe(expected);
  });

  test('parsing any header never throws and returns names without spaces around them', () => {
    fc.assert(
      fc.property(fc.string(), (header) => {
        for (const name of parseCookieHeader(header).keys()) expect(name).toBe(name.trim());
      }),
    );
  });
});

describe('request origin check (CSRF)', () => {
  const host = 'dash.example.com';
  test.each([
    ['same origin', 'https://dash.example.com', undefined, { ok: true }],
    ['same origin, upper-case host header', 'https://dash.example.com', undefined, { ok: true }, 'DASH.example.com'],
    ['trusted dev origin', 'http://localhost:5173', undefined, { ok: true }],
    ['other site', 'https://evil.example', 'cross-site', { ok: false, reason: 'cross_origin' }],
    ['sibling subdomain', 'https://evil.dash.example.com', 'same-site', { ok: false, reason: 'cross_origin' }],
    ['same host, other port', 'https://dash.example.com:8443', undefined, { ok: false, reason: 'cross_origin' }],
    ['opaque origin (sandboxed iframe)', 'null', undefined, { ok: false, reason: 'cross_origin' }],
    ['unparsable origin', 'not a url', undefined, { ok: false, reason: 'cross_origin' }],
    ['no Origin, Sec-Fetch-Site same-origin', undefined, 'same-origin', { ok: true }],
    ['no Origin, Sec-Fetch-Site cross-site', undefined, 'cross-site', { ok: false, reason: 'cross_site_fetch' }],
    ['no Origin, Sec-Fetch-Site same-site', undefined, 'same-site', { ok: false, reason: 'cross_site_fetch' }],
    ['neither header', undefined, undefined, { ok: false, reason: 'missing_origin' }],
  ] as const)('%s', (_name, origin, secFetchSite, expected, hostHeader: string = host) => {
    expect(
      verifyRequestOrigin({ origin, secFetchSite, host: hostHeader, trustedOrigins: ['http://localhost:5173'] }),
    ).toEqual(expected);
  });
});
