/**
 * Browser proof-of-work solver on WebCrypto SHA-256. WebCrypto is asynchronous, so candidates
 * are hashed in parallel batches: one digest at a time would spend most of its time waiting on
 * the promise round trip, and the batches also give the page's event loop room between rounds.
 */
import { sha256 } from '../shared/bytes.js';
import { leadingZeroBits, parsePowChallenge, powPrefix, setCounter } from '../shared/pow.js';

export interface SolveOptions {
  /** Digests in flight per round (default 256). */
  parallel?: number;
  /** Gives up after this many attempts (default 2^28), so a broken challenge cannot spin forever. */
  maxAttempts?: number;
}

export interface PowSolution {
  counters: number[];
  attempts: number;
}

/** Finds the k smallest counters that meet the challenge's difficulty for this request body. */
export async function solvePow(
  challenge: string,
  body: Uint8Array,
  options: SolveOptions = {},
): Promise<PowSolution> {
  const parsed = parsePowChallenge(challenge);
  if (!parsed) throw new Error('malformed proof-of-work challenge');
  const parallel = options.parallel ?? 256;
  const maxAttempts = options.maxAttempts ?? 2 ** 28;
  const prefix = powPrefix(challenge, await sha256(body));
  const counters: number[] = [];
  let next = 0;
  while (counters.length < parsed.k) {
    if (next >= maxAttempts) throw new Error('proof of work: attempt limit reached');
    const round: Array<Promise<Uint8Array>> = [];
    for (let i = 0; i < parallel; i++) {
      // A fresh buffer per attempt: the digest may read its input after this loop moves on.
      const input = prefix.slice();
      setCounter(input, next + i);
      round.push(sha256(input));
    }
    const hashes = await Promise.all(round);
    for (let i = 0; i < hashes.length && counters.length < parsed.k; i++) {
      if (leadingZeroBits(hashes[i] as Uint8Array) >= parsed.bits) counters.push(next + i);
    }
    next += parallel;
  }
  return { counters, attempts: next };
}
