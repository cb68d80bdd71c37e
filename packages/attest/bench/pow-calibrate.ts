/**
 * `npm run bench:pow -w @tagward/attest`: sizes the proof of work. Measures SHA-256 attempts per
 * second three ways — node:crypto (what an attacker's native script gets per core), the client
 * solver on Node's WebCrypto, and the client solver in real Chromium — then solves real
 * challenges in Chromium at the default difficulty and prints solve times.
 * Bounded: about 20 s. Other work on the machine makes the figures noisy.
 */
import { createHash } from 'node:crypto';
import { createAttester } from '../src/server/attester.js';
import { solvePow } from '../src/client/pow-solver.js';
import { bundleClient, launchChromium, startPageServer } from '../test/browser-fixture.js';

const body = new Uint8Array(2 + 5 * 259).fill(7);
const attester = createAttester({ secret: 'c'.repeat(32) });
const { bits, k } = attester.params;
const ROUNDS = Number(process.env.POW_ROUNDS ?? 20);

function stats(ms: number[]) {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const mean = ms.reduce((a, b) => a + b, 0) / ms.length;
  return `mean ${mean.toFixed(0)} ms, median ${at(0.5).toFixed(0)}, p90 ${at(0.9).toFixed(0)}, max ${at(1).toFixed(0)}`;
}

// 1. node:crypto, one core: the attacker's baseline without any special hardware.
const input = new Uint8Array(160);
let n = 0;
const t0 = performance.now();
while (performance.now() - t0 < 2000) {
  for (let i = 0; i < 1000; i++, n++) {
    input[159] = i & 0xff;
    createHash('sha256').update(input).digest();
  }
}
const nativeRate = (n / (performance.now() - t0)) * 1000;
console.log(`node:crypto sha256, one core          ${Math.round(nativeRate)} attempts/s`);

// 2. The client solver on Node's WebCrypto.
let attempts = 0;
const nodeTimes: number[] = [];
const t1 = performance.now();
for (let i = 0; i < ROUNDS; i++) {
  const { challenge } = attester.challenge();
  const s = performance.now();
  attempts += (await solvePow(challenge, body)).attempts;
  nodeTimes.push(performance.now() - s);
}
console.log(
  `client solver, Node WebCrypto          ${Math.round((attempts / (performance.now() - t1)) * 1000)} attempts/s; solve ${stats(nodeTimes)}`,
);

// 3. The client solver in Chromium, solving fresh challenges of the default difficulty.
const bundle = await bundleClient();
const page = await startPageServer(bundle.code);
const browser = await launchChromium();
try {
  const tab = await browser.context.newPage();
  await tab.goto(page.url);
  const challenges = Array.from({ length: ROUNDS }, () => attester.challenge().challenge);
  const result = (await tab.evaluate(
    async ({ challenges, bodyLength }) => {
      const lib = (
        globalThis as unknown as {
          TagwardAttest: { solvePow(c: string, b: Uint8Array): Promise<{ attempts: number }> };
        }
      ).TagwardAttest;
      const b = new Uint8Array(bodyLength).fill(7);
      const times: number[] = [];
      let total = 0;
      const start = performance.now();
      for (const c of challenges) {
        const s = performance.now();
        total += (await lib.solvePow(c, b)).attempts;
        times.push(performance.now() - s);
      }
      return { times, total, elapsed: performance.now() - start };
    },
    { challenges, bodyLength: body.length },
  )) as { times: number[]; total: number; elapsed: number };
  const chromiumRate = (result.total / result.elapsed) * 1000;
  console.log(
    `client solver, Chromium WebCrypto      ${Math.round(chromiumRate)} attempts/s; solve ${stats(result.times)}`,
  );
  const expected = attester.expectedHashes;
  console.log(
    `difficulty: ${k} x ${bits} bits = ${expected} expected attempts per challenge (${attester.params.maxTokens} tokens)`,
  );
  console.log(
    `attacker, node:crypto one core: ${((expected / nativeRate) * 1000).toFixed(1)} ms per challenge, ${((expected / nativeRate / attester.params.maxTokens) * 1000).toFixed(2)} ms CPU per token`,
  );
  console.log(
    `bench pow: chromium_attempts_per_s=${Math.round(chromiumRate)} native_attempts_per_s=${Math.round(nativeRate)} expected_attempts=${expected}`,
  );
} finally {
  await browser.close();
  await page.close();
}
