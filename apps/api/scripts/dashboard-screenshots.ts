/**
 * Looks at the dashboard: seeds a throwaway database (a user, an admin, a site with 30 days of
 * events and rollups), serves the built dashboard from the API on a free port, screenshots every
 * page in Debian's Chromium, and reports how much JavaScript a cold load of a page fetches.
 * PNGs go to e2e/artifacts/dashboard/ (git-ignored).
 *
 *   npm run build -w @tagward/dashboard && npx tsx apps/api/scripts/dashboard-screenshots.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { launchChromium, type LaunchedChromium } from '@tagward/chromium';
import type { Page, Response } from 'playwright-core';
import { pino } from 'pino';
import { Types } from 'mongoose';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { generateMasterKey } from '@tagward/keys';
import { apiConfigSchema } from '../src/config.js';
import { startApiServer } from '../src/app.js';
import { generateTotpKey, totpCode } from '@tagward/auth';
import { createUser } from '../src/services/accounts.js';
import { setTotpKeyDirectly } from '../src/services/two-factor.js';
import { createSite } from '../src/services/sites.js';
import { recordEvents } from '../test/support/record-events.js';
import { fakeTraffic } from './screenshot-traffic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '../../../e2e/artifacts/dashboard');
const OWNER = { email: 'owner@example.com', password: 'correct horse battery staple' };
const ADMIN = { email: 'admin@example.com', password: 'admin horse battery staple' };

const config = apiConfigSchema.parse({ masterKey: generateMasterKey(), logLevel: 'silent' });
const dashboardDir = config.dashboardDir;
if (!fs.existsSync(dashboardDir)) {
  throw new Error(`build the dashboard first (no ${dashboardDir}): npm run build -w @tagward/dashboard`);
}
fs.mkdirSync(outDir, { recursive: true });

/** JavaScript a page fetches while it loads with the HTTP cache off, gzip-compressed here. */
async function measureColdLoad(page: Page, url: string, ready: () => Promise<unknown>): Promise<{ files: number; gzip: number }> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: true });
  const bodies: Array<Promise<Buffer>> = [];
  const onResponse = (response: Response) => {
    if (response.request().resourceType() === 'script') bodies.push(response.body());
  };
  page.on('response', onResponse);
  await page.goto(url);
  await ready();
  await page.waitForLoadState('networkidle');
  page.off('response', onResponse);
  await cdp.send('Network.setCacheDisabled', { cacheDisabled: false });
  const all = await Promise.all(bodies);
  return { files: all.length, gzip: all.reduce((sum, body) => sum + gzipSync(body).length, 0) };
}

