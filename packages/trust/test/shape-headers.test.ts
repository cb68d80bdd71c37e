// Request shape: the header block itself (library fingerprints, Sec-Fetch-*, casing, duplicates).
import { describe, expect, test } from 'vitest';
import {
  DEFAULT_RULES,
  applyOverride,
  deriveSignals,
  type LibraryFingerprint,
  type ReasonCode,
} from '../src/index.js';
import * as F from '../fixtures/index.js';
import { firing, beacon } from './support/shape.js';

describe('raw header order fingerprints', () => {
  test.each<[string, F.HeaderList, LibraryFingerprint | null]>([
    ['Chromium sendBeacon', F.CHROMIUM_SEND_BEACON, null],
    ['Chromium fetch keepalive', F.CHROMIUM_FETCH_KEEPALIVE, null],
    ['Chrome on Android', F.CHROME_ANDROID_SEND_BEACON, null],
    ['Chromium behind an HTTP/2 proxy', F.CHROMIUM_VIA_H2_PROXY, null],
    ['Firefox', F.FIREFOX_SEND_BEACON, null],
    ['Safari', F.SAFARI_SEND_BEACON, null],
    ['headless Chromium', F.HEADLESS_CHROMIUM_SEND_BEACON, null],
    ['curl', F.CURL_FORGED_ORIGIN, 'curl'],
    ['curl dressed as Chrome', F.CURL_DRESSED_AS_CHROME, 'curl'],
    [
      'curl with -H User-Agent (its own UA slot empties)',
      F.withHeaders(F.CURL_FORGED_ORIGIN, { 'User-Agent': null }),
      'curl',
    ],
    [
      'curl posting a large body (Expect: 100-continue)',
      F.appendHeaders(F.CHROMIUM_SEND_BEACON, [['Expect', '100-continue']]),
      'curl',
    ],
    ['python-requests', F.PYTHON_REQUESTS, 'python_requests'],
    ['python-requests dressed as Chrome', F.PYTHON_REQUESTS_DRESSED_AS_CHROME, 'python_requests'],
    ['Node fetch (undici)', F.UNDICI_FETCH, 'undici'],
    ['Node fetch dressed as Chrome', F.UNDICI_DRESSED_AS_CHROME, 'undici'],
    ['Go net/http', F.GO_NET_HTTP, 'go_net_http'],
    ['Go dressed as Chrome', F.GO_DRESSED_AS_CHROME, 'go_net_http'],
  ])('%s: %s', (_name, headers, expected) => {
    expect(deriveSignals(F.facts({ headers })).shape.fingerprint).toBe(expected);
  });

  test('keeps the header order for forensics, without values', () => {
    const { headerOrder } = deriveSignals(F.facts({ headers: F.CURL_FORGED_ORIGIN })).shape;
    expect(headerOrder).toBe('Host,User-Agent,Accept,Content-Type,Origin,Content-Length');
  });

  test('caps the stored header order', () => {
    const many: F.HeaderList = Array.from(
      { length: 100 },
      (_, i) => [`X-Header-Number-${i}`, 'v'] as const,
    );
    const { headerOrder } = deriveSignals(
      F.facts({ headers: F.appendHeaders(F.CHROMIUM_SEND_BEACON, many) }),
    ).shape;
    expect(headerOrder.length).toBeLessThanOrEqual(600);
    expect(headerOrder.split(',').length).toBeLessThanOrEqual(40);
  });
});

