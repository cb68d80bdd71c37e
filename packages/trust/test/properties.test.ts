import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_RULES,
  REASON_CODES,
  WEIGHTED_REASON_CODES,
  deriveSignals,
  rulesSchema,
  score,
  type AttestationStatus,
  type ReasonCode,
  type RequestFacts,
  type Rules,
  type Signals,
  type TokenStatus,
  type Verdict,
} from '../src/index.js';
import * as F from './fixtures.js';

// ---- generators ----------------------------------------------------------------------------------

const TOKEN_STATUSES: TokenStatus[] = [
  'missing',
  'valid',
  'malformed',
  'bad_signature',
  'unknown_key',
  'revoked_key',
  'expired_key',
  'expired',
  'not_yet_valid',
  'wrong_site',
  'wrong_origin',
  'wrong_path',
  'replayed',
];
const ATTESTATION_STATUSES: AttestationStatus[] = [
  'absent',
  'valid',
  'invalid',
  'double_spent',
  'wrong_origin',
  'expired_key',
];
const ORIGINS = [
  'https://shop.example.com',
  'https://blog.example.org',
  'https://evil.example.net',
  'http://localhost:3000',
  'null',
];
const UAS = [F.CHROME_UA, F.FIREFOX_UA, F.SAFARI_UA, 'curl/8.5.0', 'python-requests/2.32.3', ''];
const CONTENT_TYPES = ['text/plain;charset=UTF-8', 'text/plain', 'application/json'];

const weight = (code: (typeof WEIGHTED_REASON_CODES)[number]) =>
  REASON_CODES[code].kind === 'bonus'
    ? fc.integer({ min: 0, max: 10_000 }).map((x) => x / 10_000)
    : fc.integer({ min: -10_000, max: 0 }).map((x) => x / 10_000);

/** Any valid rule set: random weights of the right sign, ordered thresholds, small block lists. */
const arbRules: fc.Arbitrary<Rules> = fc
  .record({
    weights: fc.record(
      Object.fromEntries(WEIGHTED_REASON_CODES.map((c) => [c, weight(c)])) as Record<
        (typeof WEIGHTED_REASON_CODES)[number],
        fc.Arbitrary<number>
      >,
    ),
    cuts: fc
      .array(fc.integer({ min: 0, max: 10_000 }), { minLength: 3, maxLength: 3 })
      .map((xs) => xs.sort((a, b) => a - b)),
    version: fc.nat({ max: 1000 }),
    minTokenAgeMs: fc.integer({ min: 0, max: 5000 }),
    toleranceMs: fc.integer({ min: 0, max: 50 }),
    burstPerMinute: fc.integer({ min: 1, max: 100 }),
    minIntervals: fc.integer({ min: 2, max: 8 }),
    regularCv: fc.integer({ min: 0, max: 100 }).map((x) => x / 100),
    expectedContentTypes: fc.subarray(CONTENT_TYPES, { minLength: 1 }),
    pageTokenRequired: fc.boolean(),
    blockIps: fc.subarray(['203.0.113.0/24', '10.0.0.0/8', '2001:db8::/32']),
    blockUserAgents: fc.subarray(['python', 'headless', 'curl/']),
    blockOrigins: fc.subarray(['https://evil.example.net', 'https://*.example.org']),
  })
  .map((g) =>
    rulesSchema.parse({
      schema: 1,
      version: g.version,
      base: (g.cuts[2] as number) / 10_000,
      thresholds: {
        trusted: (g.cuts[1] as number) / 10_000,
        suspect: (g.cuts[0] as number) / 10_000,
      },
      weights: g.weights,
      timing: { minTokenAgeMs: g.minTokenAgeMs, toleranceMs: g.toleranceMs },
      cadence: {
        burstPerMinute: g.burstPerMinute,
        minIntervals: g.minIntervals,
        regularCv: g.regularCv,
      },
      shape: { expectedContentTypes: g.expectedContentTypes },
      hard: {
        pageTokenRequired: g.pageTokenRequired,
        blockIps: g.blockIps,
        blockUserAgents: g.blockUserAgents,
        blockOrigins: g.blockOrigins,
      },
    }),
  );

