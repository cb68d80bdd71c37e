import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { isLoopbackHost, normalizeOrigin, parseOrigin } from './origin-parse.js';

describe('parseOrigin and normalizeOrigin', () => {
  test.each([
    ['https://shop.example.com', 'https://shop.example.com'],
    ['https://Shop.Example.com', 'https://shop.example.com'],
    ['https://shop.example.com:443', 'https://shop.example.com'],
    ['http://0x7f.0.0.1', 'http://127.0.0.1'],
    ['http://010.0.0.1', 'http://8.0.0.1'],
    ['http://2130706433', 'http://127.0.0.1'],
    ['https://203.0.113.7', 'https://203.0.113.7'],
    ['https://bücher.example', 'https://xn--bcher-kva.example'],
    ['https://[2001:DB8::1]', 'https://[2001:db8::1]'],
  ])('normalizes %s to %s', (input, expected) => {
    expect(normalizeOrigin(input)).toBe(expected);
  });

  test.each([
    'null',
    '',
    'https://',
    'https://shop.example.com/',
    'https://a@b.com',
    'ws://shop.example.com',
    'shop.example.com',
    'https://1.2.3.300',
    'https://shop.example.com:99999',
  ])('returns null for %j', (input) => {
    expect(normalizeOrigin(input)).toBeNull();
    expect(parseOrigin(input)).toBeNull();
  });

  test.each([
    ['https://shop.example.com', true],
    ['https://a.example.com:8443', true],
    ['https://[2001:db8::1]', true],
    ['http://127.0.0.1:3000', true],
    ['https://Shop.example.com', false],
    ['https://shop.example.com:443', false],
    ['https://bücher.example', false],
    ['http://0x7f.0.0.1', false],
  ])('parseOrigin(%s) says canonical: %s', (input, canonical) => {
    expect(parseOrigin(input)?.canonical).toBe(canonical);
  });

  test('agrees with WHATWG URL on every origin it accepts', () => {
    const label = fc.stringMatching(/^[a-zA-Z0-9_-]{1,8}$/);
    const input = fc
      .tuple(
        fc.constantFrom('http', 'https', 'HTTP'),
        fc.array(
          fc.oneof(label, fc.nat(300).map(String), fc.constantFrom('0x7f', '010', 'xn--bcher-kva')),
          { minLength: 1, maxLength: 4 },
        ),
        fc.option(fc.oneof(fc.nat(70_000).map(String), fc.constantFrom('080', '443', '80', '')), {
          nil: undefined,
        }),
      )
      .map(
        ([s, labels, port]) => `${s}://${labels.join('.')}${port === undefined ? '' : `:${port}`}`,
      );
    fc.assert(
      fc.property(input, (text) => {
        const parsed = parseOrigin(text);
        let expected: string | null = null;
        try {
          const u = new URL(`${text}/`);
          if (u.pathname === '/' && u.username === '') expected = u.origin;
        } catch {
          expected = null;
        }
        expect(parsed === null ? null : normalizeOrigin(text)).toBe(expected);
        if (parsed !== null) expect(parsed.canonical).toBe(expected === text);
      }),
      { numRuns: 1000 },
    );
  });

  test('returns a canonical origin unchanged', () => {
    expect(normalizeOrigin('https://a.example.com:8443')).toBe('https://a.example.com:8443');
  });
});

describe('isLoopbackHost', () => {
  test.each([
    ['localhost', true],
    ['app.localhost', true],
    ['127.0.0.1', true],
    ['127.1.2.3', true],
    ['[::1]', true],
    ['localhost.example.com', false],
    ['mylocalhost', false],
    ['128.0.0.1', false],
  ])('%s: %s', (host, expected) => {
    expect(isLoopbackHost(host)).toBe(expected);
  });
});
