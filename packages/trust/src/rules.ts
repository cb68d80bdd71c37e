import type { WeightedReasonCode } from './codes.js';

/**
 * Scoring rules as versioned data. `score = clamp(base + sum of the weights of the reasons that
 * fired, 0, 1)`, or 0 when a hard rule fired; the verdict is `trusted` at or above
 * `thresholds.trusted`, `suspect` at or above `thresholds.suspect`, `fraud` below.
 *
 * Invariants the schema enforces, because the property tests (and the dashboard's promises)
 * rely on them:
 * - bonus weights are in [0, 1], penalty weights in [-1, 0]: a failing signal can only lower a score;
 * - `suspect <= trusted <= base`: with nothing against it an event is trusted, so every
 *   non-trusted verdict is explained by at least one reason;
 * - numbers are used at 1e-4 resolution (basis points), so sums are exact and deterministic.
 */
export interface Rules {
  /** Format of this document. */
  schema: 1;
  /** Monotonic version of the rule set, stored with every event scored by it. */
  version: number;
  base: number;
  thresholds: { trusted: number; suspect: number };
  weights: Record<WeightedReasonCode, number>;
  timing: {
    /** A token younger than this at arrival fires `token_too_young`. */
    minTokenAgeMs: number;
    /** Rounding slack when comparing the client timings with each other. */
    toleranceMs: number;
    /** Longest plausible load time (and time to first byte); beyond it `timing_out_of_range`. */
    maxLoadMs: number;
    /** Longest plausible run of the DOM checks. */
    maxChecksMs: number;
    /** Largest gap between the end of the checks and the send time (`timing_send_gap`). */
    maxSendGapMs: number;
  };
  cadence: {
    /** `cadence_burst` when this many earlier arrivals of the visitor fell in the last minute… */
    burstPerMinute: number;
    /** …or in the last ten seconds… */
    burstPerTenSeconds: number;
    /** …or in the last second. */
    burstPerSecond: number;
    /** `cadence_address_burst`: the same three thresholds for one client address (any user agent). */
    addressBurstPerMinute: number;
    addressBurstPerTenSeconds: number;
    addressBurstPerSecond: number;
    /** `cadence_network_burst`: the same three windows for the other addresses of one network (IPv4 /24, IPv6 /48) seen. */
    networkBurstPerMinute: number;
    networkBurstPerTenSeconds: number;
    networkBurstPerSecond: number;
    /** Intervals needed before regularity is judged. */
    minIntervals: number;
    /** `cadence_regular` at or below this coefficient of variation. */
    regularCv: number;
  };
  shape: {
    /** Content-Type values browsers send for the embed's body. */
    expectedContentTypes: string[];
  };
  hard: {
    /** Require a valid page token on every site (sites can also require it themselves). */
    pageTokenRequired: boolean;
    /** CIDR ranges, IPv4 at most /24 and IPv6 at most /48. */
    blockIps: string[];
    /** Case-insensitive substrings of the User-Agent (plain text, not regexes: no ReDoS on the ingest path). */
    blockUserAgents: string[];
    /** Origin patterns, as in allowlists (`https://*.example.com`). */
    blockOrigins: string[];
  };
}

/** Per-site override: any scalar replaces the global one; lists are added to the global lists. */
export interface RulesOverride {
  base?: number;
  thresholds?: { trusted?: number; suspect?: number };
  weights?: Partial<Record<WeightedReasonCode, number>>;
  timing?: Partial<Rules['timing']>;
  cadence?: Partial<Rules['cadence']>;
  shape?: Partial<Rules['shape']>;
  hard?: Partial<Rules['hard']>;
}

/** Default weights, one per weighted reason code (docs/signals.md is checked against these). */
export const DEFAULT_WEIGHTS: Readonly<Record<WeightedReasonCode, number>> = {
  origin_not_allowed: -1,
  origin_missing: -0.4,
  origin_opaque: -0.5,
  origin_malformed: -0.6,
  origin_not_canonical: -0.3,
  page_url_invalid: -0.4,
  page_origin_mismatch: -0.6,
  page_origin_not_allowed: -0.6,
  referrer_absent: -0.05,
  referrer_origin_mismatch: -0.4,
  referrer_page_mismatch: -0.15,
  page_token_valid: 0.25,
  page_token_missing: 0,
  page_token_malformed: -0.35,
  page_token_bad_signature: -1,
  page_token_unknown_key: -0.6,
  page_token_revoked_key: -0.7,
  page_token_expired_key: -0.3,
  page_token_expired: -0.25,
  page_token_not_yet_valid: -0.4,
  page_token_wrong_site: -1,
  page_token_wrong_origin: -1,
  page_token_wrong_path: -0.4,
  page_token_replayed: -1,
  token_too_young: -0.4,
  token_older_than_lifetime: -0.1,
  timing_zero: -0.25,
  timing_non_monotonic: -0.3,
  timing_repeated: -0.35,
  timing_out_of_range: -0.5,
  timing_send_gap: -0.3,
  timing_unrounded: -0.25,
  cadence_burst: -0.3,
  cadence_regular: -0.35,
  cadence_address_burst: -0.3,
  cadence_network_burst: -0.3,
  sec_fetch_missing: -0.25,
  sec_fetch_inconsistent: -0.35,
  client_hints_missing: -0.2,
  client_hints_mismatch: -0.35,
  ua_missing: -0.45,
  ua_http_library: -0.45,
  ua_automation: -0.15,
  ua_not_browser: -0.3,
  headers_library_fingerprint: -0.35,
  header_casing_atypical: -0.2,
  browser_headers_missing: -0.15,
  content_type_atypical: -0.1,
  header_duplicated: -0.25,
  attestation_valid: 0.15,
  attestation_absent: 0,
  attestation_invalid: -0.35,
  attestation_double_spent: -0.8,
  attestation_wrong_origin: -0.8,
  attestation_expired_key: -0.2,
};

// Frozen so that nobody mutates the shared defaults in place (score caches compiled rules per object).
function deepFreeze<T extends object>(value: T): T {
  for (const v of Object.values(value))
    if (typeof v === 'object' && v !== null) deepFreeze(v as object);
  return Object.freeze(value);
}

/** The shipped rule set. Scenario tests pin what it must decide (see test/scenarios.test.ts). */
export const DEFAULT_RULES: Rules = deepFreeze({
  schema: 1,
  version: 1,
  base: 0.7,
  thresholds: { trusted: 0.6, suspect: 0.3 },
  weights: { ...DEFAULT_WEIGHTS },
  timing: {
    minTokenAgeMs: 50,
    toleranceMs: 2,
    maxLoadMs: 600_000,
    maxChecksMs: 10_000,
    maxSendGapMs: 1_000,
  },
  cadence: {
    burstPerMinute: 30,
    burstPerTenSeconds: 10,
    burstPerSecond: 5,
    addressBurstPerMinute: 150,
    addressBurstPerTenSeconds: 30,
    addressBurstPerSecond: 10,
    networkBurstPerMinute: 200,
    networkBurstPerTenSeconds: 60,
    networkBurstPerSecond: 20,
    minIntervals: 4,
    regularCv: 0.1,
  },
  shape: { expectedContentTypes: ['text/plain;charset=UTF-8'] },
  hard: { pageTokenRequired: false, blockIps: [], blockUserAgents: [], blockOrigins: [] },
});
