/**
 * `npm run bench:tokens`: page-token verifications per second on one core.
 *
 * - verify: the full `createTokenVerifier().verify()` as the beacon calls it: decode, HMAC-SHA256
 *   check, key state, site, origin, path and time checks, then the nonce spend. The key comes from
 *   the verifier's cache (one lookup for the whole run) and the nonce spend is IN MEMORY
 *   (`createMemoryNonceSpender`), so the figure is the CPU cost of verification; the database
 *   insert of a spent nonce is the beacon's cost and is measured by `bench:beacon`.
 * - hmac: a plain HMAC-SHA256 over the same signed bytes with the same key, same run: the floor.
 * - ed25519: `crypto.verify` of an Ed25519 signature over the same bytes: the public-key
 *   alternative discussed in docs/threat-model.md.
 *
 * Rates are per CPU-second of this process (`process.cpuUsage`, user + system), i.e. "on one
 * core": on a shared machine, wall-clock rates mostly measure how often the scheduler ran us.
 * Wall-clock rates are printed alongside. Rounds alternate between the three so that the noise
 * that remains (caches, frequency) hits all of them alike; the median round is reported.
 * Bounded: about half a minute on a busy 2-core machine.
 */
import { createHmac, createSecretKey, generateKeyPairSync, sign, verify } from 'node:crypto';
import { buildPageTokenClaims, decodePageToken, signPageToken } from '@tagward/protocol';
import {
  createMemoryNonceSpender,
  createTokenVerifier,
  deriveSigningKey,
  generateSecretKey,
  type KeyRecord,
} from '../src/index.js';

const ROUNDS = 5;
const TOKENS_PER_ROUND = 100_000;
const ED25519_PER_ROUND = 4_000;
const ORIGIN = 'https://shop.example';

const masterKey = Buffer.alloc(32, 9);
const key = generateSecretKey({ mode: 'live', masterKey });
const siteId = '6650c0ffee0000000000a001';
const record: KeyRecord = {
  kid: key.kid,
  siteId,
  secretHash: key.secretHash,
  signingKeyEnc: key.signingKeyEnc,
  expiresAt: null,
  revokedAt: null,
};
const signingKey = deriveSigningKey(key.secretKey);
const signingKeyObject = createSecretKey(signingKey);
const now = Date.now();

function mintBatch(count: number): { tokens: string[]; urls: string[] } {
  const tokens: string[] = [];
  const urls: string[] = [];
  for (let i = 0; i < count; i++) {
    const exact = i % 2 === 0;
    const path = exact ? `/blog/post-${i % 500}` : '/docs/*';
    const claims = buildPageTokenClaims({ kid: key.kid, origin: ORIGIN, path, now: now - 1500 });
    tokens.push(signPageToken(claims, signingKey));
    urls.push(`${ORIGIN}${exact ? path : `/docs/page-${i % 300}`}?ref=home`);
  }
  return { tokens, urls };
}

/** Runs `body` and returns [per CPU-second, per wall-clock second] for `count` operations. */
async function rate(count: number, body: () => Promise<void> | void): Promise<[number, number]> {
  const cpu0 = process.cpuUsage();
  const wall0 = performance.now();
  await body();
  const wallS = (performance.now() - wall0) / 1000;
  const cpu = process.cpuUsage(cpu0);
  const cpuS = (cpu.user + cpu.system) / 1e6;
  return [count / cpuS, count / wallS];
}

const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)] ?? 0;
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

async function main() {
  const verifier = createTokenVerifier({
    masterKey,
    lookupKey: async () => record,
    spendNonce: createMemoryNonceSpender({ maxEntries: ROUNDS * TOKENS_PER_ROUND + 1 }),
  });
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');

  // Warm-up: JIT, the key cache, and a sanity check that every token verifies as valid.
  const warm = mintBatch(20_000);
  for (let i = 0; i < warm.tokens.length; i++) {
    const outcome = await verifier.verify(warm.tokens[i], {
      siteId,
      origin: ORIGIN,
      url: warm.urls[i] ?? '',
      now,
    });
    if (outcome.status !== 'valid') throw new Error(`warm-up token ${i} is ${outcome.status}`);
  }
  const sample = warm.tokens[0] ?? '';
  console.log(`token: ${sample.length} characters, e.g. ${sample}`);

  const verifyRates: number[] = [];
  const hmacRates: number[] = [];
  const decodeRates: number[] = [];
  const edRates: number[] = [];
  for (let round = 1; round <= ROUNDS; round++) {
    const { tokens, urls } = mintBatch(TOKENS_PER_ROUND);
    const inputs = tokens.map((t) => t.slice(0, t.lastIndexOf('.')));

    let invalid = 0;
    const [verifyRate, verifyWall] = await rate(tokens.length, async () => {
      for (let i = 0; i < tokens.length; i++) {
        const outcome = await verifier.verify(tokens[i], {
          siteId,
          origin: ORIGIN,
          url: urls[i] ?? '',
          now,
        });
        if (outcome.status !== 'valid') invalid++;
      }
    });
    if (invalid) throw new Error(`${invalid} tokens did not verify`);

    let sink = 0;
    const [hmacRate, hmacWall] = await rate(inputs.length, () => {
      for (const input of inputs) {
        sink += createHmac('sha256', signingKeyObject).update(input, 'latin1').digest()[0] ?? 0;
      }
    });

    const [decodeRate] = await rate(tokens.length, () => {
      for (const token of tokens) sink += decodePageToken(token).ok ? 1 : 0;
    });

    const edInputs = inputs.slice(0, ED25519_PER_ROUND).map((s) => Buffer.from(s, 'latin1'));
    const edSigs = edInputs.map((data) => sign(null, data, privateKey));
    const [edRate] = await rate(edInputs.length, () => {
      for (let i = 0; i < edInputs.length; i++) {
        const data = edInputs[i];
        const sig = edSigs[i];
        if (data && sig && verify(null, data, publicKey, sig)) sink++;
      }
    });

    verifyRates.push(verifyRate);
    hmacRates.push(hmacRate);
    decodeRates.push(decodeRate);
    edRates.push(edRate);
    console.log(
      `round ${round} (per CPU-second): verify ${fmt(verifyRate)}  hmac ${fmt(hmacRate)}  decode ${fmt(decodeRate)}  ed25519 ${fmt(edRate)}` +
        `  | wall-clock: verify ${fmt(verifyWall)}/s hmac ${fmt(hmacWall)}/s  (sink ${sink % 10})`,
    );
  }

  const verifyPerS = median(verifyRates);
  const hmacPerS = median(hmacRates);
  const edPerS = median(edRates);
  console.log(
    `median per CPU-second: verify ${fmt(verifyPerS)}/s, hmac ${fmt(hmacPerS)}/s, decode ${fmt(median(decodeRates))}/s, ed25519 verify ${fmt(edPerS)}/s`,
  );
  console.log(
    `ratios (same run): verify/hmac = ${(verifyPerS / hmacPerS).toFixed(2)}, verify/ed25519 = ${(verifyPerS / edPerS).toFixed(1)}x, ` +
      `hmac/ed25519 = ${(hmacPerS / edPerS).toFixed(1)}x; nonce spend in memory; goal >= 100k/s ${verifyPerS >= 100_000 ? 'met' : 'NOT met'}`,
  );
  console.log(
    `bench tokens: verify_per_s=${Math.round(verifyPerS)} hmac_per_s=${Math.round(hmacPerS)}`,
  );
}

await main();
