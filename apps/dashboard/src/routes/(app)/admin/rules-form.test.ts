import { describe, expect, test } from 'vitest';
import { TRPCClientError } from '@trpc/client';
import { DEFAULT_RULES } from '@tagward/trust';
import {
  errorsAt,
  fieldErrorsOf,
  formFromOverride,
  formFromRules,
  formOfState,
  lines,
  overrideFromForm,
  rulesFromForm,
  sameJson,
  unplacedErrors,
  type Rules,
  type RulesState,
} from './rules-form';

/** An error as the tRPC client raises it for an API answer with this code. */
const apiError = (code: string, httpStatus: number) =>
  TRPCClientError.from({ error: { code: -32000, message: code, data: { code, httpStatus } } });

/**
 * The shipped rules, with some values changed: a round trip that put a default back in place of
 * what the form holds would show (and the fixture follows the engine when its settings change).
 */
const RULES: Rules = {
  ...DEFAULT_RULES,
  version: 3,
  weights: { origin_not_allowed: -0.7, page_token_valid: 0.3 } as Rules['weights'],
  timing: { ...DEFAULT_RULES.timing, toleranceMs: 5 },
  cadence: { ...DEFAULT_RULES.cadence, regularCv: 0.05 },
  shape: { expectedContentTypes: ['text/plain;charset=UTF-8', 'text/plain'] },
  hard: { ...DEFAULT_RULES.hard, blockIps: ['198.51.100.0/24'], blockOrigins: ['https://*.spam.example'] },
};

describe('the global rules in the form and back', () => {
  test('a form made from rules gives back the same rules', () => {
    expect(rulesFromForm(formFromRules(RULES), RULES)).toEqual(RULES);
  });

  test('lists are one entry per line, blank lines and surrounding spaces dropped', () => {
    const form = { ...formFromRules(RULES), blockIps: '  203.0.113.0/24 \n\n198.51.100.0/24\n ' };
    expect((rulesFromForm(form, RULES).hard as Rules['hard']).blockIps).toEqual(['203.0.113.0/24', '198.51.100.0/24']);
    expect(lines('a\n\n b \n')).toEqual(['a', 'b']);
  });

  test('an emptied number is sent as missing, for the API to report beside its field', () => {
    const form = { ...formFromRules(RULES), trusted: null, burstPerMinute: Number.NaN };
    const sent = rulesFromForm(form, RULES) as { thresholds: Record<string, unknown>; cadence: Record<string, unknown> };
    expect(sent.thresholds).toEqual({ trusted: undefined, suspect: 0.3 });
    expect(sent.cadence.burstPerMinute).toBeUndefined();
  });

  test('an emptied weight is left out; a weight of 0 (switched off) is kept', () => {
    const form = { ...formFromRules(RULES), weights: { origin_not_allowed: null, page_token_valid: 0 } };
    expect(rulesFromForm(form, RULES).weights).toEqual({ page_token_valid: 0 });
  });

  test('settings the form has no field for are kept as they are in force', () => {
    const inForce = { ...RULES, timing: { ...RULES.timing, maxLoadMs: 120_000 }, cadence: { ...RULES.cadence, addressBurstPerSecond: 4 } };
    const sent = rulesFromForm({ ...formFromRules(inForce), burstPerMinute: 40 }, inForce) as Rules;
    expect(sent.timing.maxLoadMs).toBe(120_000);
    expect(sent.cadence).toMatchObject({ burstPerMinute: 40, addressBurstPerSecond: 4 });
  });

  test('the schema and version come from the rules being edited, not from the form', () => {
    expect(rulesFromForm(formFromRules(RULES), { ...RULES, version: 9 })).toMatchObject({ schema: 1, version: 9 });
  });
});