/** Mostly the value a clean browser event has, sometimes anything: failing states stay reachable, passing ones common. */
const mostly = <T>(clean: T, arb: fc.Arbitrary<T>): fc.Arbitrary<T> =>
  fc.oneof({ arbitrary: fc.constant(clean), weight: 2 }, { arbitrary: arb, weight: 1 });

const ms = fc.oneof(
  fc.constant(-1),
  fc.constant(0),
  fc.integer({ min: 1, max: 20_000 }),
  fc.double({ min: 0, max: 20_000, noNaN: true }),
);
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

/**
 * Any Signals object, including combinations deriveSignals would never produce; each field is
 * biased towards what a clean browser event has, so that every signal is often passing.
 */
const arbSignals: fc.Arbitrary<Signals> = fc.record({
  v: fc.constant(1 as const),
  mode: fc.constantFrom('live' as const, 'test' as const),
  ip: fc.constantFrom(
    { family: 4 as const, prefix: '203.0.113.0/24' },
    { family: 4 as const, prefix: '198.51.100.0/24' },
    { family: 6 as const, prefix: '2001:db8:1::/48' },
    { family: null, prefix: null },
  ),
  origin: fc.record({
    value: mostly<string | null>('https://shop.example.com', maybe(fc.constantFrom(...ORIGINS))),
    status: mostly<Signals['origin']['status']>(
      'allowed',
      fc.constantFrom(
        'allowed',
        'not_allowed',
        'loopback_on_live',
        'missing',
        'opaque',
        'malformed',
      ),
    ),
    canonical: mostly<boolean | null>(true, maybe(fc.boolean())),
  }),
  page: fc.record({
    origin: mostly<string | null>(
      'https://shop.example.com',
      maybe(fc.constantFrom(...ORIGINS.slice(0, 4))),
    ),
    allowed: mostly<boolean | null>(true, maybe(fc.boolean())),
    sameAsOrigin: mostly<boolean | null>(true, maybe(fc.boolean())),
    seq: fc.nat(20),
  }),
  referrer: fc.record({
    kind: mostly<Signals['referrer']['kind']>(
      'origin_only',
      fc.constantFrom('absent', 'origin_only', 'full', 'malformed'),
    ),
    origin: mostly<string | null>(
      'https://shop.example.com',
      maybe(fc.constantFrom(...ORIGINS.slice(0, 4))),
    ),
    matchesOrigin: mostly<boolean | null>(true, maybe(fc.boolean())),
    matchesPage: mostly<boolean | null>(null, maybe(fc.boolean())),
  }),
  token: fc.record({
    status: mostly<TokenStatus>('valid', fc.constantFrom(...TOKEN_STATUSES)),
    ageMs: mostly<number | null>(1800, maybe(fc.integer({ min: -5000, max: 2_000_000 }))),
    ttlMs: mostly<number | null>(600_000, maybe(fc.integer({ min: 0, max: 1_000_000 }))),
    required: fc.boolean(),
  }),
  attestation: fc.record({
    status: mostly<AttestationStatus>('valid', fc.constantFrom(...ATTESTATION_STATUSES)),
  }),
  timing: mostly(
    { nav: 1234.5, start: 1301.2, checks: 8.4, send: 1310.9, ttfb: 210.3 as number | null },
    fc.record({ nav: ms, start: ms, checks: ms, send: ms, ttfb: maybe(ms) }),
  ).chain((t) =>
    fc.nat(3).map((identicalRepeats) => ({
      ...t,
      identicalRepeats: identicalRepeats > 1 ? 0 : identicalRepeats,
    })),
  ),
  cadence: fc.record({
    lastMinute: mostly(0, fc.nat(200)),
    intervals: fc.nat(8),
    meanMs: maybe(fc.nat(100_000)),
    cv: mostly<number | null>(null, maybe(fc.integer({ min: 0, max: 300 }).map((x) => x / 100))),
  }),
  shape: fc.record({
    ua: fc.constantFrom(...UAS),
    uaFamily: mostly<Signals['shape']['uaFamily']>(
      'chromium',
      fc.constantFrom('chromium', 'firefox', 'webkit', 'library', 'automation', 'other', 'none'),
    ),
    uaMajor: maybe(fc.nat(200)),
    uaTool: maybe(fc.constantFrom('curl', 'headlesschrome')),
    secFetchExpected: fc.boolean(),
    secFetchSite: mostly<string | null>(
      'cross-site',
      maybe(fc.constantFrom('cross-site', 'same-site', 'same-origin', 'none')),
    ),
    secFetchMode: mostly<string | null>(
      'no-cors',
      maybe(fc.constantFrom('no-cors', 'cors', 'navigate')),
    ),
    secFetchDest: mostly<string | null>(
      'empty',
      maybe(fc.constantFrom('empty', 'document', 'image')),
    ),
    secFetchUser: mostly<string | null>(null, maybe(fc.constant('?1'))),
    hintsExpected: fc.boolean(),
    hintsPresent: mostly(true, fc.boolean()),
    hintsMismatch: mostly<string[]>(
      [],
      fc.subarray(['brand_version', 'platform', 'mobile', 'non_chromium', 'malformed']),
    ),
    fingerprint: mostly<Signals['shape']['fingerprint']>(
      null,
      maybe(fc.constantFrom('curl', 'python_requests', 'undici', 'go_net_http')),
    ),
    casingAtypical: mostly(false, fc.boolean()),
    missingBrowserHeaders: mostly<string[]>(
      [],
      fc.subarray(['accept', 'accept_encoding', 'accept_language']),
    ),
    contentType: mostly<string | null>(
      'text/plain;charset=UTF-8',
      maybe(fc.constantFrom(...CONTENT_TYPES)),
    ),
    duplicated: mostly<string[]>([], fc.subarray(['origin', 'user-agent', 'referer'])),
    headerOrder: fc.constant('Host,User-Agent'),
  }),
});

