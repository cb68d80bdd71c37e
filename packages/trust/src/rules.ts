import { z } from 'zod';
import { normalizeOriginPattern } from '@tagward/protocol';
import { REASON_CODES, WEIGHTED_REASON_CODES, type WeightedReasonCode } from './codes.js';
import { parseCidr } from './ip.js';

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

const unit = z.number().min(0).max(1);
const codeEnum = z.enum(WEIGHTED_REASON_CODES as [WeightedReasonCode, ...WeightedReasonCode[]]);

function checkPolarity(
  weights: Partial<Record<WeightedReasonCode, number>>,
  ctx: z.RefinementCtx,
): void {
  for (const [code, w] of Object.entries(weights) as Array<
    [WeightedReasonCode, number | undefined]
  >) {
    if (w === undefined) continue;
    const bonus = REASON_CODES[code].kind === 'bonus';
    if (bonus ? w < 0 || w > 1 : w > 0 || w < -1) {
      ctx.addIssue({
        code: 'custom',
        path: [code],
        message: bonus
          ? `${code} is a bonus: its weight must be in [0, 1]`
          : `${code} is a penalty: its weight must be in [-1, 0]`,
      });
    }
  }
}

const partialWeightsSchema = z
  .partialRecord(codeEnum, z.number().finite())
  .superRefine(checkPolarity);

const cidrSchema = z.string().superRefine((value, ctx) => {
  const parsed = parseCidr(value);
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: parsed.message });
});
const uaPatternSchema = z.string().trim().min(3).max(200);
const originPatternSchema = z.string().superRefine((value, ctx) => {
  const parsed = normalizeOriginPattern(value, { mode: 'test' });
  if (!parsed.ok) ctx.addIssue({ code: 'custom', message: `${value}: ${parsed.message}` });
});

// Fields added after rule documents were first stored carry a default in the full schema, so
// those documents keep parsing and the new check starts at its shipped setting. The override
// schema takes the same fields without defaults: an override sets only what it names.
const count = z.number().int().min(1).max(100_000);
const timingFields = {
  minTokenAgeMs: z.number().int().min(0).max(600_000),
  toleranceMs: z.number().int().min(0).max(10_000),
  maxLoadMs: z.number().int().min(1_000).max(86_400_000),
  maxChecksMs: z.number().int().min(100).max(86_400_000),
  maxSendGapMs: z.number().int().min(10).max(86_400_000),
};
const cadenceFields = {
  burstPerMinute: count,
  burstPerTenSeconds: count,
  burstPerSecond: count,
  addressBurstPerMinute: count,
  addressBurstPerTenSeconds: count,
  addressBurstPerSecond: count,
  minIntervals: z.number().int().min(2).max(8),
  regularCv: unit,
};
const timingSchema = z.strictObject({
  ...timingFields,
  maxLoadMs: timingFields.maxLoadMs.default(600_000),
  maxChecksMs: timingFields.maxChecksMs.default(10_000),
  maxSendGapMs: timingFields.maxSendGapMs.default(1_000),
});
const cadenceSchema = z.strictObject({
  ...cadenceFields,
  burstPerTenSeconds: count.default(10),
  burstPerSecond: count.default(5),
  addressBurstPerMinute: count.default(150),
  addressBurstPerTenSeconds: count.default(30),
  addressBurstPerSecond: count.default(10),
});
const shapeSchema = z.strictObject({
  expectedContentTypes: z.array(z.string().min(1).max(200)).min(1).max(20),
});
const hardSchema = z.strictObject({
  pageTokenRequired: z.boolean(),
  blockIps: z.array(cidrSchema).max(10_000),
  blockUserAgents: z.array(uaPatternSchema).max(1_000),
  blockOrigins: z.array(originPatternSchema).max(1_000),
});

const bp = (x: number): number => Math.round(x * 10_000);