describe('a site override in the form and back', () => {
  test('no override is an empty form, which sends an empty override', () => {
    const form = formFromOverride(null);
    expect(form).toMatchObject({ base: null, trusted: null, weights: {}, pageTokenRequired: 'inherit', blockIps: '' });
    expect(overrideFromForm(form)).toEqual({});
  });

  test.each([
    [{ base: 0.8 }],
    [{ thresholds: { trusted: 0.7 } }],
    [{ weights: { origin_not_allowed: -0.9 } }],
    [{ timing: { minTokenAgeMs: 100 } }],
    [{ cadence: { burstPerMinute: 10, regularCv: 0.1 } }],
    [{ shape: { expectedContentTypes: ['text/plain'] } }],
    [{ hard: { pageTokenRequired: true } }],
    [{ hard: { pageTokenRequired: false, blockUserAgents: ['HeadlessChrome'] } }],
  ])('only what it sets survives the round trip: %j', (override) => {
    expect(overrideFromForm(formFromOverride(override))).toEqual(override);
  });

  test('"page token required" has three states: inherit, yes, no', () => {
    expect(formFromOverride({}).pageTokenRequired).toBe('inherit');
    expect(formFromOverride({ hard: { pageTokenRequired: true } }).pageTokenRequired).toBe('yes');
    expect(formFromOverride({ hard: { pageTokenRequired: false } }).pageTokenRequired).toBe('no');
  });
});

describe('what the editor opens', () => {
  const global = (draftRules: Rules | null) => ({ kind: 'global', liveRules: RULES, draftRules }) as unknown as RulesState;
  const override = (liveRules: object | null, draftRules: object | null) => ({ kind: 'override', liveRules, draftRules }) as unknown as RulesState;

  test('the draft when there is one, else the rules in force', () => {
    expect(formOfState(global(null)).base).toBe(RULES.base);
    expect(formOfState(global({ ...RULES, base: 0.9 })).base).toBe(0.9);
    expect(formOfState(override({ base: 0.5 }, null)).base).toBe(0.5);
    expect(formOfState(override({ base: 0.5 }, { base: 0.4 })).base).toBe(0.4);
    expect(formOfState(override(null, null)).base).toBeNull();
  });
});

describe('validation errors beside their fields', () => {
  const errors = {
    'thresholds.trusted': ['must not exceed base'],
    'hard.blockIps.2': ['not a CIDR range'],
    'hard.blockIps.0': ['IPv4 ranges are at most /24'],
    'weights.origin_not_allowed': ['must be in [-1, 0]'],
    'mystery.field': ['what is this'],
    empty: [],
  };

  test.each([
    ['thresholds.trusted', ['must not exceed base']],
    ['hard.blockIps', ['line 3: not a CIDR range', 'line 1: IPv4 ranges are at most /24']],
    ['weights', ['origin_not_allowed: must be in [-1, 0]']],
    ['base', []],
  ])('the field %s shows %j', (path, shown) => {
    expect(errorsAt(errors, path)).toEqual(shown);
  });

  test('errors no field shows are listed, so none is lost', () => {
    expect(unplacedErrors(errors, ['thresholds.trusted', 'hard.blockIps', 'weights'])).toEqual(['mystery.field: what is this']);
  });

  test('the API’s zod errors become field errors; form-level ones go under ""', () => {
    const e = apiError('BAD_REQUEST', 400);
    (e.data as Record<string, unknown>).zodError = { fieldErrors: { base: ['too big'] }, formErrors: ['thresholds out of order'] };
    expect(fieldErrorsOf(e)).toEqual({ base: ['too big'], '': ['thresholds out of order'] });
  });

  test('other failures are not field errors', () => {
    expect(fieldErrorsOf(apiError('FORBIDDEN', 403))).toBeNull();
    expect(fieldErrorsOf(new Error('network down'))).toBeNull();
  });
});

test('unsaved changes are a difference in content, not in identity', () => {
  expect(sameJson(formFromRules(RULES), formFromRules(structuredClone(RULES)))).toBe(true);
  expect(sameJson(formFromRules(RULES), { ...formFromRules(RULES), base: 0.71 })).toBe(false);
});
