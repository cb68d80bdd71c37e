import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import {
  DEFAULT_RULES,
  REASON_CODES,
  SIGNAL_GROUPS,
  WEIGHTED_REASON_CODES,
  deriveSignals,
  rulesSchema,
  score,
  type Rules,
  type Signals,
  type Verdict,
} from '../src/index.js';
import * as F from '../fixtures/index.js';
import { arbRules, arbSignals } from './support/arbitraries.js';
import { MUTATORS } from './support/mutators.js';

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

  test('reasons come out grouped by signal, in the order of SIGNAL_GROUPS', () => {
    fc.assert(
      fc.property(arbSignals, arbRules, (signals, rules) => {
        const ranks = score(signals, rules).reasons.map((r) =>
          SIGNAL_GROUPS.indexOf(REASON_CODES[r.code].group),
        );
        expect(ranks).toEqual([...ranks].sort((a, b) => a - b));
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
