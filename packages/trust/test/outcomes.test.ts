import { describe, expect, test } from 'vitest';
import {
  DEFAULT_RULES,
  applyOverride,
  deriveSignals,
  score,
  type AttestationStatus,
  type ReasonCode,
  type TokenStatus,
  type Verdict,
} from '../src/index.js';
import * as F from '../fixtures/index.js';

const run = (o: F.FactsOverrides, rules = DEFAULT_RULES) => score(deriveSignals(F.facts(o)), rules);

describe('page token outcome', () => {
  test.each<[TokenStatus, ReasonCode | null, Verdict]>([
    ['valid', 'page_token_valid', 'trusted'],
    ['missing', null, 'trusted'],
    ['malformed', 'page_token_malformed', 'suspect'],
    ['bad_signature', 'page_token_bad_signature', 'fraud'],
    ['unknown_key', 'page_token_unknown_key', 'fraud'],
    ['revoked_key', 'page_token_revoked_key', 'fraud'],
    ['expired_key', 'page_token_expired_key', 'suspect'],
    ['expired', 'page_token_expired', 'suspect'],
    ['not_yet_valid', 'page_token_not_yet_valid', 'suspect'],
    ['wrong_site', 'page_token_wrong_site', 'fraud'],
    ['wrong_origin', 'page_token_wrong_origin', 'fraud'],
    ['wrong_path', 'page_token_wrong_path', 'suspect'],
    ['replayed', 'page_token_replayed', 'fraud'],
  ])('a %s token reports %s and is %s for a real browser', (status, code, verdict) => {
    const result = run({ token: { status } });
    expect(result.reasons.map((r) => r.code)).toEqual(code === null ? [] : [code]);
    expect(result.verdict).toBe(verdict);
  });

  test('a missing token weighs 0 by default and is therefore not reported', () => {
    expect(run({ token: { status: 'missing' } }).reasons).toEqual([]);
    const weighted = applyOverride(DEFAULT_RULES, { weights: { page_token_missing: -0.2 } });
    expect(run({ token: { status: 'missing' } }, weighted).reasons).toEqual([
      { code: 'page_token_missing', weight: -0.2, detail: 'the page carries no page token' },
    ]);
  });

  test.each<[string, F.FactsOverrides, Verdict]>([
    [
      'a site that requires tokens turns a missing token into fraud',
      { site: { pageTokenRequired: true } },
      'fraud',
    ],
    [
      'and an expired one',
      { site: { pageTokenRequired: true }, token: { status: 'expired' } },
      'fraud',
    ],
    [
      'but accepts a valid one',
      { site: { pageTokenRequired: true }, token: F.VALID_TOKEN },
      'trusted',
    ],
  ])('%s', (_name, overrides, verdict) => {
    const result = run(overrides);
    expect(result.verdict).toBe(verdict);
    if (verdict === 'fraud') {
      expect(result.score).toBe(0);
      expect(result.reasons).toContainEqual(
        expect.objectContaining({ code: 'page_token_required', weight: -1 }),
      );
    }
  });

  test('the rules can require tokens for every site', () => {
    const strict = applyOverride(DEFAULT_RULES, { hard: { pageTokenRequired: true } });
    expect(run({}, strict).verdict).toBe('fraud');
    expect(run({ token: F.VALID_TOKEN }, strict).verdict).toBe('trusted');
  });
});

describe('token age (timing)', () => {
  test.each<[string, F.FactsOverrides['token'], ReasonCode[]]>([
    ['a token used 1.8 s after minting is fine', F.VALID_TOKEN, ['page_token_valid']],
    [
      'a token used 10 ms after minting is too young',
      { status: 'valid', ageMs: 10, ttlMs: 600_000 },
      ['page_token_valid', 'token_too_young'],
    ],
    [
      'a token used exactly at the minimum age is fine',
      { status: 'valid', ageMs: 50, ttlMs: 600_000 },
      ['page_token_valid'],
    ],
    [
      'a negative age (clock skew) is not judged',
      { status: 'valid', ageMs: -120, ttlMs: 600_000 },
      ['page_token_valid'],
    ],
    [
      'a token older than its lifetime',
      { status: 'expired', ageMs: 900_000, ttlMs: 600_000 },
      ['page_token_expired', 'token_older_than_lifetime'],
    ],
    ['an unknown age is not judged', { status: 'valid' }, ['page_token_valid']],
  ])('%s', (_name, token, expected) => {
    expect(run({ token }).reasons.map((r) => r.code)).toEqual(expected);
  });

  test('the minimum age is a rule', () => {
    const patient = applyOverride(DEFAULT_RULES, { timing: { minTokenAgeMs: 2000 } });
    // 1.8 s, from a page that says 2.5 s passed between its first byte and the send.
    const slowPage = { ttfb: 200, nav: 2600, start: 2650, checks: 8, send: 2700 };
    expect(
      run({ token: F.VALID_TOKEN, timing: slowPage }, patient).reasons.map((r) => r.code),
    ).toContain('token_too_young');
  });

  describe('a young token set against the page’s own clock (a token is minted before the first byte)', () => {
    // Next to its server a real page loads in tens of milliseconds, and its timings say so.
    const fastPage = { ttfb: 4.2, nav: 28.4, start: 30.1, checks: 2.3, send: 32.5 };
    const young = { status: 'valid', ageMs: 36, ttlMs: 600_000 } as const;

    test('a real page that loaded in 30 ms, with a 36 ms token, is trusted', () => {
      const result = run({ token: young, timing: fastPage });
      expect(result.reasons.map((r) => r.code)).toEqual(['page_token_valid']);
      expect(result.verdict).toBe('trusted');
    });

    test('the same token with timings copied from a slower page (1.1 s from first byte to send) is too young', () => {
      expect(run({ token: young }).reasons.map((r) => r.code)).toEqual([
        'page_token_valid',
        'token_too_young',
      ]);
      expect(run({ token: young }).verdict).not.toBe('trusted');
    });

    test('a token 2 ms old is too young even for a 30 ms page', () => {
      expect(
        run({ token: { ...young, ageMs: 2 }, timing: fastPage }).reasons.map((r) => r.code),
      ).toContain('token_too_young');
    });

    test('timings that fail a check of their own excuse nothing', () => {
      const codes = run({ token: young, timing: { ...fastPage, send: 32.55 } }).reasons.map(
        (r) => r.code,
      );
      expect(codes).toEqual(expect.arrayContaining(['token_too_young', 'timing_unrounded']));
    });
  });
});

describe('attestation outcome', () => {
  test.each<[AttestationStatus, ReasonCode | null, Verdict]>([
    ['valid', 'attestation_valid', 'trusted'],
    ['absent', null, 'trusted'],
    ['invalid', 'attestation_invalid', 'suspect'],
    ['double_spent', 'attestation_double_spent', 'fraud'],
    ['wrong_origin', 'attestation_wrong_origin', 'fraud'],
    ['expired_key', 'attestation_expired_key', 'suspect'],
  ])('a %s attestation reports %s and is %s for a real browser', (status, code, verdict) => {
    const result = run({ attestation: { status } });
    expect(result.reasons.map((r) => r.code)).toEqual(code === null ? [] : [code]);
    expect(result.verdict).toBe(verdict);
  });

  test('a valid attestation lifts a borderline event back to trusted', () => {
    const borderline = { headers: F.HEADLESS_CHROMIUM_SEND_BEACON };
    expect(run(borderline).verdict).toBe('suspect');
    expect(run({ ...borderline, attestation: { status: 'valid' } }).verdict).toBe('trusted');
  });
});
