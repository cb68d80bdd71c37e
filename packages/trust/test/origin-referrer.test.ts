import { describe, expect, test } from 'vitest';
import { DEFAULT_RULES, deriveSignals, score, type ReasonCode } from '../src/index.js';
import * as F from '../fixtures/index.js';

const ORIGIN_CODES: ReasonCode[] = [
  'origin_not_allowed',
  'origin_missing',
  'origin_opaque',
  'origin_malformed',
  'origin_not_canonical',
  'page_url_invalid',
  'page_origin_mismatch',
  'page_origin_not_allowed',
];
const REFERRER_CODES: ReasonCode[] = [
  'referrer_absent',
  'referrer_origin_mismatch',
  'referrer_page_mismatch',
];

function firing(o: F.FactsOverrides, among: ReasonCode[]): ReasonCode[] {
  return score(deriveSignals(F.facts(o)), DEFAULT_RULES)
    .reasons.map((r) => r.code)
    .filter((c) => among.includes(c));
}

/** The Chromium beacon with another Origin (and a Referer of the same origin, as a browser would). */
function fromOrigin(origin: string | null): F.HeaderList {
  return F.withHeaders(F.CHROMIUM_SEND_BEACON, {
    Origin: origin,
    Referer: origin === null ? null : `${origin}/`,
  });
}

describe('origin signal', () => {
  test.each<[string, F.FactsOverrides, ReasonCode[]]>([
    ['an exact allowlisted origin passes', {}, []],
    [
      'a subdomain under a wildcard passes',
      {
        headers: fromOrigin('https://blog.example.org'),
        payload: { url: 'https://blog.example.org/post' },
      },
      [],
    ],
    [
      'the apex of a wildcard is not allowed',
      { headers: fromOrigin('https://example.org'), payload: { url: 'https://example.org/' } },
      ['origin_not_allowed'],
    ],
    [
      'a lookalike domain is not allowed',
      {
        headers: fromOrigin('https://evil-example.org'),
        payload: { url: 'https://evil-example.org/' },
      },
      ['origin_not_allowed'],
    ],
    [
      'an allowed name used as a prefix of another domain is not allowed',
      {
        headers: fromOrigin('https://shop.example.com.evil.net'),
        payload: { url: 'https://shop.example.com.evil.net/' },
      },
      ['origin_not_allowed'],
    ],
    [
      'another port is another origin',
      {
        headers: fromOrigin('https://shop.example.com:8443'),
        payload: { url: 'https://shop.example.com:8443/' },
      },
      ['origin_not_allowed'],
    ],
    [
      'plain http is another origin',
      {
        headers: fromOrigin('http://shop.example.com'),
        payload: { url: 'http://shop.example.com/' },
      },
      ['origin_not_allowed'],
    ],
    [
      'localhost on a live key is not allowed even when listed',
      {
        headers: fromOrigin('http://localhost:3000'),
        payload: { url: 'http://localhost:3000/' },
        site: { allowedOrigins: ['http://localhost:3000'] },
      },
      ['origin_not_allowed'],
    ],
    [
      'localhost on a test key is allowed when listed',
      {
        headers: fromOrigin('http://localhost:3000'),
        payload: { url: 'http://localhost:3000/' },
        site: { mode: 'test', allowedOrigins: ['http://localhost:3000'] },
      },
      [],
    ],
    ['a missing Origin header', { headers: fromOrigin(null) }, ['origin_missing']],
    [
      'a missing Origin header with a page URL off the allowlist',
      { headers: fromOrigin(null), payload: { url: 'https://evil.example.net/' } },
      ['origin_missing', 'page_origin_not_allowed'],
    ],
    [
      'an opaque origin',
      { headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Origin: 'null' }) },
      ['origin_opaque'],
    ],
    [
      'an Origin header with a path',
      {
        headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Origin: 'https://shop.example.com/cart' }),
      },
      ['origin_malformed'],
    ],
    [
      'an Origin header in upper case is a valid origin, but not as browsers send it',
      { headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Origin: 'https://SHOP.example.com' }) },
      ['origin_not_canonical'],
    ],
    [
      'an Origin header with the default port written out',
      {
        headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Origin: 'https://shop.example.com:443' }),
      },
      ['origin_not_canonical'],
    ],
    [
      'a page URL from another allowed origin than the Origin header',
      { payload: { url: 'https://blog.example.org/post' } },
      ['page_origin_mismatch'],
    ],
    [
      'a page URL that is not http(s)',
      { payload: { url: 'javascript:alert(1)' } },
      ['page_url_invalid'],
    ],
    ['a page URL that does not parse', { payload: { url: 'not a url' } }, ['page_url_invalid']],
    [
      'a page URL with userinfo still has the right origin',
      { payload: { url: 'https://user@shop.example.com/' } },
      [],
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(firing(overrides, ORIGIN_CODES)).toEqual(expected);
  });

  test('stores the normalised Origin, and the raw text only when it does not parse', () => {
    expect(
      deriveSignals(
        F.facts({
          headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Origin: 'https://SHOP.example.com' }),
        }),
      ).origin,
    ).toEqual({
      value: 'https://shop.example.com',
      status: 'allowed',
      canonical: false,
    });
    expect(
      deriveSignals(
        F.facts({ headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Origin: 'x'.repeat(500) }) }),
      ).origin,
    ).toEqual({
      value: 'x'.repeat(200),
      status: 'malformed',
      canonical: null,
    });
  });
});

describe('referrer signal', () => {
  test.each<[string, F.FactsOverrides, ReasonCode[]]>([
    ['an origin-only Referer (the default policy cross-site) is not punished', {}, []],
    [
      'a full Referer equal to the page URL is consistent',
      { headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Referer: F.PAGE_URL }) },
      [],
    ],
    [
      'a full Referer ignores the fragment of the page URL',
      {
        headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Referer: F.PAGE_URL }),
        payload: { url: `${F.PAGE_URL}#reviews` },
      },
      [],
    ],
    [
      'no Referer (strict policy or privacy setting)',
      { headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Referer: null }) },
      ['referrer_absent'],
    ],
    [
      'a Referer from another origin than Origin',
      { headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Referer: 'https://www.google.com/' }) },
      ['referrer_origin_mismatch'],
    ],
    [
      'a full Referer of another page of the same origin',
      {
        headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, {
          Referer: 'https://shop.example.com/cart',
        }),
      },
      ['referrer_page_mismatch'],
    ],
    [
      'a Referer that is not a URL',
      { headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Referer: 'about:blank' }) },
      ['referrer_origin_mismatch'],
    ],
    [
      'without an Origin header the Referer is compared with the page URL',
      {
        headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, {
          Origin: null,
          Referer: 'https://other.example.net/',
        }),
      },
      ['referrer_origin_mismatch'],
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(firing(overrides, REFERRER_CODES)).toEqual(expected);
  });

  test('keeps only the origin of the Referer, never its path or query', () => {
    const signals = deriveSignals(
      F.facts({
        headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, { Referer: `${F.PAGE_URL}&email=a@b.c` }),
      }),
    );
    expect(signals.referrer).toEqual({
      kind: 'full',
      origin: 'https://shop.example.com',
      matchesOrigin: true,
      matchesPage: false,
    });
    expect(JSON.stringify(signals)).not.toContain('email');
  });
});
