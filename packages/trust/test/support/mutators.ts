// Mutators for the monotonicity property: each turns one passing signal into a failing one.
import type { ReasonCode, Rules, Signals } from '../../src/index.js';
import { ATTESTATION_STATUSES, TOKEN_STATUSES } from './arbitraries.js';

/** A passing signal turned failing: `codes` are the reasons of its dimension. */
export interface Mutator {
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

/** The reasons about the page's own timing readings: one dimension for the property. */
const TIMING_SHAPE_CODES: ReasonCode[] = [
  'timing_zero',
  'timing_non_monotonic',
  'timing_out_of_range',
  'timing_send_gap',
  'timing_unrounded',
];

export const MUTATORS: Mutator[] = [
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
    codes: TIMING_SHAPE_CODES,
    apply: (s) => withChange(s, (c) => (c.timing.send = 0)),
  },
  {
    name: 'first byte after load',
    codes: TIMING_SHAPE_CODES,
    apply: (s, rules) =>
      withChange(
        s,
        (c) => (c.timing.ttfb = Math.max(c.timing.nav, 0) + rules.timing.toleranceMs + 10),
      ),
  },
  {
    name: 'load time beyond the maximum',
    codes: TIMING_SHAPE_CODES,
    apply: (s, rules) => withChange(s, (c) => (c.timing.nav = rules.timing.maxLoadMs + 1)),
  },
  {
    name: 'sent long after the checks',
    codes: TIMING_SHAPE_CODES,
    apply: (s, rules) =>
      withChange(s, (c) => {
        c.timing.send =
          Math.max(c.timing.start, 0) +
          Math.max(c.timing.checks, 0) +
          rules.timing.maxSendGapMs +
          10;
      }),
  },
  {
    name: 'timing finer than 0.1 ms',
    codes: TIMING_SHAPE_CODES,
    apply: (s) => withChange(s, (c) => (c.timing.checks = Math.max(c.timing.checks, 0) + 0.03)),
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
    name: 'burst within a second',
    codes: ['cadence_burst'],
    apply: (s, rules) =>
      withChange(s, (c) => (c.cadence.lastSecond = rules.cadence.burstPerSecond)),
  },
  {
    name: 'burst from one address',
    codes: ['cadence_address_burst'],
    apply: (s, rules) =>
      withChange(s, (c) => {
        c.cadence.address = {
          lastSecond: c.cadence.address?.lastSecond ?? 0,
          lastTenSeconds: rules.cadence.addressBurstPerTenSeconds,
          lastMinute: c.cadence.address?.lastMinute ?? 0,
        };
      }),
  },
  {
    name: 'burst from one network',
    codes: ['cadence_network_burst'],
    apply: (s, rules) =>
      withChange(s, (c) => {
        c.cadence.network = {
          lastSecond: rules.cadence.networkBurstPerSecond,
          lastTenSeconds: c.cadence.network?.lastTenSeconds ?? 0,
          lastMinute: c.cadence.network?.lastMinute ?? 0,
        };
      }),
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