const handle = await resolveDatabase(process.env.MONGODB_URI);
const db = await connectDatabase(handle.uri, `tagward_shots_${randomBytes(4).toString('hex')}`);
const api = await startApiServer({ db, config, port: 0, host: '127.0.0.1', dashboardDir, log: pino({ level: 'silent' }) });
let browser: LaunchedChromium | undefined;
try {
  await ensureIndexes(db);
  const user = await createUser(db, { ...OWNER, verified: true });
  // Platform admins must have two-factor: this one gets a key the script types codes from.
  const admin = await createUser(db, { ...ADMIN, role: 'admin', verified: true });
  const adminKey = generateTotpKey();
  await setTotpKeyDirectly(db, config.masterKey, admin.id, adminKey, new Date());
  const now = new Date();
  const { site } = await createSite(db, config.masterKey, { id: user.id, role: 'user', emailVerified: true }, { name: 'Demo shop', mode: 'live' }, now);
  await db.models.Site.updateOne({ _id: site.id }, { $set: { allowedOrigins: ['https://shop.example', 'https://*.shop.example'] } });
  const events = fakeTraffic(now.getTime());
  await recordEvents(db, new Types.ObjectId(site.id), events);
  // One of the timer's beacons as hindsight leaves it: trusted at arrival, revised by the later
  // beacon that showed the timer (apps/beacon/src/collect/reviser.ts).
  const revised = await db.models.Event.findOne({ siteId: site.id, 'reasons.code': 'cadence_regular' }).sort({ receivedAt: -1 }).lean();
  if (revised) {
    await db.models.Event.updateOne(
      { _id: revised._id },
      {
        $set: {
          'signals.cadence.later': { eventId: 'kq3v9d0x1b7n2m4p' },
          'reasons.$[r].detail': 'seen at a later beacon (kq3v9d0x1b7n2m4p): 4 intervals of ~700 ms vary by only 0.004 (limit 0.1)',
          revision: { at: new Date(revised.receivedAt.getTime() + 2840), by: 'kq3v9d0x1b7n2m4p', before: { score: 0.7, verdict: 'trusted', reasons: [], signals: {} } },
        },
      },
      { arrayFilters: [{ 'r.code': 'cadence_regular' }] },
    );
  }
  // A beacon of a burst spread over the addresses of one network, as the beacon scores it.
  const spread = await db.models.Event.findOne({ siteId: site.id, verdict: 'trusted' }).sort({ receivedAt: -1 }).lean();
  if (spread) {
    const detail = 'earlier beacons from this network: 23 in the last second (limit 20)';
    await db.models.Event.updateOne(
      { _id: spread._id },
      {
        $set: {
          verdict: 'suspect',
          score: 0.4,
          reasons: [{ code: 'cadence_network_burst', weight: -0.3, detail }],
          'signals.cadence.network': { lastSecond: 23, lastTenSeconds: 23, lastMinute: 23 },
        },
      },
    );
  }
  const empty = await createSite(db, config.masterKey, { id: user.id, role: 'user', emailVerified: true }, { name: 'New blog', mode: 'test' }, now);
  console.log(`seeded ${events.length} events over 30 days; serving ${api.url} from ${dashboardDir}`);

  browser = await launchChromium({ viewport: { width: 1360, height: 900 } });
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
  });
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${String(err)}`));
  const shot = async (name: string) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
    console.log(`  ${name}.png  ${page.url()}`);
  };
  const siteTab = (name: string) => page.getByRole('navigation', { name: 'Site sections' }).getByRole('link', { name, exact: true });
  const logIn = async (account: { email: string; password: string }, key?: Uint8Array) => {
    await page.getByLabel('Email').fill(account.email);
    await page.getByLabel('Password').fill(account.password);
    await page.getByLabel('Password').press('Enter');
    if (key) {
      await page.getByLabel('Code from your app').fill(totpCode(key, new Date()));
      await page.getByLabel('Code from your app').press('Enter');
    }
    await page.waitForURL(/\/sites$/);
  };

  const login = await measureColdLoad(page, `${api.url}/sites`, () => page.getByRole('heading', { name: 'Log in to Tagward' }).waitFor());
  await page.waitForURL(/\/login/);
  await shot('login');
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password').fill('wrong password here');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').waitFor();
  await shot('login-error');
  await page.getByRole('link', { name: 'Sign up' }).click();
  await page.getByRole('heading', { name: 'Create your Tagward account' }).waitFor();
  await shot('signup');
  await page.getByRole('link', { name: 'Log in' }).click();
  await logIn(OWNER);
  await shot('sites');

  await page.getByRole('link', { name: 'Demo shop' }).click();
  await page.locator('canvas').first().waitFor();
  await shot('overview-24h');
  await page.getByRole('button', { name: 'Last 30 days' }).click();
  await page.waitForURL(/range=30d/);
  await page.waitForTimeout(500);
  await shot('overview-30d');
  await page.getByRole('checkbox', { name: 'Count suspect events' }).uncheck();
  await page.waitForURL(/suspect=0/);
  await page.waitForTimeout(500);
  await shot('overview-30d-without-suspect');

  await siteTab('Events').click();
  await page.getByRole('link', { name: /^Details of the event/ }).first().waitFor();
  await shot('events');
  const firstPage = await page.locator('tbody tr').count();
  await page.getByRole('button', { name: 'Load older events' }).click();
  await page.locator('tbody tr').nth(firstPage).waitFor();
  console.log(`  "Load older events": ${firstPage} -> ${await page.locator('tbody tr').count()} rows`);
  await page.getByLabel('Verdict').selectOption('fraud');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/verdict=fraud/);
  await page.locator('tbody .badge.fraud').first().waitFor();
  await page.locator('tbody .badge.trusted').first().waitFor({ state: 'detached' });
  await shot('events-fraud');
  await page.getByRole('link', { name: /^Details of the event/ }).first().click();
  await page.getByRole('heading', { name: 'Why this score' }).waitFor();
  await shot('event-detail');
  if (revised) {
    await page.goto(`${api.url}/sites/${site.id}/events/${revised._id.toHexString()}`);
    await page.getByRole('heading', { name: 'Why this score' }).waitFor();
    await shot('event-revised');
  }
  if (spread) {
    await page.goto(`${api.url}/sites/${site.id}/events/${spread._id.toHexString()}`);
    await page.getByRole('heading', { name: 'Why this score' }).waitFor();
    await shot('event-network-burst');
  }

  await siteTab('Attestation').click();
  await page.getByRole('heading', { name: 'What a forged trusted event costs' }).waitFor();
  await shot('attestation');
  await siteTab('Install').click();
  await page.getByRole('heading', { name: 'Integration status' }).waitFor();
  await shot('install');
  await siteTab('Settings').click();
  await page.getByRole('heading', { name: 'Allowed origins' }).waitFor();
  await page.getByLabel('Add an origin').fill('https://shop.example/path');
  await page.waitForTimeout(600);
  await shot('settings');

  await page.goto(`${api.url}/sites/${empty.site.id}`);
  await page.getByRole('heading', { name: 'No beacons yet' }).waitFor();
  await shot('overview-empty');
  await page.goto(`${api.url}/sites/${new Types.ObjectId().toHexString()}`);
  await page.getByRole('heading', { name: 'Site not found' }).waitFor();
  await shot('site-not-found');
  await page.goto(`${api.url}/no/such/page`);
  await page.getByRole('heading', { name: 'Page not found' }).waitFor();
  await shot('not-found');
  await page.goto(`${api.url}/admin`);
  await page.getByText('This section is for platform administrators.').waitFor();
  await shot('admin-refused');
  await page.goto(`${api.url}/account`);
  await page.getByRole('heading', { name: 'Your account', exact: true }).waitFor();
  await shot('account');
  const overview = await measureColdLoad(page, `${api.url}/sites/${site.id}`, () => page.locator('canvas').first().waitFor());

  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/login/);
  await logIn(ADMIN, adminKey);
  await page.getByRole('link', { name: 'Moderation' }).click();
  await page.getByRole('heading', { name: 'Weights' }).waitFor();
  await shot('admin-rules');
  await page.getByRole('link', { name: 'Backtest', exact: true }).click();
  await page.getByRole('heading', { name: 'Backtest the draft' }).waitFor();
  await shot('admin-backtest');
  await page.getByRole('link', { name: 'Shadow mode', exact: true }).click();
  await page.getByRole('heading', { name: 'Live verdict × shadow verdict' }).waitFor();
  await shot('admin-shadow');
  await page.getByRole('link', { name: 'Review queue', exact: true }).click();
  await page.getByTestId('review-current').waitFor();
  await shot('admin-review');
  await page.getByRole('link', { name: 'Audit log', exact: true }).click();
  await page.getByRole('heading', { name: 'Audit log' }).waitFor();
  await shot('admin-audit');

  console.log(`cold load of /login: ${login.files} scripts, ${login.gzip} B gzip`);
  console.log(`cold load of a site overview: ${overview.files} scripts, ${overview.gzip} B gzip`);
  if (errors.length) console.log(`browser console errors:\n  ${errors.join('\n  ')}`);
  console.log(`screenshots in ${outDir}`);
} finally {
  await browser?.close();
  await api.close();
  await db.conn.dropDatabase().catch(() => undefined);
  await db.close();
  await handle.release();
}
