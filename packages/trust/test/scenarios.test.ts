import { describe, expect, test } from 'vitest';
import { DEFAULT_RULES, deriveSignals, score, type Verdict } from '../src/index.js';
import * as F from '../fixtures/index.js';

const run = (o: F.FactsOverrides = {}) => score(deriveSignals(F.facts(o)), DEFAULT_RULES);
const codes = (o: F.FactsOverrides = {}) => run(o).reasons.map((r) => r.code);

describe('the shipped defaults decide the cases the issue pins', () => {
  test('a real Chromium sendBeacon page view from an allowlisted origin without a page token is trusted', () => {
    const result = run();
    expect(result.verdict).toBe('trusted');
    expect(result.reasons).toEqual([]);
  });

  test('with a valid page token it is trusted with a wide margin', () => {
    const result = run({ token: F.VALID_TOKEN });
    expect(result.verdict).toBe('trusted');
    expect(result.score - DEFAULT_RULES.thresholds.trusted).toBeGreaterThanOrEqual(0.3);
    expect(result.reasons.map((r) => r.code)).toEqual(['page_token_valid']);
  });

  test('a curl request with a forged Origin and no browser request shape is suspect or worse', () => {
    const result = run({ headers: F.CURL_FORGED_ORIGIN });
    expect(result.verdict).not.toBe('trusted');
    expect(result.reasons.map((r) => r.code)).toEqual(
      expect.arrayContaining(['ua_http_library', 'headers_library_fingerprint']),
    );
  });

  test('curl dressed with a Chrome user agent and copied headers is still not trusted', () => {
    expect(run({ headers: F.CURL_DRESSED_AS_CHROME }).verdict).not.toBe('trusted');
  });

  test('a wrong origin is fraud, even with a valid page token and attestation', () => {
    const result = run({
      headers: F.withHeaders(F.CHROMIUM_SEND_BEACON, {
        Origin: 'https://evil.example.net',
        Referer: 'https://evil.example.net/',
      }),
      payload: { url: 'https://evil.example.net/' },
      token: F.VALID_TOKEN,
      attestation: { status: 'valid' },
    });
    expect(result.verdict).toBe('fraud');
    expect(result.reasons.map((r) => r.code)).toContain('origin_not_allowed');
  });

  test('a replayed page token is fraud, even with a valid attestation', () => {
    const result = run({
      token: { status: 'replayed', ageMs: 4000, ttlMs: 600_000 },
      attestation: { status: 'valid' },
    });
    expect(result.verdict).toBe('fraud');
    expect(result.reasons.map((r) => r.code)).toContain('page_token_replayed');
  });
});

describe('the cases of the held-out evaluation (issue 13)', () => {
  // A visitor who leaves about a second after arriving, before load: sendBeacon at pagehide.
  const BOUNCE = { nav: 0, start: 1047.3, checks: 1.4, send: 1049.1 };

  test.each([
    ['without a page token', undefined],
    ['with a valid page token', F.VALID_TOKEN],
  ] as const)('a bounce before load is trusted, %s', (_name, token) => {
    const result = run({ timing: BOUNCE, ...(token ? { token } : {}) });
    expect(result.verdict).toBe('trusted');
    expect(result.reasons.map((r) => r.code)).not.toContain('timing_zero');
  });

  test('a soft navigation with a fresh token on a site that requires tokens is trusted', () => {
    const result = run({
      payload: { seq: 3 },
      timing: { nav: 520, start: 10_183.6, checks: 0.1, send: 10_183.8 },
      site: { pageTokenRequired: true },
      token: { status: 'valid', ageMs: 514, ttlMs: 600_000 },
    });
    expect(result.verdict).toBe('trusted');
  });

  test('a later beacon without a token on such a site is fraud, as any page view without one', () => {
    const result = run({ payload: { seq: 3 }, site: { pageTokenRequired: true } });
    expect(result.verdict).toBe('fraud');
    expect(result.reasons.map((r) => r.code)).toContain('page_token_required');
  });

  test('a valid token used too young is not trusted on its own', () => {
    const result = run({ token: { status: 'valid', ageMs: 12, ttlMs: 600_000 } });
    expect(result.verdict).toBe('suspect');
    expect(result.reasons.map((r) => r.code)).toEqual(['page_token_valid', 'token_too_young']);
  });

  test.each([
    ['a day-long load time', { nav: 86_400_000, start: 86_400_000, checks: 0, send: 86_400_000 }],
    ['every timing at -1', { nav: -1, start: -1, checks: -1, send: -1 }],
  ])('%s is not trusted', (_name, timing) => {
    expect(run({ timing }).verdict).not.toBe('trusted');
  });

  test('the 30th beacon in a second from one address is not trusted, whatever the user agent', () => {
    const result = run({
      cadence: { address: { lastSecond: 29, lastTenSeconds: 29, lastMinute: 29 } },
    });
    expect(result.verdict).not.toBe('trusted');
    expect(result.reasons.map((r) => r.code)).toContain('cadence_address_burst');
  });

  test('a beacon after 20 other addresses of its network in a second is not trusted', () => {
    const result = run({
      cadence: { network: { lastSecond: 20, lastTenSeconds: 20, lastMinute: 20 } },
    });
    expect(result.verdict).not.toBe('trusted');
    expect(result.reasons.map((r) => r.code)).toEqual(['cadence_network_burst']);
  });
});

