/**
 * The attester: decides whether a browser earns tokens. Its only proof here is work — a
 * stateless hashcash-style challenge (see shared/pow.ts) signed with HMAC-SHA-256, so any beacon
 * process can check a solution without a shared store. What work can and cannot prove is in
 * docs/attestation.md; the page token and request-shape signals are the beacon's to add through
 * the `admit` hook of the HTTP handlers.
 */
import { createHash, createHmac, randomBytes as nodeRandomBytes } from 'node:crypto';
import { bytesEqual } from '../shared/bytes.js';
import {
  formatPowChallenge,
  leadingZeroBits,
  parsePowChallenge,
  powPrefix,
  setCounter,
  type PowParams,
} from '../shared/pow.js';

export interface AttesterOptions {
  /** HMAC key, at least 32 bytes. Every beacon process must share it. */
  secret: string | Uint8Array;
  /** Leading zero bits per partial solution (default 13, see docs/attestation.md for the choice). */
  difficultyBits?: number;
  /** Partial solutions per challenge (default 4). Expected work: k * 2^bits SHA-256 calls. */
  solutions?: number;
  /** Tokens one solved challenge buys (default 5). */
  maxTokens?: number;
  /** Seconds a challenge stays solvable (default 120). */
  ttlSeconds?: number;
  now?: () => number;
}

export type PowVerdict =
  | { ok: true; maxTokens: number; /** Unix seconds: until then a replay of this solution must be refused. */ expiresAt: number }
  | { ok: false; reason: 'malformed' | 'bad_mac' | 'expired' | 'insufficient_work' };

export interface IssuedPowChallenge extends PowParams {
  challenge: string;
}

export interface Attester {
  challenge(): IssuedPowChallenge;
  /**
   * Checks a solution bound to `body` (the exact issuance request body). Constant cost:
   * k SHA-256 calls plus one HMAC, whatever the input.
   */
  verifySolution(challenge: string, counters: readonly number[], body: Uint8Array): PowVerdict;
  /** Expected SHA-256 evaluations to solve one challenge: the cost figure of the docs. */
  readonly expectedHashes: number;
  readonly params: Omit<PowParams, 'expiresAt'>;
}

/**
 * @example
 * const attester = createAttester({ secret: process.env.TAGWARD_ATTEST_SECRET!, difficultyBits: 13 });
 * const { challenge } = attester.challenge();
 * attester.verifySolution(challenge, counters, body); // { ok: true, maxTokens: 5 }
 */
export function createAttester(options: AttesterOptions): Attester {
  const secret =
    typeof options.secret === 'string' ? Buffer.from(options.secret) : Buffer.from(options.secret);
  if (secret.length < 32) throw new TypeError('createAttester: secret must be at least 32 bytes');
  const bits = options.difficultyBits ?? 13;
  const k = options.solutions ?? 4;
  const maxTokens = options.maxTokens ?? 5;
  const ttl = options.ttlSeconds ?? 120;
  const now = options.now ?? Date.now;
  if (!Number.isInteger(bits) || bits < 0 || bits > 32)
    throw new TypeError('difficultyBits must be 0..32');
  if (!Number.isInteger(k) || k < 1 || k > 64) throw new TypeError('solutions must be 1..64');
  // Domain separation: the same secret could key other HMACs of the beacon.
  const mac = (signed: string) =>
    new Uint8Array(createHmac('sha256', secret).update('tagward-pow\0').update(signed).digest());

  return {
    expectedHashes: k * 2 ** bits,
    params: { bits, k, maxTokens },
    challenge() {
      const params: PowParams = { bits, k, maxTokens, expiresAt: Math.floor(now() / 1000) + ttl };
      return {
        ...params,
        challenge: formatPowChallenge(new Uint8Array(nodeRandomBytes(16)), params, mac),
      };
    },
    verifySolution(challenge, counters, body) {
      const parsed = parsePowChallenge(challenge);
      if (!parsed) return { ok: false, reason: 'malformed' };
      if (!bytesEqual(mac(parsed.signed), parsed.mac)) return { ok: false, reason: 'bad_mac' };
      if (Math.floor(now() / 1000) >= parsed.expiresAt) return { ok: false, reason: 'expired' };
      if (counters.length !== parsed.k) return { ok: false, reason: 'insufficient_work' };
      const input = powPrefix(challenge, createHash('sha256').update(body).digest());
      let previous = -1;
      for (const counter of counters) {
        // Strictly increasing counters: the same hit cannot be counted twice.
        if (!Number.isInteger(counter) || counter <= previous || counter > 0xffffffff) {
          return { ok: false, reason: 'insufficient_work' };
        }
        previous = counter;
        setCounter(input, counter);
        if (leadingZeroBits(createHash('sha256').update(input).digest()) < parsed.bits) {
          return { ok: false, reason: 'insufficient_work' };
        }
      }
      return { ok: true, maxTokens: parsed.maxTokens, expiresAt: parsed.expiresAt };
    },
  };
}