/** A passing signal turned failing: `codes` are the reasons of its dimension. */
interface Mutator {
  name: string;
  codes: ReasonCode[];
  apply(s: Signals, rules: Rules): Signals;
  /** Only for the sanity check below: a state in which this signal is judged at all. */
  given?: (s: Signals) => Signals;
}

const clone = <T>(x: T): T => structuredClone(x);
const withChange = (s: Signals, change: (c: Signals) => void): Signals => {
  const c = clone(s);
  change(c);
  return c;
};

const TOKEN_CODES = TOKEN_STATUSES.filter((t) => t !== 'valid').map(
  (t) => `page_token_${t}` as ReasonCode,
);
const ATTESTATION_CODES = ATTESTATION_STATUSES.filter((t) => t !== 'valid').map(
  (t) => `attestation_${t}` as ReasonCode,
);

const MUTATORS: Mutator[] = [
  ...(['not_allowed', 'loopback_on_live', 'missing', 'opaque', 'malformed'] as const).map(
    (status) => ({
      name: `origin becomes ${status}`,
      codes: [
        'origin_not_allowed',
        'origin_missing',
        'origin_opaque',
        'origin_malformed',
        'page_origin_not_allowed',
      ] as ReasonCode[],
      apply: (s: Signals) => withChange(s, (c) => (c.origin.status = status)),
    }),
  ),
  {
    name: 'origin not canonical',
    codes: ['origin_not_canonical'],
    apply: (s) => withChange(s, (c) => (c.origin.canonical = false)),
  },
  {
    name: 'page URL invalid',
    codes: ['page_url_invalid', 'blocked_origin'],
    apply: (s) => withChange(s, (c) => (c.page.origin = null)),
  },
  {
    name: 'page origin differs',
    codes: ['page_origin_mismatch'],
    apply: (s) => withChange(s, (c) => (c.page.sameAsOrigin = false)),
  },
  {
    name: 'page origin not allowed',
    codes: ['page_origin_not_allowed'],
    apply: (s) => withChange(s, (c) => (c.page.allowed = false)),
    // The page URL is only checked against the allowlist when the Origin header is unusable.
    given: (s) => withChange(s, (c) => (c.origin.status = 'missing')),
  },
  ...(['absent', 'malformed'] as const).map((kind) => ({
    name: `referrer ${kind}`,
    codes: [
      'referrer_absent',
      'referrer_origin_mismatch',
      'referrer_page_mismatch',
    ] as ReasonCode[],
    apply: (s: Signals) => withChange(s, (c) => (c.referrer.kind = kind)),
  })),
  {
    name: 'referrer origin differs',
    codes: ['referrer_origin_mismatch'],
    apply: (s) => withChange(s, (c) => (c.referrer.matchesOrigin = false)),
  },
  {
    name: 'referrer page differs',
    codes: ['referrer_page_mismatch'],
    apply: (s) => withChange(s, (c) => (c.referrer.matchesPage = false)),
  },
  ...TOKEN_STATUSES.filter((t) => t !== 'valid').map((status) => ({
    name: `token becomes ${status}`,
    codes: [...TOKEN_CODES, 'page_token_required'] as ReasonCode[],
    apply: (s: Signals) => withChange(s, (c) => (c.token.status = status)),
    given: (s: Signals) => withChange(s, (c) => (c.token.status = 'valid')),
  })),
  {
    name: 'token required',
    codes: ['page_token_required'],
    apply: (s) => withChange(s, (c) => (c.token.required = true)),
  },
  {
    name: 'token used at once',
    codes: ['token_too_young', 'token_older_than_lifetime'],
    apply: (s) => withChange(s, (c) => (c.token.ageMs = 0)),
  },
  {
    name: 'token outlives its lifetime',
    codes: ['token_too_young', 'token_older_than_lifetime'],
    apply: (s) =>
      withChange(s, (c) => {
        c.token.ttlMs = c.token.ttlMs ?? 600_000;
        c.token.ageMs = c.token.ttlMs + 1;
      }),
  },
  ...ATTESTATION_STATUSES.filter((t) => t !== 'valid').map((status) => ({
    name: `attestation becomes ${status}`,
    codes: ATTESTATION_CODES,
    apply: (s: Signals) => withChange(s, (c) => (c.attestation.status = status)),
    given: (s: Signals) => withChange(s, (c) => (c.attestation.status = 'valid')),
  })),
  {
    name: 'send time zero',
    codes: ['timing_zero', 'timing_non_monotonic'],
    apply: (s) => withChange(s, (c) => (c.timing.send = 0)),
  },
  {
    name: 'first byte after load',
    codes: ['timing_zero', 'timing_non_monotonic'],
    apply: (s, rules) =>
      withChange(
        s,
        (c) => (c.timing.ttfb = Math.max(c.timing.nav, 0) + rules.timing.toleranceMs + 10),
      ),
  },
  {
    name: 'timings repeated',
    codes: ['timing_repeated'],
    apply: (s) => withChange(s, (c) => (c.timing.identicalRepeats += 1)),
  },
  {
    name: 'burst',
    codes: ['cadence_burst'],
    apply: (s, rules) =>
      withChange(s, (c) => (c.cadence.lastMinute = rules.cadence.burstPerMinute)),
  },
  {
    name: 'regular intervals',
    codes: ['cadence_regular'],
    apply: (s) =>
      withChange(s, (c) => Object.assign(c.cadence, { intervals: 8, meanMs: 1000, cv: 0 })),
  },
  {
    name: 'Sec-Fetch removed',
    codes: ['sec_fetch_missing', 'sec_fetch_inconsistent'],
    apply: (s) =>
      withChange(s, (c) =>
        Object.assign(c.shape, {
          secFetchSite: null,
          secFetchMode: null,
          secFetchDest: null,
          secFetchUser: null,
        }),
      ),
  },
  {
    name: 'Sec-Fetch of a navigation',
    codes: ['sec_fetch_missing', 'sec_fetch_inconsistent'],
    apply: (s) =>
      withChange(s, (c) =>
        Object.assign(c.shape, {
          secFetchSite: 'none',
          secFetchMode: 'navigate',
          secFetchDest: 'document',
        }),
      ),
  },
  {
    name: 'client hints removed',
    codes: ['client_hints_missing', 'client_hints_mismatch'],
    apply: (s) => withChange(s, (c) => (c.shape.hintsPresent = false)),
  },
  {
    name: 'client hints contradict',
    codes: ['client_hints_mismatch'],
    apply: (s) => withChange(s, (c) => (c.shape.hintsMismatch = ['platform'])),
  },
  ...(['none', 'library', 'automation', 'other'] as const).map((family) => ({
    name: `user agent becomes ${family}`,
    codes: ['ua_missing', 'ua_http_library', 'ua_automation', 'ua_not_browser'] as ReasonCode[],
    apply: (s: Signals) => withChange(s, (c) => (c.shape.uaFamily = family)),
  })),
  {
    name: 'library fingerprint',
    codes: ['headers_library_fingerprint'],
    apply: (s) => withChange(s, (c) => (c.shape.fingerprint = 'curl')),
  },
  {
    name: 'atypical casing',
    codes: ['header_casing_atypical'],
    apply: (s) => withChange(s, (c) => (c.shape.casingAtypical = true)),
  },
  {
    name: 'browser header missing',
    codes: ['browser_headers_missing'],
    apply: (s) => withChange(s, (c) => (c.shape.missingBrowserHeaders = ['accept_language'])),
  },
  {
    name: 'content type by hand',
    codes: ['content_type_atypical'],
    apply: (s) => withChange(s, (c) => (c.shape.contentType = 'text/x-hand-typed')),
  },
  {
    name: 'duplicated header',
    codes: ['header_duplicated'],
    apply: (s) => withChange(s, (c) => (c.shape.duplicated = ['origin'])),
  },
];

