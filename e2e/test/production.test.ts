/**
 * The production topology of deploy/ (docs/deploy.md), built and run here: two beacon and two API
 * processes from the production bundles behind nginx with TLS, on one MongoDB-protocol server.
 * Then: the real path in Chromium over https (snippet → beacon → dashboard), a session across both
 * API processes, a token replay across both beacons, the per-site limit across both, and SIGTERM
 * to one beacon under load (every 2xx stored exactly once; the other beacon carries on).
 */
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import https from 'node:https';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { connectDatabase, ensureIndexes, type Database } from '@tagward/db';
import { testDatabaseUri } from '@tagward/db/testing';
import { createSite, createUser } from '@tagward/api';
import { parseMasterKey } from '@tagward/keys';
import { mintPageToken } from '@tagward/sdk-node';
import { launchChromium } from '@tagward/chromium';
import { artifactPath } from '../src/browser.js';
import { waitFor } from '../src/system.js';
import { direct, viaNginx } from '../src/production/clients.js';
import { startMailCatcher, type RunningMailCatcher } from '@tagward/mail-catcher';
import { HOSTS, buildBundles, freePort, startTopology, stopProcess, type Topology } from '../src/production/topology.js';

const KEY_LIMIT = 300;
const OWNER = { email: 'owner@shop.example', password: 'a long and private passphrase' };

let topology: Topology;
let mail: RunningMailCatcher;
let db: Database;
let shop: https.Server;
let shopOrigin: string;
type TestSite = { id: string; publicKey: string; secretKey: string };
const sites: Record<'real' | 'replay' | 'limit', TestSite> = {} as never;
/** One site per load-test worker: the per-site limit is global, and a fast machine outruns one site's budget. */
const LOAD_WORKERS = 8;
const loadSites: TestSite[] = [];

beforeAll(async () => {
  buildBundles();
  const dbName = `tw_e2e_production_${randomBytes(3).toString('hex')}`;
  const masterKey = randomBytes(32).toString('base64');
  db = await connectDatabase(testDatabaseUri(), dbName);
  await ensureIndexes(db);
  // The load test below comes from one address (nginx reports 127.0.0.1): the per-source limits
  // out of its way. Day-long windows, so the per-site limit test never straddles two.
  // Production refuses to start without a mail server: the mail catcher stands in for one.
  mail = await startMailCatcher({ smtpPort: 0, webPort: 0 });
  topology = await startTopology({ mongodbUri: testDatabaseUri(), dbName, masterKey, smtpUrl: mail.smtpUrl, beaconEnv: { BEACON_KEY_LIMIT: String(KEY_LIMIT), BEACON_VISITOR_LIMIT: '1000000', BEACON_ADDRESS_LIMIT: '1000000', BEACON_NETWORK_LIMIT: '1000000', BEACON_RATE_WINDOW_MS: '86400000' } });

  // The client's own site: an https server of theirs that mints a page token per view.
  const shopPort = await freePort();
  shopOrigin = `https://${HOSTS.shop}:${shopPort}`;
  const user = await createUser(db, OWNER);
  const addSite = async (name: string): Promise<TestSite> => {
    const created = await createSite(db, parseMasterKey(masterKey), { id: user.id, role: 'user', emailVerified: true }, { name: `Shop ${name}`, mode: 'live' }, new Date());
    await db.models.Site.updateOne({ _id: new Types.ObjectId(created.site.id) }, { $set: { allowedOrigins: [shopOrigin] } });
    return { id: created.site.id, publicKey: created.site.publicKey, secretKey: created.secretKey!.secretKey };
  };
  for (const name of ['real', 'replay', 'limit'] as const) sites[name] = await addSite(name);
  for (let i = 0; i < LOAD_WORKERS; i++) loadSites.push(await addSite(`load ${i}`));
  const manifest = JSON.parse(fs.readFileSync('../apps/embed/dist/manifest.json', 'utf8')) as { file: string; sri: string };
  shop = https.createServer({ cert: fs.readFileSync(topology.cert), key: fs.readFileSync(topology.key) }, (_req, res) => {
    const token = mintPageToken({ secretKey: sites.real.secretKey, origin: shopOrigin, path: '/' });
    res.writeHead(200, { 'content-type': 'text/html; charset=utf-8', 'cache-control': 'no-store' });
    res.end(`<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop over https behind nginx</title>
<meta name="description" content="A client page served over https, with the Tagward snippet loaded from the CDN.">
<meta name="viewport" content="width=device-width, initial-scale=1">
<script async src="${topology.url('beacon', `/${manifest.file}`)}" integrity="${manifest.sri}" crossorigin="anonymous" data-site="${sites.real.publicKey}" data-token="${token}"></script>
</head><body><h1>Shop</h1><p>Hello.</p></body></html>`);
  });
  await new Promise<void>((resolve) => shop.listen(shopPort, '127.0.0.1', () => resolve()));
}, 600_000);