function checkOrdering(
  rules: { base: number; thresholds: { trusted: number; suspect: number } },
  ctx: z.RefinementCtx,
): void {
  if (bp(rules.thresholds.suspect) > bp(rules.thresholds.trusted)) {
    ctx.addIssue({
      code: 'custom',
      path: ['thresholds', 'suspect'],
      message: 'thresholds.suspect must not exceed thresholds.trusted',
    });
  }
  if (bp(rules.thresholds.trusted) > bp(rules.base)) {
    ctx.addIssue({
      code: 'custom',
      path: ['thresholds', 'trusted'],
      message:
        'thresholds.trusted must not exceed base: an event with no reason against it must be trusted',
    });
  }
}

/**
 * The zod schema of `Rules`. Weights missing from a stored document get their default, so rule
 * documents written before a reason code existed keep parsing (and the new signal starts with
 * its default weight).
 */
export const rulesSchema: z.ZodType<Rules> = z
  .strictObject({
    schema: z.literal(1),
    version: z.number().int().min(0),
    base: unit,
    thresholds: z.strictObject({ trusted: unit, suspect: unit }),
    weights: partialWeightsSchema.transform(
      (w) => ({ ...DEFAULT_WEIGHTS, ...w }) as Record<WeightedReasonCode, number>,
    ),
    timing: timingSchema,
    cadence: cadenceSchema,
    shape: shapeSchema,
    hard: hardSchema,
  })
  .superRefine(checkOrdering);

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
    minIntervals: 4,
    regularCv: 0.1,
  },
  shape: { expectedContentTypes: ['text/plain;charset=UTF-8'] },
  hard: { pageTokenRequired: false, blockIps: [], blockUserAgents: [], blockOrigins: [] },
});

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

export const rulesOverrideSchema: z.ZodType<RulesOverride> = z.strictObject({
  base: unit.optional(),
  thresholds: z.strictObject({ trusted: unit.optional(), suspect: unit.optional() }).optional(),
  weights: partialWeightsSchema.optional(),
  timing: z.strictObject(timingFields).partial().optional(),
  cadence: z.strictObject(cadenceFields).partial().optional(),
  shape: shapeSchema.partial().optional(),
  hard: hardSchema.partial().optional(),
});

const overrideCache = new WeakMap<Rules, WeakMap<RulesOverride, Rules>>();

/**
 * Applies a site's override to the global rules. Block lists are concatenated (a site can add
 * to the global blocklists, never remove from them); everything else replaces. The result is
 * validated, so an override that breaks an invariant (say `thresholds.trusted` above `base`)
 * throws a ZodError. Results are memoised per (global, override) object pair, which keeps the
 * beacon's hot path cheap and lets `score` reuse its compiled form.
 *
 * @example
 * const rules = applyOverride(DEFAULT_RULES, { hard: { pageTokenRequired: true, blockIps: ['198.51.100.0/24'] } });
 * rules.hard.pageTokenRequired; // true
 */
export function applyOverride(global: Rules, override: RulesOverride | undefined): Rules {
  if (override === undefined) return global;
  let perGlobal = overrideCache.get(global);
  const cached = perGlobal?.get(override);
  if (cached !== undefined) return cached;
  const merged = {
    schema: global.schema,
    version: global.version,
    base: override.base ?? global.base,
    thresholds: { ...global.thresholds, ...override.thresholds },
    weights: { ...global.weights, ...override.weights },
    timing: { ...global.timing, ...override.timing },
    cadence: { ...global.cadence, ...override.cadence },
    shape: { ...global.shape, ...override.shape },
    hard: {
      pageTokenRequired: override.hard?.pageTokenRequired ?? global.hard.pageTokenRequired,
      blockIps: [...global.hard.blockIps, ...(override.hard?.blockIps ?? [])],
      blockUserAgents: [...global.hard.blockUserAgents, ...(override.hard?.blockUserAgents ?? [])],
      blockOrigins: [...global.hard.blockOrigins, ...(override.hard?.blockOrigins ?? [])],
    },
  };
  const result = rulesSchema.parse(merged);
  if (perGlobal === undefined) {
    perGlobal = new WeakMap();
    overrideCache.set(global, perGlobal);
  }
  perGlobal.set(override, result);
  return result;
}
