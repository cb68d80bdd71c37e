import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  compileOriginAllowlist,
  isAllowedOrigin,
  normalizeOriginPattern,
  originMatches,
} from './origins.js';

describe('normalizeOriginPattern', () => {
  test.each([
    ['https://shop.example.com', 'https://shop.example.com'],
    ['  https://shop.example.com  ', 'https://shop.example.com'],
    ['https://shop.example.com/', 'https://shop.example.com'],
    ['HTTPS://Shop.EXAMPLE.com', 'https://shop.example.com'],
    ['https://shop.example.com:443', 'https://shop.example.com'],
    ['http://shop.example.com:80', 'http://shop.example.com'],
    ['https://shop.example.com:8443', 'https://shop.example.com:8443'],
    ['http://shop.example.com:443', 'http://shop.example.com:443'],
    ['https://*.example.com', 'https://*.example.com'],
    ['https://*.Example.COM/', 'https://*.example.com'],
    ['https://*.example.com:8443', 'https://*.example.com:8443'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['https://*.bücher.example', 'https://*.xn--bcher-kva.example'],
    ['https://xn--bcher-kva.example', 'https://xn--bcher-kva.example'],
    ['https://203.0.113.7', 'https://203.0.113.7'],
    ['https://[2001:db8::1]:8443', 'https://[2001:db8::1]:8443'],
  ])('accepts %s as %s for live keys', (input, expected) => {
    expect(normalizeOriginPattern(input, { mode: 'live' })).toEqual({ ok: true, value: expected });
  });

  test.each([
    ['', 'empty'],
    ['   ', 'empty'],
    ['shop.example.com', 'missing_scheme'],
    ['//shop.example.com', 'missing_scheme'],
    ['ftp://shop.example.com', 'unsupported_scheme'],
    ['javascript://shop.example.com', 'unsupported_scheme'],
    ['https://shop.example.com/cart', 'has_path'],
    ['https://shop.example.com//', 'has_path'],
    ['https://shop.example.com?x=1', 'has_query'],
    ['https://shop.example.com/?x=1', 'has_path'],
    ['https://shop.example.com#top', 'has_fragment'],
    ['https://user:pw@shop.example.com', 'has_userinfo'],
    ['https://user@shop.example.com', 'has_userinfo'],
    ['https://shop.*.example.com', 'bad_wildcard'],
    ['https://*example.com', 'bad_wildcard'],
    ['https://*', 'bad_wildcard'],
    ['https://**.example.com', 'bad_wildcard'],
    ['https://*.203.0.113.7', 'bad_wildcard'],
    ['https://*.com', 'wildcard_too_broad'],
    ['https://example.com.', 'trailing_dot'],
    ['https://*.example.com.', 'trailing_dot'],
    ['https://example.com.:8443', 'trailing_dot'],
    ['https://exa mple.com', 'invalid_host'],
    ['https://a..example.com', 'invalid_host'],
    ['https://', 'invalid_host'],
    ['https://:8443', 'invalid_host'],
    ['https://example.com:', 'invalid_port'],
    ['https://example.com:http', 'invalid_port'],
    ['https://example.com:0', 'invalid_port'],
    ['https://example.com:65536', 'invalid_port'],
    ['http://localhost:3000', 'localhost_live'],
    ['http://localhost', 'localhost_live'],
    ['http://app.localhost:5173', 'localhost_live'],
    ['http://*.localhost', 'localhost_live'],
    ['http://127.0.0.1:8080', 'localhost_live'],
    ['http://0x7f.0.0.1', 'localhost_live'],
    ['http://[::1]:3000', 'localhost_live'],
    [`https://${'a'.repeat(300)}.com`, 'too_long'],
  ])('refuses %j for live keys with %s', (input, code) => {
    const result = normalizeOriginPattern(input, { mode: 'live' });
    expect(result).toMatchObject({ ok: false, code });
    if (!result.ok) expect(result.message.length).toBeGreaterThan(10);
  });

  test.each([
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://LOCALHOST:3000/', 'http://localhost:3000'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['http://[::1]:3000', 'http://[::1]:3000'],
    ['http://*.localhost:5173', 'http://*.localhost:5173'],
  ])('accepts loopback %s for test keys', (input, expected) => {
    expect(normalizeOriginPattern(input, { mode: 'test' })).toEqual({ ok: true, value: expected });
  });

  test('defaults to the strict live mode when no option is given', () => {
    expect(normalizeOriginPattern('http://localhost:3000')).toMatchObject({
      ok: false,
      code: 'localhost_live',
    });
  });

  test('is idempotent: a normalised pattern normalises to itself', () => {
    const hosts = fc.stringMatching(/^[a-z][a-z0-9-]{0,10}(\.[a-z][a-z0-9-]{0,10}){1,3}$/);
    fc.assert(
      fc.property(
        fc.constantFrom('http', 'https', 'HTTPS'),
        fc.boolean(),
        hosts,
        fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
        (scheme, wildcard, host, port) => {
          const input = `${scheme}://${wildcard ? '*.' : ''}${host}${port === undefined ? '' : `:${port}`}`;
          const first = normalizeOriginPattern(input, { mode: 'test' });
          if (!first.ok) return;
          expect(normalizeOriginPattern(first.value, { mode: 'test' })).toEqual(first);
        },
      ),
    );
  });
});

describe('originMatches', () => {
  test.each([
    ['https://shop.example.com', 'https://shop.example.com'],
    ['https://shop.example.com', 'https://SHOP.example.com/'],
    ['HTTPS://SHOP.EXAMPLE.COM', 'https://shop.example.com'],
    ['https://shop.example.com:443', 'https://shop.example.com'],
    ['https://shop.example.com', 'https://shop.example.com:443'],
    ['https://a.example.com', 'https://*.example.com'],
    ['https://a.b.c.example.com', 'https://*.example.com'],
    ['https://www.example.com:8443', 'https://*.example.com:8443'],
    ['https://xn--bcher-kva.example', 'https://bücher.example'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['https://shop.xn--bcher-kva.example', 'https://*.bücher.example'],
    ['http://localhost:3000', 'http://localhost:3000'],
    ['http://app.localhost:3000', 'http://*.localhost:3000'],
  ])('%s matches %s', (origin, pattern) => {
    expect(originMatches(origin, pattern)).toBe(true);
  });

  test.each([
    ['https://example.com', 'https://*.example.com', 'the apex is not covered by a wildcard'],
    ['https://evil-example.com', 'https://*.example.com', 'a hyphen is not a label boundary'],
    [
      'https://evilexample.com',
      'https://*.example.com',
      'a suffix without a dot is another domain',
    ],
    ['https://example.com.evil.com', 'https://*.example.com', 'the pattern must end the host'],
    ['https://shop.example.com.evil.com', 'https://shop.example.com', 'exact means exact'],
    ['https://a.example.com.', 'https://*.example.com', 'a trailing dot is another origin'],
    ['https://shop.example.com.', 'https://shop.example.com', 'a trailing dot is another origin'],
    ['http://shop.example.com', 'https://shop.example.com', 'schemes differ'],
    ['https://shop.example.com', 'http://shop.example.com', 'schemes differ'],
    ['http://a.example.com', 'https://*.example.com', 'schemes differ under a wildcard'],
    [
      'https://shop.example.com:8443',
      'https://shop.example.com',
      'a pattern without a port means the default port',
    ],
    ['https://shop.example.com', 'https://shop.example.com:8443', 'ports differ'],
    [
      'https://a.example.com:8443',
      'https://*.example.com',
      'a wildcard does not cover other ports',
    ],
    [
      'https://a.example.com',
      'https://*.example.com:8443',
      'a wildcard with a port needs that port',
    ],
    ['https://shop.example.com/', 'https://shop.example.com', 'an origin has no path'],
    ['https://shop.example.com/cart', 'https://shop.example.com', 'an origin has no path'],
    ['null', 'https://shop.example.com', 'the opaque origin matches nothing'],
    ['', 'https://shop.example.com', 'an empty origin matches nothing'],
    ['https://user@shop.example.com', 'https://shop.example.com', 'userinfo is not an origin'],
    [
      'https://shop.example.com',
      'https://shop.example.com/cart',
      'an invalid pattern matches nothing',
    ],
    ['https://shop.example.co', 'https://shop.example.com', 'a shorter host is another host'],
    [
      'https://xn--bcher-kva.example',
      'https://bucher.example',
      'punycode is not folded to ASCII lookalikes',
    ],
  ])('%s does not match %s (%s)', (origin, pattern) => {
    expect(originMatches(origin, pattern)).toBe(false);
  });
});

describe('isAllowedOrigin', () => {
  const patterns = ['https://shop.example.com', 'https://*.example.org', 'http://localhost:3000'];

  test.each([
    ['https://shop.example.com', 'live', true],
    ['https://a.example.org', 'live', true],
    ['https://example.org', 'live', false],
    ['https://other.example.com', 'live', false],
    ['http://localhost:3000', 'live', false],
    ['http://localhost:3000', 'test', true],
    ['http://localhost:3001', 'test', false],
    ['https://shop.example.com', 'test', true],
  ] as const)('%s with a %s key: %s', (origin, mode, expected) => {
    expect(isAllowedOrigin(origin, patterns, mode)).toBe(expected);
  });

  test('never allows a loopback origin on a live key, whatever was stored', () => {
    expect(isAllowedOrigin('http://127.0.0.1:8080', ['http://127.0.0.1:8080'], 'live')).toBe(false);
    expect(isAllowedOrigin('http://app.localhost', ['http://*.localhost'], 'live')).toBe(false);
  });

  test('ignores stored patterns that are not valid', () => {
    expect(
      isAllowedOrigin('https://shop.example.com', ['shop.example.com', 'https://*'], 'live'),
    ).toBe(false);
  });

  test('a compiled allowlist agrees with originMatches on every canonical origin', () => {
    const label = fc.constantFrom(
      'a',
      'shop',
      'example',
      'evil-example',
      'xn--bcher-kva',
      'com',
      'org',
    );
    const origin = fc
      .tuple(
        fc.constantFrom('http', 'https'),
        fc.array(label, { minLength: 1, maxLength: 4 }),
        fc.constantFrom('', ':8443'),
      )
      .map(([s, labels, port]) => `${s}://${labels.join('.')}${port}`);
    const pattern = fc
      .tuple(
        fc.constantFrom('http', 'https'),
        fc.boolean(),
        fc.array(label, { minLength: 2, maxLength: 3 }),
        fc.constantFrom('', ':8443'),
      )
      .map(([s, wild, labels, port]) => `${s}://${wild ? '*.' : ''}${labels.join('.')}${port}`);
    fc.assert(
      fc.property(origin, fc.array(pattern, { maxLength: 4 }), (o, ps) => {
        const list = compileOriginAllowlist(ps, 'live');
        const expected = ps.some((p) => originMatches(o, p));
        expect(list.allowsCanonical(o)).toBe(expected);
        expect(list.allows(o)).toBe(expected);
      }),
    );
  });
});
