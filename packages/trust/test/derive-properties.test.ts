import { describe, expect, test } from 'vitest';
import fc from 'fast-check';
import { DEFAULT_RULES, deriveSignals, score } from '../src/index.js';
import { arbFacts, storageProblems } from './support/arbitrary-facts.js';

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
