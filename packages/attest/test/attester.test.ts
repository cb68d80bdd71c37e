import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { solvePow } from '../src/client/pow-solver.js';
import { createAttester } from '../src/server/attester.js';
import { formatPowHeader, leadingZeroBits, parsePowHeader } from '../src/shared/pow.js';

const secret = 'x'.repeat(32);
const body = new TextEncoder().encode('batch of blinded messages');

function attesterAt(seconds: number, bits = 8, k = 3) {
  return createAttester({
    secret,
    difficultyBits: bits,
    solutions: k,
    maxTokens: 4,
    ttlSeconds: 60,
    now: () => seconds * 1000,
  });
}

test('leadingZeroBits counts the zero bits before the first one bit', () => {
  fc.assert(
    fc.property(fc.uint8Array({ minLength: 1, maxLength: 8 }), (bytes) => {
      const binary = [...bytes].map((b) => b.toString(2).padStart(8, '0')).join('');
      const firstOne = binary.indexOf('1');
      expect(leadingZeroBits(bytes)).toBe(firstOne === -1 ? binary.length : firstOne);
    }),
  );
});

test('a solution found by the browser solver is accepted, and grants maxTokens', async () => {
  const attester = attesterAt(1000);
  const { challenge } = attester.challenge();
  const { counters } = await solvePow(challenge, body);
  expect(counters).toHaveLength(3);
  // The challenge's expiry comes back too: a single-use store keeps the spent solution that long.
  expect(attester.verifySolution(challenge, counters, body)).toEqual({ ok: true, maxTokens: 4, expiresAt: 1000 + 60 });
});

describe('refusals', () => {
  const attester = attesterAt(1000);
  const issued = attester.challenge();
  const solved = solvePow(issued.challenge, body);

  test.each([
    {
      name: 'a challenge signed with another secret',
      reason: 'bad_mac',
      run: async () => {
        const other = createAttester({
          secret: 'y'.repeat(32),
          difficultyBits: 8,
          solutions: 3,
          now: () => 1_000_000,
        });
        const c = other.challenge().challenge;
        return attester.verifySolution(c, (await solvePow(c, body)).counters, body);
      },
    },
    {
      name: 'a challenge whose difficulty was edited down',
      reason: 'bad_mac',
      run: async () => {
        const edited = issued.challenge.replace(/\.8\.3\./, '.0.3.');
        return attester.verifySolution(edited, [0, 1, 2], body);
      },
    },
    {
      name: 'a solution after expiry',
      reason: 'expired',
      run: async () =>
        attesterAt(1060).verifySolution(issued.challenge, (await solved).counters, body),
    },
    {
      name: 'a solution for another request body',
      reason: 'insufficient_work',
      run: async () => {
        return attester.verifySolution(
          issued.challenge,
          (await solved).counters,
          new TextEncoder().encode('another batch'),
        );
      },
    },
    {
      name: 'the same counter counted twice',
      reason: 'insufficient_work',
      run: async () => {
        const [first] = (await solved).counters as [number];
        return attester.verifySolution(issued.challenge, [first, first, first], body);
      },
    },
    {
      name: 'fewer partial solutions than asked',
      reason: 'insufficient_work',
      run: async () => {
        return attester.verifySolution(issued.challenge, (await solved).counters.slice(0, 2), body);
      },
    },
    {
      name: 'garbage',
      reason: 'malformed',
      run: async () => attester.verifySolution('v1.nope', [1, 2, 3], body),
    },
  ])('refuses $name ($reason)', async ({ run, reason }) => {
    expect(await run()).toEqual({ ok: false, reason });
  });
});

test('the header carries challenge and counters unchanged', () => {
  fc.assert(
    fc.property(
      fc.array(fc.integer({ min: 0, max: 0xffffffff }), { minLength: 1, maxLength: 8 }),
      (counters) => {
        const challenge = attesterAt(5).challenge().challenge;
        expect(parsePowHeader(formatPowHeader(challenge, counters))).toEqual({
          challenge,
          counters,
        });
      },
    ),
    { numRuns: 50 },
  );
});

test('expected work is k * 2^bits hashes', () => {
  expect(attesterAt(0, 13, 4).expectedHashes).toBe(4 * 8192);
});

test('the measured mean work over many challenges is close to k * 2^bits', async () => {
  // 40 challenges at k=2, bits=6: expected 128 attempts each; the mean of 40 has a standard
  // deviation of about 128/sqrt(80) = 14, so 128 ± 60 fails only on a broken solver or verifier.
  const attester = attesterAt(1000, 6, 2);
  let total = 0;
  for (let i = 0; i < 40; i++) {
    const { challenge } = attester.challenge();
    const { counters } = await solvePow(challenge, body, { parallel: 1 });
    expect(attester.verifySolution(challenge, counters, body).ok).toBe(true);
    total += (counters[1] as number) + 1;
  }
  expect(total / 40).toBeGreaterThan(68);
  expect(total / 40).toBeLessThan(188);
});