describe('each client fixture, scored with the defaults', () => {
  test.each<[string, F.HeaderList, Verdict, Verdict, string[]]>([
    // name, headers, verdict without token, verdict with a valid token, reasons that must fire
    ['Chromium sendBeacon', F.CHROMIUM_SEND_BEACON, 'trusted', 'trusted', []],
    ['Chromium fetch keepalive', F.CHROMIUM_FETCH_KEEPALIVE, 'trusted', 'trusted', []],
    ['Chrome on Android', F.CHROME_ANDROID_SEND_BEACON, 'trusted', 'trusted', []],
    ['Chromium behind an HTTP/2 proxy', F.CHROMIUM_VIA_H2_PROXY, 'trusted', 'trusted', []],
    ['Firefox sendBeacon', F.FIREFOX_SEND_BEACON, 'trusted', 'trusted', []],
    ['Safari sendBeacon', F.SAFARI_SEND_BEACON, 'trusted', 'trusted', []],
    [
      'headless Chromium (Playwright)',
      F.HEADLESS_CHROMIUM_SEND_BEACON,
      'suspect',
      'trusted',
      ['ua_automation'],
    ],
    [
      'curl',
      F.CURL_FORGED_ORIGIN,
      'fraud',
      'fraud',
      ['ua_http_library', 'headers_library_fingerprint', 'content_type_atypical'],
    ],
    [
      'curl dressed as Chrome',
      F.CURL_DRESSED_AS_CHROME,
      'fraud',
      'fraud',
      ['headers_library_fingerprint', 'header_casing_atypical', 'client_hints_missing'],
    ],
    [
      'python-requests',
      F.PYTHON_REQUESTS,
      'fraud',
      'fraud',
      ['ua_http_library', 'headers_library_fingerprint'],
    ],
    [
      'python-requests dressed as Chrome',
      F.PYTHON_REQUESTS_DRESSED_AS_CHROME,
      'fraud',
      'suspect',
      ['headers_library_fingerprint', 'client_hints_missing'],
    ],
    [
      'Node fetch (undici)',
      F.UNDICI_FETCH,
      'fraud',
      'fraud',
      ['ua_http_library', 'headers_library_fingerprint', 'sec_fetch_inconsistent'],
    ],
    [
      'Node fetch dressed as Chrome',
      F.UNDICI_DRESSED_AS_CHROME,
      'fraud',
      'fraud',
      ['headers_library_fingerprint', 'header_casing_atypical'],
    ],
    [
      'Go net/http',
      F.GO_NET_HTTP,
      'fraud',
      'fraud',
      ['ua_http_library', 'headers_library_fingerprint'],
    ],
    [
      'Go dressed as Chrome',
      F.GO_DRESSED_AS_CHROME,
      'fraud',
      'fraud',
      ['headers_library_fingerprint', 'header_casing_atypical', 'browser_headers_missing'],
    ],
  ])('%s', (_name, headers, withoutToken, withToken, mustFire) => {
    expect(run({ headers }).verdict).toBe(withoutToken);
    expect(run({ headers, token: F.VALID_TOKEN }).verdict).toBe(withToken);
    expect(codes({ headers })).toEqual(expect.arrayContaining(mustFire));
  });

  test('real browsers fire no request-shape reason at all', () => {
    for (const headers of [
      F.CHROMIUM_SEND_BEACON,
      F.CHROMIUM_FETCH_KEEPALIVE,
      F.CHROME_ANDROID_SEND_BEACON,
      F.CHROMIUM_VIA_H2_PROXY,
      F.FIREFOX_SEND_BEACON,
      F.SAFARI_SEND_BEACON,
    ]) {
      expect(codes({ headers })).toEqual([]);
    }
  });
});
