/**
 * Issuance and redemption in real Chromium: the client bundle runs on one origin (the client
 * site), the issuer on another (the beacon), so CORS, WebCrypto, BigInt and sessionStorage are
 * all the browser's own.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { createVerifier, type Verifier } from '../src/server/verify.js';
import { bundleClient, launchChromium, startPageServer } from './browser-fixture.js';
import { challengeFor, generateKeys, memorySpend } from './helpers.js';
import { startAttestServer, type AttestServer } from './server-fixture.js';

let issuer: AttestServer;
let page: Awaited<ReturnType<typeof startPageServer>>;
let browser: Awaited<ReturnType<typeof launchChromium>>;
let verifier: Verifier;
let bundleSize: { bytes: number; gzip: number };
const spend = memorySpend();

/** A stand-in for the beacon's redemption: POST the token as text/plain, get the outcome back. */
function redeem(_req: IncomingMessage, res: ServerResponse, body: Promise<Uint8Array>) {
  void body.then(async (bytes) => {
    const token = new TextDecoder().decode(bytes);
    const result = await verifier.verify(token, {
      expectedChallenge: challengeFor(new URL(page.url).host, 'issuer.test'),
      spend,
    });
    res.writeHead(200, { 'content-type': 'application/json', 'access-control-allow-origin': '*' });
    res.end(JSON.stringify(result));
  });
}

beforeAll(async () => {
  const bundle = await bundleClient();
  bundleSize = { bytes: bundle.bytes, gzip: bundle.gzip };
  issuer = await startAttestServer({
    keys: generateKeys(1),
    extra: redeem,
    attester: { difficultyBits: 10, solutions: 4 },
  });
  verifier = createVerifier({ publicKeys: issuer.issuer.verificationKeys() });
  page = await startPageServer(bundle.code);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await page?.close();
  await issuer?.close();
});

/** The browser globals the page functions touch (this workspace compiles without the DOM lib). */
interface WebStorage {
  readonly length: number;
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}
interface PageGlobals {
  TagwardAttest: {
    createAttestClient(options: unknown): {
      refill(): Promise<unknown>;
      token(): Promise<string | null>;
      count(): number;
    };
    sessionTokenStore(storage: WebStorage): unknown;
  };
  sessionStorage: WebStorage;
  localStorage: WebStorage;
  document: { cookie: string };
}

interface PageResult {
  report: { issued: number; timings: Record<string, number>; powAttempts: number };
  outcomes: string[];
  countAfter: number;
  sessionKeys: string[];
  localStorageLength: number;
  cookie: string;
}

test('a page on another origin gets tokens from the issuer and redeems each exactly once', async () => {
  const tab = await browser.context.newPage();
  await tab.goto(page.url);
  const result = (await tab.evaluate(async (issuerUrl) => {
    const g = globalThis as unknown as PageGlobals;
    const lib = g.TagwardAttest;
    const client = lib.createAttestClient({
      issuerUrl,
      store: lib.sessionTokenStore(g.sessionStorage),
    });
    const report = await client.refill();
    const token = (await client.token())!;
    const send = (t: string) =>
      fetch(issuerUrl + '/redeem', { method: 'POST', body: t }).then(
        (r) => r.json() as Promise<{ outcome: string }>,
      );
    const first = await send(token);
    const again = await send(token);
    const next = await send((await client.token())!);
    return {
      report,
      outcomes: [first.outcome, again.outcome, next.outcome],
      countAfter: client.count(),
      sessionKeys: Object.keys(g.sessionStorage),
      localStorageLength: g.localStorage.length,
      cookie: g.document.cookie,
    };
  }, issuer.url)) as PageResult;

  expect(result.report.issued).toBe(5);
  expect(result.outcomes).toEqual(['valid', 'double_spent', 'valid']);
  expect(result.countAfter).toBe(3);
  // Kept per tab only: sessionStorage, never localStorage or cookies.
  expect(result.sessionKeys).toEqual([`tagward-pp:${issuer.url}`]);
  expect(result.localStorageLength).toBe(0);
  expect(result.cookie).toBe('');
  console.log(
    `[attest] chromium refill: ${JSON.stringify(result.report)}; client bundle ${bundleSize.bytes} B, ${bundleSize.gzip} B gzip`,
  );

  // Tokens survive a navigation in the same tab, and a new tab starts empty.
  await tab.reload();
  const kept = await tab.evaluate(() => {
    const { sessionStorage } = globalThis as unknown as PageGlobals;
    return (JSON.parse(sessionStorage.getItem(Object.keys(sessionStorage)[0]!) ?? '[]') as string[])
      .length;
  });
  expect(kept).toBe(3);
  const other = await browser.context.newPage();
  await other.goto(page.url);
  expect(
    await other.evaluate(() => (globalThis as unknown as PageGlobals).sessionStorage.length),
  ).toBe(0);
  await other.close();
  await tab.close();
});