describe('Sec-Fetch headers', () => {
  test.each<[string, Record<string, string | null>, ReasonCode[]]>([
    ['sendBeacon: cross-site, no-cors, empty', {}, []],
    ['fetch keepalive: cors', { 'Sec-Fetch-Mode': 'cors' }, []],
    ['a page on a sibling subdomain: same-site', { 'Sec-Fetch-Site': 'same-site' }, []],
    ['a first-party proxied beacon: same-origin', { 'Sec-Fetch-Site': 'same-origin' }, []],
    [
      'all three missing on a modern Chromium',
      { 'Sec-Fetch-Site': null, 'Sec-Fetch-Mode': null, 'Sec-Fetch-Dest': null },
      ['sec_fetch_missing'],
    ],
    [
      'only one of the three',
      { 'Sec-Fetch-Mode': null, 'Sec-Fetch-Dest': null },
      ['sec_fetch_inconsistent'],
    ],
    ['a typed-in navigation: site none', { 'Sec-Fetch-Site': 'none' }, ['sec_fetch_inconsistent']],
    [
      'a form navigation: mode navigate',
      { 'Sec-Fetch-Mode': 'navigate' },
      ['sec_fetch_inconsistent'],
    ],
    [
      'a document request: dest document',
      { 'Sec-Fetch-Dest': 'document' },
      ['sec_fetch_inconsistent'],
    ],
    ['an image request: dest image', { 'Sec-Fetch-Dest': 'image' }, ['sec_fetch_inconsistent']],
  ])('%s', (_name, changes, expected) => {
    expect(firing(beacon(changes))).toEqual(expected);
  });

  test('Sec-Fetch-User only comes with user-activated navigations', () => {
    expect(
      firing({ headers: F.appendHeaders(F.CHROMIUM_SEND_BEACON, [['Sec-Fetch-User', '?1']]) }),
    ).toEqual(['sec_fetch_inconsistent']);
  });

  test('a browser too old for Sec-Fetch-* is not expected to send them', () => {
    const oldChrome =
      'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/75.0.3770.142 Safari/537.36';
    const headers = F.withHeaders(F.CHROMIUM_SEND_BEACON, {
      'User-Agent': oldChrome,
      'Sec-Fetch-Site': null,
      'Sec-Fetch-Mode': null,
      'Sec-Fetch-Dest': null,
      'Sec-Fetch-Storage-Access': null,
      'sec-ch-ua': null,
      'sec-ch-ua-mobile': null,
      'sec-ch-ua-platform': null,
    });
    expect(firing({ headers })).toEqual([]);
  });
});

describe('other request-shape details', () => {
  test.each<[string, F.FactsOverrides, ReasonCode[]]>([
    [
      'Accept-Language missing from a browser',
      beacon({ 'Accept-Language': null }),
      ['browser_headers_missing'],
    ],
    [
      'Accept and Accept-Encoding missing from a browser',
      beacon({ Accept: null, 'Accept-Encoding': null }),
      ['browser_headers_missing'],
    ],
    [
      'Content-Type typed by hand',
      beacon({ 'Content-Type': 'text/plain' }),
      ['content_type_atypical'],
    ],
    [
      'Content-Type in another spelling',
      beacon({ 'Content-Type': 'text/plain; charset=utf-8' }),
      ['content_type_atypical'],
    ],
    ['no Content-Type', beacon({ 'Content-Type': null }), ['content_type_atypical']],
    [
      'a second Origin header',
      {
        headers: F.appendHeaders(F.CHROMIUM_SEND_BEACON, [['Origin', 'https://evil.example.net']]),
      },
      ['header_duplicated'],
    ],
  ])('%s', (_name, overrides, expected) => {
    expect(firing(overrides)).toEqual(expected);
  });

  test('a duplicated header keeps the first value, as the browser sent it', () => {
    const headers = F.appendHeaders(F.CHROMIUM_SEND_BEACON, [
      ['Origin', 'https://evil.example.net'],
    ]);
    const signals = deriveSignals(F.facts({ headers }));
    expect(signals.origin.value).toBe('https://shop.example.com');
    expect(signals.shape.duplicated).toEqual(['origin']);
  });

  test('casing: Chromium over HTTP/1.1 writes sec-ch-ua lower case and Sec-Fetch-* title case', () => {
    const upperHints = F.CHROMIUM_SEND_BEACON.map(
      ([n, v]) => [n.startsWith('sec-ch-') ? n.replace('sec-ch-ua', 'Sec-CH-UA') : n, v] as const,
    );
    expect(firing({ headers: upperHints })).toEqual(['header_casing_atypical']);
    const lowerFetch = F.CHROMIUM_SEND_BEACON.map(
      ([n, v]) => [n.startsWith('Sec-Fetch-') ? n.toLowerCase() : n, v] as const,
    );
    expect(firing({ headers: lowerFetch })).toEqual(['header_casing_atypical']);
  });

  test('casing is not judged when the whole block is lower case (HTTP/2 behind a proxy)', () => {
    expect(deriveSignals(F.facts({ headers: F.CHROMIUM_VIA_H2_PROXY })).shape.casingAtypical).toBe(
      false,
    );
  });

  test('the expected Content-Type is a rule', () => {
    const rules = applyOverride(DEFAULT_RULES, {
      shape: { expectedContentTypes: ['text/plain;charset=UTF-8', 'text/plain'] },
    });
    expect(firing(beacon({ 'Content-Type': 'text/plain' }), rules)).toEqual([]);
  });

  test('a deployment behind a header-rewriting proxy can switch the header-order signals off', () => {
    const rules = applyOverride(DEFAULT_RULES, {
      weights: { headers_library_fingerprint: 0, header_casing_atypical: 0 },
    });
    expect(firing({ headers: F.GO_DRESSED_AS_CHROME }, rules)).toEqual(['browser_headers_missing']);
  });
});
