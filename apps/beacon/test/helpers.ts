import { randomBytes } from 'node:crypto';
import http from 'node:http';
import { pino } from 'pino';
import { mintPageToken } from '@tagward/sdk-node';
import { createTestDatabase, type TestDatabase } from '@tagward/db/testing';
import type { Database } from '@tagward/db';
import { generateMasterKey, generatePublishableKey, generateSecretKey, parseMasterKey, storedSecretKey } from '@tagward/keys';
import { beaconConfigSchema, type BeaconConfig } from '../src/config.js';
import { createBeacon, type Beacon } from '../src/server.js';
import { createCheckers } from '../src/checkers.js';

export const SITE_ORIGIN = 'https://shop.example';

export interface TestSite {
  siteId: string;
  publicKey: string;
  secretKey: string;
}

export async function seedSite(
  db: Database,
  masterKey: string,
  options: { origins?: string[]; pageTokenRequired?: boolean } = {},
): Promise<TestSite> {
  const site = await db.models.Site.create({
    name: 'Test shop',
    publicKey: generatePublishableKey('live'),
    mode: 'live',
    allowedOrigins: options.origins ?? [SITE_ORIGIN],
    pageTokenRequired: options.pageTokenRequired ?? false,
  });
  const key = generateSecretKey({ mode: 'live', masterKey: parseMasterKey(masterKey) });
  await db.models.SecretKey.create({ siteId: site._id, ...storedSecretKey(key) });
  return { siteId: String(site._id), publicKey: site.publicKey, secretKey: key.secretKey };
}

export interface TestBeacon {
  db: TestDatabase;
  beacon: Beacon;
  url: string;
  masterKey: string;
  close(): Promise<void>;
}

export function testConfig(masterKey: string, overrides: Partial<Record<keyof BeaconConfig, unknown>> = {}): BeaconConfig {
  // Every test beacon comes from 127.0.0.1: the per-address and per-network limits are out of
  // the way unless a test sets them.
  return beaconConfigSchema.parse({
    port: 0,
    masterKey,
    logLevel: 'silent',
    rulesRefreshMs: 200,
    siteCacheMs: 100,
    addressLimitPerWindow: 1_000_000,
    networkLimitPerWindow: 1_000_000,
    metricsPort: 0,
    ...overrides,
  });
}

export async function startTestBeacon(
  label: string,
  overrides: Partial<Record<keyof BeaconConfig, unknown>> = {},
  db?: TestDatabase,
  embedDir?: string,
  /** The beacon's clock (arrival times, rate-limit windows); default the wall clock. */
  now?: () => number,
): Promise<TestBeacon> {
  const database = db ?? (await createTestDatabase(label));
  const masterKey = generateMasterKey();
  const config = testConfig(masterKey, overrides);
  const log = pino({ level: 'silent' });
  const checkers = createCheckers({ db: database, config, log });
  const beacon = await createBeacon({ db: database, config, log, embedDir, now, ...checkers });
  const url = await beacon.listen(0, '127.0.0.1');
  return {
    db: database,
    beacon,
    url,
    masterKey,
    async close() {
      await beacon.close();
      if (!db) await database.dispose();
    },
  };
}

/**
 * A page token as a real page view presents it: minted by the backend, then a page load and an
 * idle callback later (trust scores tokens used within tens of milliseconds as scripted).
 */
export async function mintAgedToken(site: TestSite, path = '/products/widget', ageMs = 150): Promise<string> {
  const token = mintPageToken({ secretKey: site.secretKey, origin: SITE_ORIGIN, path });
  await new Promise((resolve) => setTimeout(resolve, ageMs));
  return token;
}

export function eventId(): string {
  return randomBytes(12).toString('base64url');
}

/** Timings of a real page, different for every `i` (so that only the cadence gives a script away). */
export function freshTimings(i: number) {
  const nav = 600 + ((i * 37) % 400) + 0.1 * (i % 10);
  const start = nav + 20 + (i % 13);
  return { nav, start, checks: 1.2, send: Math.round((start + 1.9) * 10) / 10 };
}

export function beaconPayload(publicKey: string, extra: Record<string, unknown> = {}) {
  return {
    v: 1,
    key: publicKey,
    id: eventId(),
    url: `${SITE_ORIGIN}/products/widget`,
    ref: '',
    checks: [
      { id: 'title_present', pass: true },
      { id: 'img_alt', pass: false, value: 0.5 },
    ],
    timing: { nav: 840, start: 910, checks: 1.2, send: 913 },
    seq: 0,
    ...extra,
  };
}

/** The headers Chromium sends with navigator.sendBeacon from a cross-site page, in its order and casing. */
export function chromiumBeaconHeaders(origin = SITE_ORIGIN, referer = `${SITE_ORIGIN}/products/widget`): Record<string, string> {
  return {
    'sec-ch-ua-platform': '"Linux"',
    'User-Agent':
      'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36',
    'sec-ch-ua': '"Chromium";v="156", "Not(A:Brand";v="24"',
    'Content-Type': 'text/plain;charset=UTF-8',
    'sec-ch-ua-mobile': '?0',
    Accept: '*/*',
    Origin: origin,
    'Sec-Fetch-Site': 'cross-site',
    'Sec-Fetch-Mode': 'no-cors',
    'Sec-Fetch-Dest': 'empty',
    Referer: referer,
    'Accept-Encoding': 'gzip, deflate, br, zstd',
    'Accept-Language': 'en-US,en;q=0.9',
  };
}

export interface PostResult {
  status: number;
  body: { id?: string; error?: { code: string; message: string } };
  headers: http.IncomingHttpHeaders;
}

/**
 * POSTs with node:http so header order and casing are exactly the ones given (fetch would add and
 * reorder its own), with Host, Connection and Content-Length first as Chromium sends them.
 */
export function postBeacon(
  url: string,
  body: string | Buffer,
  headers: Record<string, string> = chromiumBeaconHeaders(),
  /** Another loopback address (127.0.0.2, …) to send from: another visitor, as the server sees it. */
  options: { localAddress?: string } = {},
): Promise<PostResult> {
  const target = new URL('/v1/collect', url);
  const all = {
    Host: target.host,
    Connection: 'keep-alive',
    'Content-Length': String(Buffer.byteLength(body)),
    ...headers,
  };
  return new Promise((resolve, reject) => {
    const req = http.request(target, { method: 'POST', headers: all, agent: false, localAddress: options.localAddress }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        let parsed: PostResult['body'];
        try {
          parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        } catch {
          parsed = {};
        }
        resolve({ status: res.statusCode ?? 0, body: parsed, headers: res.headers });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}
