/**
 * The zod schemas of rule documents: what a stored rule set and a site's override may hold. They
 * enforce the invariants listed on {@link Rules}; the defaults live in rules.ts, the merge of an
 * override in rules-override.ts.
 */
import { z } from 'zod';
import { normalizeOriginPattern } from '@tagward/protocol';
import { REASON_CODES, WEIGHTED_REASON_CODES, type WeightedReasonCode } from './codes.js';
import { parseCidr } from './ip.js';
import { DEFAULT_WEIGHTS, type Rules, type RulesOverride } from './rules.js';

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
  networkBurstPerMinute: count,
  networkBurstPerTenSeconds: count,
  networkBurstPerSecond: count,
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
  networkBurstPerMinute: count.default(200),
  networkBurstPerTenSeconds: count.default(60),
  networkBurstPerSecond: count.default(20),
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

export const rulesOverrideSchema: z.ZodType<RulesOverride> = z.strictObject({
  base: unit.optional(),
  thresholds: z.strictObject({ trusted: unit.optional(), suspect: unit.optional() }).optional(),
  weights: partialWeightsSchema.optional(),
  timing: z.strictObject(timingFields).partial().optional(),
  cadence: z.strictObject(cadenceFields).partial().optional(),
  shape: shapeSchema.partial().optional(),
  hard: hardSchema.partial().optional(),
});
