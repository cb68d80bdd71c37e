import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { pageUrlParts } from '../src/page-url.js';

const ORIGIN = 'https://shop.example';

function reference(url: string) {
  try {
    const parsed = new URL(url);
    return { origin: parsed.origin, pathname: parsed.pathname };
  } catch {
    return undefined;
  }
}

describe('page URL parts', () => {
  test('always agree with a full URL parse', () => {
    const pathChar = fc.constantFrom(
      ...'abcXYZ019-._~!$&\'()*+,;=:@/%2e%2E\\ ?#"<>`{}|^é'.split(''),
    );
    const origins = fc.constantFrom(
      ORIGIN,
      'https://Shop.example',
      'https://shop.example:443',
      'https://shop.example@evil.example',
      'https://shop.example.evil',
    );
    fc.assert(
      fc.property(origins, fc.string({ unit: pathChar, maxLength: 40 }), (origin, rest) => {
        const url = `${origin}/${rest}`;
        expect(pageUrlParts(url, ORIGIN)).toEqual(reference(url));
      }),
      { numRuns: 5000 },
    );
  });

  test.each([
    ['https://shop.example/blog/hello?x=1#top', '/blog/hello'],
    ['https://shop.example/blog/../admin', '/admin'],
    ['https://shop.example/blog/%2e%2e/admin', '/admin'],
    ['https://shop.example/a b', '/a%20b'],
    ['https://shop.example/caf\u00e9', '/caf%C3%A9'],
    ['https://shop.example\\blog', '/blog'],
  ])('%s has the pathname %s', (url, pathname) => {
    expect(pageUrlParts(url, ORIGIN)?.pathname).toBe(pathname);
  });

  test('an unparsable URL has no parts', () => {
    expect(pageUrlParts('not a url', ORIGIN)).toBeUndefined();
  });
});
