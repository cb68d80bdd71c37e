/**
 * `npm run bench:attest`: issuance and redemption throughput on one core (this process, one
 * thread; OpenSSL does not spread a single RSA operation over cores).
 *   issuance  = TokenRequest parse + BlindSign (m^d mod n, CRT) + the s^e = m fault check
 *   redemption = token parse + key lookup + RSASSA-PSS-SHA384 verify + challenge check + spend,
 *                with an in-memory spend: the database insert is the beacon's cost and is
 *                measured by its own benchmark.
 * Figures are noisy when other work shares the machine; compare ratios from the same run.
 */
import { createIssuer } from '../src/server/issuer.js';
import { createVerifier } from '../src/server/verify.js';
import { generateIssuerKeyPem } from '../src/server/keys.js';
import { decodeBatchRequest, encodeTokenRequest } from '../src/shared/wire.js';
import { challengeFor, mintTokens } from '../test/helpers.js';

const DURATION_MS = Number(process.env.BENCH_MS ?? 3000);
const POOL = 64;

function report(label: string, ops: number, elapsed: number): number {
  const perSecond = Math.round((ops / elapsed) * 1000);
  console.log(
    `${label.padEnd(34)} ${String(perSecond).padStart(7)} /s  (${ops} ops in ${Math.round(elapsed)} ms, ${((elapsed / ops) * 1000).toFixed(1)} µs/op)`,
  );
  return perSecond;
}

function run(label: string, fn: (i: number) => unknown): number {
  // Warm-up, so JIT and OpenSSL's per-key Montgomery setup are out of the measurement.
  for (let i = 0; i < 50; i++) fn(i);
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < DURATION_MS) {
    for (let j = 0; j < 20; j++) fn(ops++);
  }
  return report(label, ops, performance.now() - start);
}

async function runAsync(label: string, fn: (i: number) => Promise<unknown>): Promise<number> {
  for (let i = 0; i < 50; i++) await fn(i);
  let ops = 0;
  const start = performance.now();
  while (performance.now() - start < DURATION_MS) {
    for (let j = 0; j < 20; j++) await fn(ops++);
  }
  return report(label, ops, performance.now() - start);
}

const issuer = createIssuer({
  keys: [{ privateKey: generateIssuerKeyPem(), notBefore: 1_700_000_000 }],
});
const challenge = challengeFor('shop.example');
const minted = await mintTokens(issuer, challenge, POOL);
const requests = decodeBatchRequest(minted.request).map(encodeTokenRequest);
const batchOf5 = (await mintTokens(issuer, challenge, 5)).request;

console.log(
  `node ${process.version}, ${POOL} distinct tokens/requests cycled, ${DURATION_MS} ms per figure`,
);
const issuePerS = run('issue (one TokenRequest)', (i) => issuer.issue(requests[i % POOL]!));
const batchPerS = run('issue (batch of 5), tokens', () => issuer.issueBatch(batchOf5)) * 5;
console.log(`${'  = batch tokens/s'.padEnd(34)} ${String(batchPerS).padStart(7)} /s`);

const verifier = createVerifier({ publicKeys: issuer.verificationKeys() });
const spendAlways = async () => true;
const redeemPerS = await runAsync('redeem (verify + in-memory spend)', (i) =>
  verifier.verify(minted.tokens[i % POOL]!, { expectedChallenge: challenge, spend: spendAlways }),
);
const forged = minted.tokens.map(
  (t) => t.slice(0, 200) + (t[200] === 'A' ? 'B' : 'A') + t.slice(201),
);
run(
  'reject forged token (sync part)',
  (i) =>
    void verifier.verify(forged[i % POOL]!, { expectedChallenge: challenge, spend: spendAlways }),
);

console.log(
  `goals: issuance >= 300/s (${issuePerS >= 300 ? 'met' : 'MISSED'}), redemption >= 10000/s (${redeemPerS >= 10_000 ? 'met' : 'MISSED'})`,
);
console.log(`bench attest: issue_per_s=${issuePerS} redeem_per_s=${redeemPerS}`);
