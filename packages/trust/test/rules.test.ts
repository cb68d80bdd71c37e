import { describe, expect, test } from 'vitest';
import {
  ALL_REASON_CODES,
  DEFAULT_RULES,
  DEFAULT_WEIGHTS,
  REASON_CODES,
  WEIGHTED_REASON_CODES,
  applyOverride,
  rulesOverrideSchema,
  rulesSchema,
  type Rules,
} from '../src/index.js';

const clone = (r: Rules): Rules => JSON.parse(JSON.stringify(r)) as Rules;

describe('rulesSchema', () => {
  test('accepts the defaults and returns an equal object', () => {
    expect(rulesSchema.parse(clone(DEFAULT_RULES))).toEqual(DEFAULT_RULES);
  });

  test('every weighted reason code has a default weight of the right sign', () => {
    expect(Object.keys(DEFAULT_WEIGHTS).sort()).toEqual([...WEIGHTED_REASON_CODES].sort());
    for (const code of WEIGHTED_REASON_CODES) {
      const w = DEFAULT_WEIGHTS[code];
      if (REASON_CODES[code].kind === 'bonus') expect(w).toBeGreaterThanOrEqual(0);
      else expect(w).toBeLessThanOrEqual(0);
    }
  });

  test('reason codes are safe as document keys', () => {
    for (const code of ALL_REASON_CODES) expect(code).toMatch(/^[a-z][a-z0-9_]*$/);
  });

  test('fills weights missing from an older document with their defaults', () => {
    const old = clone(DEFAULT_RULES) as unknown as { weights: Record<string, number> };
    delete old.weights.header_duplicated;
    old.weights.origin_missing = -0.9;
    const parsed = rulesSchema.parse(old);
    expect(parsed.weights.header_duplicated).toBe(DEFAULT_WEIGHTS.header_duplicated);
    expect(parsed.weights.origin_missing).toBe(-0.9);
  });

  const invalid: Array<[string, (r: Record<string, unknown> & Rules) => void]> = [
    ['a positive weight on a penalty', (r) => (r.weights.origin_missing = 0.2)],
    ['a negative weight on a bonus', (r) => (r.weights.page_token_valid = -0.1)],
    ['a weight below -1', (r) => (r.weights.origin_missing = -1.5)],
    ['an unknown reason code', (r) => ((r.weights as Record<string, number>).made_up_code = -0.1)],
    ['a weight for a hard rule', (r) => ((r.weights as Record<string, number>).blocked_ip = -1)],
    ['a trusted threshold above base', (r) => (r.thresholds.trusted = 0.8)],
    ['a suspect threshold above trusted', (r) => (r.thresholds.suspect = 0.65)],
    ['a base above 1', (r) => (r.base = 1.2)],
    ['an unknown top-level field', (r) => (r.extra = true)],
    ['another schema version', (r) => ((r as { schema: number }).schema = 2)],
    ['a blocked IPv4 range narrower than /24', (r) => (r.hard.blockIps = ['198.51.100.7/32'])],
    ['a blocked IPv6 range narrower than /48', (r) => (r.hard.blockIps = ['2001:db8:1:2::/64'])],
    ['a blocked range that is not one', (r) => (r.hard.blockIps = ['example.com'])],
    ['a blocked origin with a path', (r) => (r.hard.blockOrigins = ['https://evil.example/x'])],
    ['a blocked user agent of 2 characters', (r) => (r.hard.blockUserAgents = ['go'])],
    ['no expected content type', (r) => (r.shape.expectedContentTypes = [])],
    ['a fractional burst limit', (r) => (r.cadence.burstPerMinute = 2.5)],
    ['more intervals than the beacon keeps', (r) => (r.cadence.minIntervals = 9)],
  ];
  test.each(invalid)('refuses %s', (_name, mutate) => {
    const r = clone(DEFAULT_RULES) as Record<string, unknown> & Rules;
    mutate(r);
    expect(rulesSchema.safeParse(r).success).toBe(false);
  });

  test('explains a sign error in terms of the code', () => {
    const r = clone(DEFAULT_RULES);
    r.weights.origin_missing = 0.2;
    const result = rulesSchema.safeParse(r);
    expect(result.success).toBe(false);
    expect(result.error?.issues[0]?.message).toBe(
      'origin_missing is a penalty: its weight must be in [-1, 0]',
    );
  });

  test('the shipped defaults cannot be mutated in place', () => {
    expect(() => {
      (DEFAULT_RULES.weights as Record<string, number>).origin_missing = 0;
    }).toThrow();
    expect(Object.isFrozen(DEFAULT_RULES.hard.blockIps)).toBe(true);
  });
});

describe('applyOverride', () => {
  test('returns the global rules when the site has no override', () => {
    expect(applyOverride(DEFAULT_RULES, undefined)).toBe(DEFAULT_RULES);
  });

  test('replaces scalars and adds to block lists', () => {
    const global = rulesSchema.parse({
      ...clone(DEFAULT_RULES),
      hard: { ...DEFAULT_RULES.hard, blockIps: ['10.0.0.0/8'] },
    });
    const merged = applyOverride(global, {
      thresholds: { trusted: 0.65 },
      weights: { referrer_absent: -0.2 },
      cadence: { burstPerMinute: 120 },
      hard: {
        pageTokenRequired: true,
        blockIps: ['198.51.100.0/24'],
        blockUserAgents: ['bad-bot'],
      },
    });
    expect(merged.thresholds).toEqual({ trusted: 0.65, suspect: 0.3 });
    expect(merged.weights.referrer_absent).toBe(-0.2);
    expect(merged.weights.origin_missing).toBe(DEFAULT_WEIGHTS.origin_missing);
    expect(merged.cadence).toEqual({ ...DEFAULT_RULES.cadence, burstPerMinute: 120 });
    expect(merged.hard).toEqual({
      pageTokenRequired: true,
      blockIps: ['10.0.0.0/8', '198.51.100.0/24'],
      blockUserAgents: ['bad-bot'],
      blockOrigins: [],
    });
    expect(merged.version).toBe(global.version);
  });

  test('throws when the merged rules break an invariant', () => {
    expect(() => applyOverride(DEFAULT_RULES, { thresholds: { trusted: 0.9 } })).toThrow(
      /thresholds.trusted must not exceed base/,
    );
  });

  test('memoises per (global, override) pair so the hot path reuses compiled rules', () => {
    const override = { weights: { referrer_absent: -0.1 } };
    expect(applyOverride(DEFAULT_RULES, override)).toBe(applyOverride(DEFAULT_RULES, override));
    expect(applyOverride(DEFAULT_RULES, { ...override })).not.toBe(
      applyOverride(DEFAULT_RULES, override),
    );
  });

  test.each<[string, unknown, boolean]>([
    ['an empty override', {}, true],
    ['a partial threshold change', { thresholds: { suspect: 0.2 } }, true],
    ['a sign error', { weights: { page_token_valid: -0.5 } }, false],
    ['an unknown field', { colour: 'red' }, false],
    ['an unknown code', { weights: { nope: -0.1 } }, false],
    ['a narrow IP range', { hard: { blockIps: ['1.2.3.4/32'] } }, false],
  ])('rulesOverrideSchema: %s is %s', (_name, value, ok) => {
    expect(rulesOverrideSchema.safeParse(value).success).toBe(ok);
  });
});
