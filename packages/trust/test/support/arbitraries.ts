// Generators for the property tests: any valid rule set, any Signals object (biased towards a
// clean browser event so that every signal is often passing), shared by the score properties.
import fc from 'fast-check';
import {
  REASON_CODES,
  WEIGHTED_REASON_CODES,
  rulesSchema,
  type AttestationStatus,
  type Rules,
  type Signals,
  type TokenStatus,
} from '../../src/index.js';
import * as F from '../../fixtures/index.js';

export const TOKEN_STATUSES: TokenStatus[] = [
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
export const ATTESTATION_STATUSES: AttestationStatus[] = [
  'absent',
  'valid',
  'invalid',
  'double_spent',
  'wrong_origin',
  'expired_key',
];
export const ORIGINS = [
  'https://shop.example.com',
  'https://blog.example.org',
  'https://evil.example.net',
  'http://localhost:3000',
  'null',
];
const UAS = [F.CHROME_UA, F.FIREFOX_UA, F.SAFARI_UA, 'curl/8.5.0', 'python-requests/2.32.3', ''];
export const CONTENT_TYPES = ['text/plain;charset=UTF-8', 'text/plain', 'application/json'];

const weight = (code: (typeof WEIGHTED_REASON_CODES)[number]) =>
  REASON_CODES[code].kind === 'bonus'
    ? fc.integer({ min: 0, max: 10_000 }).map((x) => x / 10_000)
    : fc.integer({ min: -10_000, max: 0 }).map((x) => x / 10_000);

/** Any valid rule set: random weights of the right sign, ordered thresholds, small block lists. */
export const arbRules: fc.Arbitrary<Rules> = fc
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
    burstPerTenSeconds: fc.integer({ min: 1, max: 50 }),
    burstPerSecond: fc.integer({ min: 1, max: 20 }),
    addressBurst: fc.tuple(
      fc.integer({ min: 1, max: 50 }),
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: 1, max: 300 }),
    ),
    networkBurst: fc.tuple(
      fc.integer({ min: 1, max: 100 }),
      fc.integer({ min: 1, max: 200 }),
      fc.integer({ min: 1, max: 600 }),
    ),
    maxLoadMs: fc.integer({ min: 1_000, max: 900_000 }),
    maxChecksMs: fc.integer({ min: 100, max: 60_000 }),
    maxSendGapMs: fc.integer({ min: 10, max: 10_000 }),
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
      timing: {
        minTokenAgeMs: g.minTokenAgeMs,
        toleranceMs: g.toleranceMs,
        maxLoadMs: g.maxLoadMs,
        maxChecksMs: g.maxChecksMs,
        maxSendGapMs: g.maxSendGapMs,
      },
      cadence: {
        burstPerMinute: g.burstPerMinute,
        burstPerTenSeconds: g.burstPerTenSeconds,
        burstPerSecond: g.burstPerSecond,
        addressBurstPerSecond: g.addressBurst[0],
        addressBurstPerTenSeconds: g.addressBurst[1],
        addressBurstPerMinute: g.addressBurst[2],
        networkBurstPerSecond: g.networkBurst[0],
        networkBurstPerTenSeconds: g.networkBurst[1],
        networkBurstPerMinute: g.networkBurst[2],
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

export const ms = fc.oneof(
  fc.constant(-1),
  fc.constant(0),
  fc.integer({ min: 1, max: 20_000 }),
  fc.double({ min: 0, max: 20_000, noNaN: true }),
);
export const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: null });

/**
 * Any Signals object, including combinations deriveSignals would never produce; each field is
 * biased towards what a clean browser event has, so that every signal is often passing.
 */
export const arbSignals: fc.Arbitrary<Signals> = fc.record({
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
  cadence: fc.record(
    {
      lastMinute: mostly(0, fc.nat(200)),
      intervals: fc.nat(8),
      meanMs: maybe(fc.nat(100_000)),
      cv: mostly<number | null>(null, maybe(fc.integer({ min: 0, max: 300 }).map((x) => x / 100))),
      lastTenSeconds: mostly(0, fc.nat(60)),
      lastSecond: mostly(0, fc.nat(20)),
      address: fc.record({
        lastSecond: mostly(0, fc.nat(60)),
        lastTenSeconds: mostly(0, fc.nat(120)),
        lastMinute: mostly(0, fc.nat(400)),
      }),
      network: fc.record({
        lastSecond: mostly(0, fc.nat(120)),
        lastTenSeconds: mostly(0, fc.nat(240)),
        lastMinute: mostly(0, fc.nat(800)),
      }),
    },
    // Events stored before these windows were observed lack them.
    { requiredKeys: ['lastMinute', 'intervals', 'meanMs', 'cv'] },
  ),
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
