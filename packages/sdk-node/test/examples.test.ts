/**
 * Starts each example on port 0, fetches pages, and checks that the token rendered into the
 * snippet verifies with the real verifier against the real database, exactly once, for its page.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import { startExample as startExpress } from '../examples/express.js';
import { startExample as startNodeHttp } from '../examples/node-http.js';
import {
  seedSite,
  startVerifyServer,
  storeEvent,
  verifierFor,
  type RunningServer,
  type SeededSite,
} from './tagward-server.js';

const SITE_ORIGIN = 'https://shop.example';
const INTEGRITY = 'sha384-oqVuAfXRKap7fdgcCY5uykM6+R9GqQ8K/uxy9rx7HNQlGYl1kPzQho1wx4JwY8wC';

let db: TestDatabase;
let site: SeededSite;
let verifyApi: RunningServer;

beforeAll(async () => {
  db = await createTestDatabase('sdk_examples');
  site = await seedSite(db, 'Examples');
  verifyApi = await startVerifyServer(db);
});
afterAll(async () => {
  await verifyApi?.close();
  await db?.dispose();
});

function attributes(html: string): Record<string, string> {
  const tag = /<script src="[^"]*"[^>]*><\/script>/.exec(html)?.[0] ?? '';
  return Object.fromEntries(
    [...tag.matchAll(/([a-z-]+)="([^"]*)"/g)].map((m) => [m[1] ?? '', m[2] ?? '']),
  );
}

const examples = [
  ['express', startExpress],
  ['node:http', startNodeHttp],
] as const;

describe.each(examples)('the %s example', (_name, start) => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = await start({
      secretKey: site.key.secretKey,
      publishableKey: site.publishableKey,
      siteOrigin: SITE_ORIGIN,
      endpoint: verifyApi.url,
      embedIntegrity: INTEGRITY,
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  test('renders the snippet with the script, SRI, publishable key and a token that verifies once', async () => {
    const response = await fetch(`${base}/blog/hello`);
    expect(response.status).toBe(200);
    expect(response.headers.get('cache-control')).toBe('no-store');
    const html = await response.text();
    expect(html).not.toContain(site.key.secretKey);
    const attrs = attributes(html);
    expect(attrs).toMatchObject({
      src: `${verifyApi.url}/v1.js`,
      integrity: INTEGRITY,
      crossorigin: 'anonymous',
      'data-site': site.publishableKey,
    });
    const token = attrs['data-token'];
    const verifier = verifierFor(db);
    const ctx = { siteId: site.siteId, origin: SITE_ORIGIN, url: `${SITE_ORIGIN}/blog/hello` };
    expect(
      (await verifier.verify(token, { ...ctx, url: `${SITE_ORIGIN}/blog/other` })).status,
    ).toBe('wrong_path');
    expect(
      (await verifier.verify(token, { ...ctx, origin: 'https://copycat.example' })).status,
    ).toBe('wrong_origin');
    expect((await verifier.verify(token, ctx)).status).toBe('valid');
    expect((await verifier.verify(token, ctx)).status).toBe('replayed');
  });

  test('mints a new token for every page view', async () => {
    const tokens = await Promise.all(
      [1, 2, 3].map(async () => attributes(await (await fetch(`${base}/`)).text())['data-token']),
    );
    expect(new Set(tokens).size).toBe(3);
    const verifier = verifierFor(db);
    for (const token of tokens) {
      const outcome = await verifier.verify(token, {
        siteId: site.siteId,
        origin: SITE_ORIGIN,
        url: `${SITE_ORIGIN}/`,
      });
      expect(outcome.status).toBe('valid');
    }
  });
});

describe('the express example behind a form', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = await startExpress({
      secretKey: site.key.secretKey,
      publishableKey: site.publishableKey,
      siteOrigin: SITE_ORIGIN,
      endpoint: verifyApi.url,
    });
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  });

  const post = (beaconId: string) =>
    fetch(`${base}/signup`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: 'a@b.example', beaconId }),
    });

  test.each([
    ['a trusted beacon', 'trusted', 200, /^welcome \(trusted/],
    ['a fraud beacon', 'fraud', 403, /^refused: origin_mismatch/],
    ['no beacon', undefined, 400, /no page view/],
  ] as const)('%s gets %i', async (_name, verdict, status, text) => {
    const id = verdict
      ? await storeEvent(db, site.siteId, {
          score: verdict === 'trusted' ? 0.95 : 0.05,
          verdict,
          reasons: verdict === 'fraud' ? [{ code: 'origin_mismatch', weight: -1 }] : [],
        })
      : '';
    const response = await post(id);
    expect(response.status).toBe(status);
    expect(await response.text()).toMatch(text);
  });
});