const RANK: Record<Verdict, number> = { fraud: 0, suspect: 1, trusted: 2 };

// ---- properties ----------------------------------------------------------------------------------

describe('score properties', () => {
  test('the score is always in [0, 1] and the verdict follows the thresholds', () => {
    fc.assert(
      fc.property(arbSignals, arbRules, (signals, rules) => {
        const { score: s, verdict } = score(signals, rules);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
        const expected: Verdict =
          s >= rules.thresholds.trusted
            ? 'trusted'
            : s >= rules.thresholds.suspect
              ? 'suspect'
              : 'fraud';
        expect(verdict).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  test('the same input gives the same output, also after a JSON round trip of both', () => {
    fc.assert(
      fc.property(arbSignals, arbRules, (signals, rules) => {
        const first = score(signals, rules);
        expect(score(signals, rules)).toEqual(first);
        const signalsAgain = JSON.parse(JSON.stringify(signals)) as Signals;
        const rulesAgain = rulesSchema.parse(JSON.parse(JSON.stringify(rules)));
        expect(score(signalsAgain, rulesAgain)).toEqual(first);
      }),
      { numRuns: 300 },
    );
  });

  test('every verdict other than trusted carries at least one reason against the event', () => {
    fc.assert(
      fc.property(arbSignals, arbRules, (signals, rules) => {
        const { verdict, reasons } = score(signals, rules);
        if (verdict !== 'trusted') expect(reasons.some((r) => r.weight < 0)).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  test('reasons carry stable codes, the weight applied and a detail', () => {
    fc.assert(
      fc.property(arbSignals, arbRules, (signals, rules) => {
        for (const reason of score(signals, rules).reasons) {
          expect(REASON_CODES[reason.code]).toBeDefined();
          expect(reason.detail.length).toBeGreaterThan(0);
          if (REASON_CODES[reason.code].kind === 'hard') expect(reason.weight).toBe(-1);
          else expect(reason.weight).toBe(rules.weights[reason.code as keyof Rules['weights']]);
        }
      }),
      { numRuns: 200 },
    );
  });

  test('adding a failing signal never raises the score', () => {
    const applied = new Map<string, number>();
    fc.assert(
      fc.property(arbSignals, arbRules, (signals, rules) => {
        const before = score(signals, rules);
        for (const mutator of MUTATORS) {
          if (before.reasons.some((r) => mutator.codes.includes(r.code))) continue; // that signal is already failing
          applied.set(mutator.name, (applied.get(mutator.name) ?? 0) + 1);
          const after = score(mutator.apply(signals, rules), rules);
          expect(after.score, mutator.name).toBeLessThanOrEqual(before.score);
          expect(RANK[after.verdict], mutator.name).toBeLessThanOrEqual(RANK[before.verdict]);
        }
      }),
      { numRuns: 1000 },
    );
    // Guard against a generator that never reaches the interesting case for some signal.
    for (const mutator of MUTATORS)
      expect(applied.get(mutator.name) ?? 0, mutator.name).toBeGreaterThan(50);
  });

  test('every mutator really fails its signal under the default rules', () => {
    // No token and no attestation (0.7), or just one of them (<= 0.95): never clamped at 1, so every change shows.
    const clean = deriveSignals(F.facts());
    for (const mutator of MUTATORS) {
      const start = mutator.given === undefined ? clean : mutator.given(clean);
      const before = score(start, DEFAULT_RULES);
      expect(
        before.reasons.filter((r) => mutator.codes.includes(r.code)),
        mutator.name,
      ).toEqual([]);
      const after = score(mutator.apply(start, DEFAULT_RULES), DEFAULT_RULES);
      expect(after.score, mutator.name).toBeLessThan(before.score);
    }
  });

  test('stricter rules never raise a score: a heavier penalty, a blocklist entry, a token requirement', () => {
    const stricter = fc.oneof(
      fc
        .constantFrom(...WEIGHTED_REASON_CODES.filter((c) => REASON_CODES[c].kind === 'penalty'))
        .map((code) => (r: Rules): Rules => ({
          ...r,
          weights: { ...r.weights, [code]: Math.max(-1, r.weights[code] - 0.25) },
        })),
      fc.constantFrom<(r: Rules) => Rules>(
        (r) => ({ ...r, hard: { ...r.hard, blockIps: [...r.hard.blockIps, '0.0.0.0/0', '::/0'] } }),
        (r) => ({
          ...r,
          hard: { ...r.hard, blockUserAgents: [...r.hard.blockUserAgents, 'mozilla'] },
        }),
        (r) => ({
          ...r,
          hard: { ...r.hard, blockOrigins: [...r.hard.blockOrigins, 'https://shop.example.com'] },
        }),
        (r) => ({ ...r, hard: { ...r.hard, pageTokenRequired: true } }),
      ),
    );
    fc.assert(
      fc.property(arbSignals, arbRules, stricter, (signals, rules, tighten) => {
        const tightened = rulesSchema.parse(tighten(rules));
        expect(score(signals, tightened).score).toBeLessThanOrEqual(score(signals, rules).score);
      }),
      { numRuns: 500 },
    );
  });
});

describe('rules properties', () => {
  test('rules survive a JSON round trip', () => {
    fc.assert(
      fc.property(arbRules, (rules) => {
        const again = rulesSchema.parse(JSON.parse(JSON.stringify(rules)));
        expect(again).toEqual(rules);
      }),
      { numRuns: 200 },
    );
  });
});

// ---- signals derived from arbitrary requests -----------------------------------------------------

const FIXTURES = [
  F.CHROMIUM_SEND_BEACON,
  F.CHROMIUM_FETCH_KEEPALIVE,
  F.FIREFOX_SEND_BEACON,
  F.SAFARI_SEND_BEACON,
  F.CURL_FORGED_ORIGIN,
  F.PYTHON_REQUESTS,
  F.UNDICI_FETCH,
  F.GO_NET_HTTP,
  F.CHROMIUM_VIA_H2_PROXY,
];

/** IPv4 with a non-zero host byte, and full-form IPv6 with a non-zero last group: never equal to their network. */
const arbIp = fc.oneof(
  fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 255 }))
    .map((p) => p.join('.')),
  fc
    .tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.integer({ min: 1, max: 255 }))
    .map((p) => `::ffff:${p.join('.')}`),
  fc
    .tuple(
      fc.array(fc.nat(0xffff), { minLength: 7, maxLength: 7 }),
      fc.integer({ min: 1, max: 0xffff }),
    )
    .map(([head, last]) => [...head, last].map((g) => g.toString(16)).join(':')),
);

const arbHeaders = fc
  .tuple(
    fc.constantFrom(...FIXTURES),
    fc.array(
      fc.record({
        op: fc.constantFrom('drop', 'dup', 'upper', 'lower', 'origin'),
        at: fc.nat(30),
        origin: fc.constantFrom(
          ...ORIGINS,
          'HTTPS://SHOP.EXAMPLE.COM',
          'https://shop.example.com/x',
          'https://exämple.com',
        ),
      }),
      { maxLength: 4 },
    ),
  )
  .map(([base, ops]) => {
    const list = base.map(([n, v]) => [n, v] as [string, string]);
    for (const { op, at, origin } of ops) {
      if (list.length === 0) break;
      const i = at % list.length;
      const entry = list[i] as [string, string];
      if (op === 'drop') list.splice(i, 1);
      else if (op === 'dup') list.push([entry[0], entry[1]]);
      else if (op === 'upper') entry[0] = entry[0].toUpperCase();
      else if (op === 'lower') entry[0] = entry[0].toLowerCase();
      else list.push(['Origin', origin]);
    }
    return list;
  });

const arbFacts: fc.Arbitrary<RequestFacts> = fc
  .record({
    headers: arbHeaders,
    ip: arbIp,
    url: fc.constantFrom(
      F.PAGE_URL,
      'https://blog.example.org/a?b=c#d',
      'http://localhost:3000/',
      'javascript:void(0)',
      'https://exämple.com/ü',
      '',
    ),
    timing: fc.record({
      nav: ms,
      start: ms,
      checks: ms,
      send: ms,
      ttfb: fc.option(ms, { nil: undefined }),
    }),
    seq: fc.nat(100),
    mode: fc.constantFrom('live' as const, 'test' as const),
    allowedOrigins: fc.subarray([
      'https://shop.example.com',
      'https://*.example.org',
      'http://localhost:3000',
      'garbage',
    ]),
    pageTokenRequired: fc.boolean(),
    token: fc.record({
      status: fc.constantFrom(...TOKEN_STATUSES),
      ageMs: fc.option(fc.integer({ min: -1000, max: 1_000_000 }), { nil: undefined }),
      ttlMs: fc.option(fc.integer({ min: 1, max: 1_000_000 }), { nil: undefined }),
    }),
    attestation: fc.constantFrom(...ATTESTATION_STATUSES),
    countLastMinute: fc.nat(100),
    intervalsMs: fc.array(fc.nat(120_000), { maxLength: 12 }),
    identicalTimings: fc.nat(3),
  })
  .map((g) => {
    const f = F.facts({
      headers: g.headers,
      ip: g.ip,
      payload: { url: g.url, seq: g.seq },
      site: {
        mode: g.mode,
        allowedOrigins: g.allowedOrigins,
        pageTokenRequired: g.pageTokenRequired,
      },
      token: g.token,
      attestation: { status: g.attestation },
      cadence: {
        countLastMinute: g.countLastMinute,
        intervalsMs: g.intervalsMs,
        identicalTimings: g.identicalTimings,
      },
    });
    f.payload.timing =
      g.timing.ttfb === undefined
        ? { nav: g.timing.nav, start: g.timing.start, checks: g.timing.checks, send: g.timing.send }
        : g.timing;
    return f;
  });

/** Mongo/FerretDB constraints: keys without '.' or a leading '$', no arrays of arrays. */
function storageProblems(value: unknown, path = ''): string[] {
  if (Array.isArray(value)) {
    return value.flatMap((x, i) =>
      Array.isArray(x) ? [`${path}[${i}] is a nested array`] : storageProblems(x, `${path}[${i}]`),
    );
  }
  if (value !== null && typeof value === 'object') {
    return Object.entries(value).flatMap(([k, v]) => [
      ...(k.includes('.') || k.startsWith('$') ? [`${path}.${k} is not a safe key`] : []),
      ...storageProblems(v, `${path}.${k}`),
    ]);
  }
  return [];
}

describe('deriveSignals properties', () => {
  test('signals survive a JSON round trip, are safe to store, and never contain the full IP', () => {
    fc.assert(
      fc.property(arbFacts, (facts) => {
        const signals = deriveSignals(facts);
        const json = JSON.stringify(signals);
        expect(JSON.parse(json)).toEqual(signals);
        expect(storageProblems(signals)).toEqual([]);
        expect(json).not.toContain(facts.ip);
        expect(signals.ip.prefix).not.toBeNull();
      }),
      { numRuns: 500 },
    );
  });

  test('deriving is pure: same facts, same signals, facts untouched', () => {
    fc.assert(
      fc.property(arbFacts, (facts) => {
        const copy = structuredClone(facts);
        const first = deriveSignals(facts);
        expect(deriveSignals(copy)).toEqual(first);
        expect(facts).toEqual(copy);
      }),
      { numRuns: 300 },
    );
  });

  test('derived signals always score within [0, 1] under the defaults', () => {
    fc.assert(
      fc.property(arbFacts, (facts) => {
        const { score: s } = score(deriveSignals(facts), DEFAULT_RULES);
        expect(s).toBeGreaterThanOrEqual(0);
        expect(s).toBeLessThanOrEqual(1);
      }),
      { numRuns: 300 },
    );
  });
});
