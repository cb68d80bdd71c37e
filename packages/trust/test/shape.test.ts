import { describe, expect, test } from 'vitest';
import {
  DEFAULT_RULES,
  applyOverride,
  classifyUserAgent,
  deriveSignals,
  score,
  type LibraryFingerprint,
  type ReasonCode,
  type UaFamily,
} from '../src/index.js';
import * as F from '../fixtures/index.js';

const SHAPE_CODES: ReasonCode[] = [
  'sec_fetch_missing',
  'sec_fetch_inconsistent',
  'client_hints_missing',
  'client_hints_mismatch',
  'ua_missing',
  'ua_http_library',
  'ua_automation',
  'ua_not_browser',
  'headers_library_fingerprint',
  'header_casing_atypical',
  'browser_headers_missing',
  'content_type_atypical',
  'header_duplicated',
];

function firing(o: F.FactsOverrides, rules = DEFAULT_RULES): ReasonCode[] {
  return score(deriveSignals(F.facts(o)), rules)
    .reasons.map((r) => r.code)
    .filter((c) => SHAPE_CODES.includes(c));
}

const beacon = (changes: Record<string, string | null>) => ({
  headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, changes),
});

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

describe('client hints against the User-Agent', () => {
  test.each<[string, Record<string, string | null>, ReasonCode[]]>([
    ['consistent hints', {}, []],
    [
      'missing on Chromium 131',
      { 'sec-ch-ua': null, 'sec-ch-ua-mobile': null, 'sec-ch-ua-platform': null },
      ['client_hints_missing'],
    ],
    [
      'brand version differs from the UA',
      { 'sec-ch-ua': '"Chromium";v="120", "Google Chrome";v="120"' },
      ['client_hints_mismatch'],
    ],
    [
      'platform differs from the UA',
      { 'sec-ch-ua-platform': '"macOS"' },
      ['client_hints_mismatch'],
    ],
    ['mobile flag on a desktop UA', { 'sec-ch-ua-mobile': '?1' }, ['client_hints_mismatch']],
    ['an unparsable brand list', { 'sec-ch-ua': 'Chrome 131' }, ['client_hints_mismatch']],
    ['an unparsable mobile flag', { 'sec-ch-ua-mobile': 'yes' }, ['client_hints_mismatch']],
    ['an unknown platform value is not judged', { 'sec-ch-ua-platform': '"Fuchsia"' }, []],
  ])('%s', (_name, changes, expected) => {
    expect(firing(beacon(changes))).toEqual(expected);
  });

  test('Edge, Opera and Brave carry their own brand next to Chromium', () => {
    const edgeUa = `${F.CHROME_UA} Edg/131.0.0.0`;
    expect(
      firing(
        beacon({
          'User-Agent': edgeUa,
          'sec-ch-ua': '"Microsoft Edge";v="131", "Chromium";v="131", "Not_A Brand";v="24"',
        }),
      ),
    ).toEqual([]);
    const operaUa = `${F.CHROME_UA} OPR/116.0.0.0`;
    expect(
      firing(
        beacon({
          'User-Agent': operaUa,
          'sec-ch-ua': '"Opera";v="116", "Chromium";v="131", "Not_A Brand";v="24"',
        }),
      ),
    ).toEqual([]);
  });

  test('Android "request desktop site" keeps the Android platform hint: not a contradiction', () => {
    const desktopUa =
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36';
    const headers = F.withHeaders(F.CHROME_ANDROID_SEND_BEACON, {
      'User-Agent': desktopUa,
      'sec-ch-ua-mobile': '?0',
    });
    expect(firing({ headers })).toEqual([]);
  });

  test('Firefox sending client hints contradicts its UA', () => {
    const headers = F.appendHeaders(F.FIREFOX_SEND_BEACON, [['Sec-CH-UA', F.CHROME_BRANDS]]);
    expect(firing({ headers })).toEqual(expect.arrayContaining(['client_hints_mismatch']));
  });

  test('Android WebView is not expected to send hints', () => {
    const webview =
      'Mozilla/5.0 (Linux; Android 13; Pixel 7 Build/TQ3A.230805.001; wv) AppleWebKit/537.36 (KHTML, like Gecko) Version/4.0 Chrome/131.0.6778.81 Mobile Safari/537.36';
    const headers = F.withHeaders(F.CHROME_ANDROID_SEND_BEACON, {
      'User-Agent': webview,
      'sec-ch-ua': null,
      'sec-ch-ua-mobile': null,
      'sec-ch-ua-platform': null,
    });
    expect(firing({ headers })).toEqual([]);
  });
});