afterAll(async () => {
  await new Promise((resolve) => (shop ? shop.close(resolve) : resolve(undefined)));
  await topology?.stop();
  await mail?.stop();
  await db?.conn.dropDatabase().catch(() => undefined);
  await db?.close();
});

const CHROME_UA = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/156.0.0.0 Safari/537.36';

function beaconBody(publicKey: string, extra: Record<string, unknown> = {}) {
  return JSON.stringify({
    v: 1,
    key: publicKey,
    id: randomBytes(12).toString('base64url'),
    url: `${shopOrigin}/`,
    ref: '',
    checks: [{ id: 'title', pass: true }],
    timing: { nav: 840, start: 910, checks: 1.2, send: 913 },
    seq: 0,
    ...extra,
  });
}

function beaconHeaders(forwardedFor?: string): Record<string, string> {
  return {
    'user-agent': CHROME_UA,
    'content-type': 'text/plain;charset=UTF-8',
    origin: shopOrigin,
    referer: `${shopOrigin}/`,
    'sec-fetch-site': 'cross-site',
    'sec-fetch-mode': 'no-cors',
    'sec-fetch-dest': 'empty',
    'accept-language': 'en-US,en;q=0.9',
    ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}),
  };
}

test('the real path in Chromium over https through nginx: snippet, beacon, dashboard', async () => {
  const browser = await launchChromium({ viewport: { width: 1280, height: 900 }, args: ['--host-resolver-rules=MAP *.tagward.test 127.0.0.1', '--ignore-certificate-errors'] });
  try {
    const page = await browser.context.newPage();
    await page.goto(`${shopOrigin}/`);
    const event = await waitFor(() => db.models.Event.findOne({ siteId: new Types.ObjectId(sites.real.id) }).lean(), 30_000);
    expect(event.tokenValid).toBe(true);
    expect(event.page?.url).toBe(`${shopOrigin}/`);

    await page.goto(topology.url('app', '/login'));
    await page.getByLabel('Email').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: /log in/i }).click();
    await page.getByRole('link', { name: 'Shop real' }).click();
    const total = page.locator('.kpi', { hasText: 'Page views counted' }).locator('.value');
    await expect.poll(async () => Number((await total.textContent())?.replace(/[^0-9]/g, '') || 0), { timeout: 30_000 }).toBeGreaterThanOrEqual(1);
    await page.screenshot({ path: artifactPath('production-overview.png'), fullPage: true });

    // The session is the database's: each API process, asked directly, knows the user.
    const session = (await browser.context.cookies()).find((c) => c.name.includes('tagward_session'));
    expect(session?.name).toBe('__Host-tagward_session');
    expect(session?.secure).toBe(true);
    for (const api of topology.apis) {
      const me = await direct(api.port, '/trpc/auth.me', { headers: { cookie: `${session!.name}=${session!.value}` } });
      expect(JSON.parse(me.body).result.data.user.email).toBe(OWNER.email);
    }
  } finally {
    await browser.close();
  }
});

test('the hashed embed file is cached for a year and compressed; the alias for minutes; source maps stay private', async () => {
  const manifest = JSON.parse(fs.readFileSync('../apps/embed/dist/manifest.json', 'utf8')) as { file: string };
  const hashed = await viaNginx(topology.url('beacon', `/${manifest.file}`), { ca: topology.cert, headers: { 'accept-encoding': 'gzip' } });
  expect(hashed.status).toBe(200);
  expect(hashed.headers['cache-control']).toBe('public, max-age=31536000, immutable');
  expect(hashed.headers['content-encoding']).toBe('gzip');
  const alias = await viaNginx(topology.url('beacon', '/v1.js'), { ca: topology.cert });
  expect(alias.headers['cache-control']).toBe('public, max-age=300');
  expect((await viaNginx(topology.url('beacon', `/${manifest.file}.map`), { ca: topology.cert })).status).toBe(404);
});

test('a token spent through one beacon process is a replay on the other', async () => {
  const token = mintPageToken({ secretKey: sites.replay.secretKey, origin: shopOrigin, path: '/' });
  await new Promise((r) => setTimeout(r, 200));
  const first = beaconBody(sites.replay.publicKey, { token });
  const second = beaconBody(sites.replay.publicKey, { token });
  expect((await direct(topology.beacons[0]!.port, '/v1/collect', { method: 'POST', headers: beaconHeaders('198.51.100.7'), body: first })).status).toBe(200);
  expect((await direct(topology.beacons[1]!.port, '/v1/collect', { method: 'POST', headers: beaconHeaders('198.51.100.8'), body: second })).status).toBe(200);
  const stored = await db.models.Event.find({ siteId: new Types.ObjectId(sites.replay.id) }, { signals: 1 }).lean();
  expect(stored.map((e) => (e.signals as { token: { status: string } }).token.status).sort()).toEqual(['replayed', 'valid']);
});

test(`the per-site limit (${KEY_LIMIT} per window) holds across both beacon processes`, async () => {
  let accepted = 0;
  for (let wave = 0; wave < 40; wave++) {
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => {
        const beacon = topology.beacons[(wave + i) % 2]!;
        // Distinct visitors on distinct networks, as the proxy reports them.
        return direct(beacon.port, '/v1/collect', { method: 'POST', headers: beaconHeaders(`203.0.${wave}.${i + 1}`), body: beaconBody(sites.limit.publicKey) });
      }),
    );
    accepted += answers.filter((a) => a.status === 200).length;
  }
  expect(accepted).toBeLessThanOrEqual(KEY_LIMIT);
  // Slots left half spent in one process may go unused (docs/beacon.md): at most 2 × 15 here.
  expect(accepted).toBeGreaterThanOrEqual(KEY_LIMIT - 30);
  expect(await db.models.Event.countDocuments({ siteId: new Types.ObjectId(sites.limit.id) })).toBe(accepted);
});

test('SIGTERM to the beacon process taking the traffic: every 2xx is stored exactly once, and the other one carries on', async () => {
  const agent = new https.Agent({ keepAlive: true, maxSockets: 8 });
  const results: Array<{ id: string; status: number; afterStop: boolean }> = [];
  let running = true;
  let stopped = false;
  // Each worker has a site of its own and paces itself (at most 40 beacons a second), so the
  // per-site limit (KEY_LIMIT a day) stays out of the way on a fast machine: 4 s is 160 at most.
  const worker = async (site: TestSite) => {
    while (running) {
      const started = Date.now();
      const body = beaconBody(site.publicKey);
      const id = (JSON.parse(body) as { id: string }).id;
      const answer = await viaNginx(topology.url('beacon', '/v1/collect'), { method: 'POST', headers: beaconHeaders(), body, ca: topology.cert, agent }).catch(() => ({ status: 0 }));
      results.push({ id, status: answer.status, afterStop: stopped });
      await new Promise((r) => setTimeout(r, Math.max(0, 25 - (Date.now() - started))));
    }
  };
  const workers = loadSites.map(worker);
  await new Promise((r) => setTimeout(r, 1500));
  // nginx hashes the client address: all of this traffic goes to one process. Stop that one.
  const busiest = await busiestBeacon();
  const exit = stopProcess(busiest.child, 'SIGTERM');
  stopped = true;
  await new Promise((r) => setTimeout(r, 2500));
  running = false;
  await Promise.all(workers);
  expect(await exit).toBe(0);
  agent.destroy();

  const ok = results.filter((r) => r.status === 200);
  expect(results.filter((r) => r.status !== 200)).toEqual([]);
  expect(ok.filter((r) => r.afterStop).length).toBeGreaterThan(20);
  const stored = await db.models.Event.find({ siteId: { $in: loadSites.map((site) => new Types.ObjectId(site.id)) } }, { eventId: 1 }).lean();
  const times = new Map<string, number>();
  for (const e of stored) times.set(e.eventId, (times.get(e.eventId) ?? 0) + 1);
  for (const r of ok) expect(times.get(r.id)).toBe(1);
  expect(stored.length).toBe(ok.length);
}, 120_000);

/** The beacon process that has answered the most beacons (from its own /metrics). */
async function busiestBeacon() {
  const accepted = await Promise.all(
    topology.beacons.map(async (b) => {
      const text = (await direct(b.metricsPort!, '/metrics')).body;
      const match = /tagward_beacon_requests_total\{status="200",code="accepted"\} (\d+)/.exec(text);
      return { beacon: b, accepted: Number(match?.[1] ?? 0) };
    }),
  );
  accepted.sort((a, b) => b.accepted - a.accepted);
  return accepted[0]!.beacon;
}