describe('User-Agent claims', () => {
  test.each<[string, UaFamily, string | null]>([
    [F.CHROME_UA, 'chromium', null],
    [F.CHROME_ANDROID_UA, 'chromium', null],
    [F.FIREFOX_UA, 'firefox', null],
    [F.SAFARI_UA, 'webkit', null],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) CriOS/131.0.6778.73 Mobile/15E148 Safari/604.1',
      'webkit',
      null,
    ],
    [
      'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
      'webkit',
      null,
    ],
    ['curl/8.5.0', 'library', 'curl'],
    ['python-requests/2.32.3', 'library', 'python-requests'],
    ['Python/3.12 aiohttp/3.9.5', 'library', 'python'],
    ['Go-http-client/1.1', 'library', 'go-http-client'],
    ['Go-http-client/2.0', 'library', 'go-http-client'],
    ['node', 'library', 'node'],
    ['undici', 'library', 'undici'],
    ['axios/1.7.2', 'library', 'axios'],
    ['okhttp/4.12.0', 'library', 'okhttp'],
    ['Wget/1.21.3', 'library', 'wget'],
    ['Java/17.0.2', 'library', 'java'],
    ['PostmanRuntime/7.39.0', 'library', 'postmanruntime'],
    [
      'Mozilla/5.0 (Windows NT; Windows NT 10.0; en-US) WindowsPowerShell/5.1.22621.2506',
      'library',
      'powershell',
    ],
    [
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36',
      'automation',
      'headlesschrome',
    ],
    [
      'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
      'automation',
      'googlebot',
    ],
    [
      'Mozilla/5.0 AppleWebKit/537.36 (KHTML, like Gecko; compatible; GPTBot/1.2; +https://openai.com/gptbot)',
      'automation',
      'gptbot',
    ],
    [
      'Mozilla/5.0 (Linux; Android 12; CUBOT X30) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
      'chromium',
      null,
    ],
    ['Opera/9.80 (Windows NT 6.1) Presto/2.12.388 Version/12.16', 'other', null],
    ['my-scraper', 'other', null],
    ['', 'none', null],
  ])('%s is %s', (ua, family, tool) => {
    const claim = classifyUserAgent(ua);
    expect(claim.family).toBe(family);
    expect(claim.tool).toBe(tool);
  });

  test.each<[string, Record<string, string | null>, ReasonCode[]]>([
    ['no User-Agent', { 'User-Agent': null }, ['ua_missing']],
    ['an unknown agent', { 'User-Agent': 'my-scraper/0.1' }, ['ua_not_browser']],
    ['a library agent', { 'User-Agent': 'axios/1.7.2' }, ['ua_http_library']],
  ])('%s', (_name, changes, expected) => {
    // Client hints are removed too, so that only the UA reason is left to see.
    expect(
      firing(
        beacon({
          ...changes,
          'sec-ch-ua': null,
          'sec-ch-ua-mobile': null,
          'sec-ch-ua-platform': null,
        }),
      ),
    ).toEqual(expected);
  });

  test('stores at most 256 characters of the User-Agent', () => {
    const long = `${F.CHROME_UA} ${'x'.repeat(1000)}`;
    expect(deriveSignals(F.facts(beacon({ 'User-Agent': long }))).shape.ua).toHaveLength(256);
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
