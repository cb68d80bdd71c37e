/**
 * Looks at the dashboard: seeds a throwaway database (a user, a site with 30 days of events and
 * rollups), serves the built dashboard from the API on a free port, and screenshots the main
 * pages in Debian's Chromium. PNGs go to e2e/artifacts/dashboard/ (git-ignored).
 *
 *   npm run build -w @tagward/dashboard && npx tsx apps/api/scripts/dashboard-screenshots.ts
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { launchChromium, type LaunchedChromium } from '@tagward/chromium';
import { pino } from 'pino';
import { Types } from 'mongoose';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { generateMasterKey } from '@tagward/keys';
import { CHECK_IDS } from '@tagward/protocol';
import { apiConfigSchema } from '../src/config.js';
import { startApiServer } from '../src/app.js';
import { createUser } from '../src/services/accounts.js';
import { createSite } from '../src/services/sites.js';
import { HOUR_MS, recordEvents, type FakeEvent } from '../test/support/record-events.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dashboardDir = path.resolve(here, '../../dashboard/dist');
const outDir = path.resolve(here, '../../../e2e/artifacts/dashboard');
const EMAIL = 'owner@example.com';
const PASSWORD = 'correct horse battery staple';

function signals(kind: 'real' | 'script' | 'copied'): Record<string, unknown> {
  const real = kind === 'real';
  return {
    v: 1,
    mode: 'live',
    ip: { family: 4, prefix: '203.0.113.0/24' },
    origin: { value: kind === 'copied' ? 'https://copycat.example' : 'https://shop.example', status: kind === 'copied' ? 'not_allowed' : 'allowed', canonical: true },
    page: { origin: 'https://shop.example', allowed: true, sameAsOrigin: kind !== 'copied', seq: 0 },
    referrer: { kind: real ? 'full' : 'absent', origin: real ? 'https://shop.example' : null, matchesOrigin: real ? true : null, matchesPage: real ? true : null },
    token: { status: real ? 'valid' : kind === 'script' ? 'replayed' : 'missing', ageMs: real ? 840 : null, ttlMs: 600000, required: false },
    attestation: { status: 'absent' },
    timing: { nav: real ? 912.4 : 0, start: real ? 1040.2 : 0, checks: real ? 3.1 : 0, send: real ? 1044 : 0, ttfb: real ? 128.5 : null, identicalRepeats: real ? 0 : 14 },
    cadence: { lastMinute: real ? 0 : 58, intervals: real ? 1 : 8, meanMs: real ? 48000 : 1000, cv: real ? 0.9 : 0.01 },
    shape: {
      ua: real ? 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36' : 'python-requests/2.32.3',
      uaFamily: real ? 'chromium' : 'library',
      uaMajor: real ? 130 : null,
      uaTool: real ? null : 'python_requests',
      secFetchExpected: real,
      secFetchSite: real ? 'same-origin' : null,
      secFetchMode: real ? 'no-cors' : null,
      secFetchDest: real ? 'empty' : null,
      secFetchUser: null,
      hintsExpected: real,
      hintsPresent: real,
      hintsMismatch: [],
      fingerprint: real ? null : 'python_requests',
      casingAtypical: !real,
      missingBrowserHeaders: real ? [] : ['accept_language'],
      contentType: 'text/plain;charset=UTF-8',
      duplicated: [],
      headerOrder: real ? 'host,connection,content-length,sec-ch-ua-platform,user-agent,sec-ch-ua,content-type' : 'host,user-agent,accept-encoding,accept,connection,content-length',
    },
  };
}

const CHECKS = CHECK_IDS;
const PATHS = ['/', '/products', '/products/blue-mug', '/products/green-teapot', '/blog/brewing-guide', '/cart', '/about'];

function fakeTraffic(now: number): FakeEvent[] {
  const events: FakeEvent[] = [];
  let seed = 42;
  const rand = () => ((seed = (seed * 1664525 + 1013904223) >>> 0) / 2 ** 32);
  for (let h = 24 * 30; h >= 0; h--) {
    const hour = now - h * HOUR_MS;
    const daily = 0.6 + 0.4 * Math.sin(((new Date(hour).getUTCHours() - 6) / 24) * 2 * Math.PI);
    const n = Math.round((h < 24 * 7 ? 14 : 8) * daily + rand() * 4);
    for (let i = 0; i < n; i++) {
      const r = rand();
      const kind = r < 0.82 ? 'real' : r < 0.93 ? 'script' : 'copied';
      const verdict = kind === 'real' ? (rand() < 0.9 ? 'trusted' : 'suspect') : kind === 'script' ? (rand() < 0.5 ? 'suspect' : 'fraud') : 'fraud';
      const score = verdict === 'trusted' ? 0.78 + rand() * 0.22 : verdict === 'suspect' ? 0.35 + rand() * 0.3 : rand() * 0.25;
      const reasons =
        kind === 'real'
          ? verdict === 'suspect'
            ? [{ code: 'referrer_absent', weight: -0.15, detail: 'no Referer header' }]
            : [{ code: 'page_token_valid', weight: 0.3 }]
          : kind === 'script'
            ? [
                { code: 'page_token_replayed', weight: -0.6, detail: 'nonce already spent 41 s earlier' },
                { code: 'ua_http_library', weight: -0.4, detail: 'python-requests/2.32.3' },
                { code: 'cadence_regular', weight: -0.3, detail: 'cv 0.01 over 8 intervals' },
              ]
            : [{ code: 'origin_not_allowed', weight: -0.7, detail: 'https://copycat.example' }];
      events.push({
        receivedAt: new Date(hour + Math.floor(rand() * HOUR_MS)),
        path: PATHS[Math.floor(PATHS.length * rand() ** 1.7)]!,
        verdict,
        score,
        reasons,
        checks: CHECKS.map((id, k) => ({ id, pass: rand() < 0.95 - k * 0.05, value: id === 'title_length' ? 38 : null })),
        tokenValid: kind === 'real',
        attestationCohort: rand() < 0.05,
        signals: signals(kind),
      });
    }
  }
  return events.filter((e) => e.receivedAt.getTime() <= now);
}

if (!fs.existsSync(path.join(dashboardDir, 'index.html'))) {
  throw new Error('build the dashboard first: npm run build -w @tagward/dashboard');
}
fs.mkdirSync(outDir, { recursive: true });
const handle = await resolveDatabase(process.env.MONGODB_URI);
const db = await connectDatabase(handle.uri, `tagward_shots_${randomBytes(4).toString('hex')}`);
const config = apiConfigSchema.parse({ masterKey: generateMasterKey(), logLevel: 'silent' });
const api = await startApiServer({ db, config, port: 0, host: '127.0.0.1', dashboardDir, log: pino({ level: 'silent' }) });
let browser: LaunchedChromium | undefined;
try {
  await ensureIndexes(db);
  const user = await createUser(db, { email: EMAIL, password: PASSWORD });
  const now = new Date();
  const { site } = await createSite(db, config.masterKey, { id: user.id, role: 'user' }, { name: 'Demo shop', mode: 'live' }, now);
  await db.models.Site.updateOne({ _id: site.id }, { $set: { allowedOrigins: ['https://shop.example', 'https://*.shop.example'] } });
  const events = fakeTraffic(now.getTime());
  await recordEvents(db, new Types.ObjectId(site.id), events);
  const empty = await createSite(db, config.masterKey, { id: user.id, role: 'user' }, { name: 'New blog', mode: 'test' }, now);
  console.log(`seeded ${events.length} events over 30 days; serving ${api.url}`);

  browser = await launchChromium({ viewport: { width: 1360, height: 900 } });

  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(msg.text());
  });
  page.on('pageerror', (err) => errors.push(String(err)));
  const shot = async (name: string) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
    console.log(`  ${name}.png  ${page.url()}`);
  };

  await page.goto(`${api.url}/sites`);
  await page.waitForURL(/\/login/);
  await shot('login');
  await page.getByLabel('Email').fill(EMAIL);
  await page.getByLabel('Password').fill('wrong password here');
  await page.getByRole('button', { name: 'Log in' }).click();
  await page.getByRole('alert').waitFor();
  await shot('login-error');
  await page.getByLabel('Password').fill(PASSWORD);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL(/\/sites$/);
  await shot('sites');

  await page.getByRole('link', { name: 'Demo shop' }).click();
  await page.locator('canvas').first().waitFor();
  await shot('overview-24h');
  await page.getByRole('button', { name: 'Last 30 days' }).click();
  await page.waitForURL(/range=30d/);
  await page.waitForTimeout(500);
  await shot('overview-30d');
  await page.getByRole('checkbox', { name: 'Count suspect events' }).uncheck();
  await page.waitForTimeout(500);
  await shot('overview-30d-without-suspect');

  await page.getByRole('navigation', { name: 'Site sections' }).getByRole('link', { name: 'Events' }).click();
  await page.getByRole('link', { name: /^Details of the event/ }).first().waitFor();
  await shot('events');
  await page.getByLabel('Verdict').selectOption('fraud');
  await page.getByRole('button', { name: 'Apply filters' }).click();
  await page.waitForURL(/verdict=fraud/);
  // A string, evaluated in the page: this file is type-checked without the DOM library.
  await page.waitForFunction("document.querySelectorAll('tbody tr').length > 0 && document.querySelectorAll('tbody .badge.trusted').length === 0");
  await shot('events-fraud');
  await page.getByRole('link', { name: /^Details of the event/ }).first().click();
  await page.getByRole('heading', { name: 'Why this score' }).waitFor();
  await shot('event-detail');

  await page.getByRole('navigation', { name: 'Site sections' }).getByRole('link', { name: 'Install' }).click();
  await page.getByRole('heading', { name: 'Integration status' }).waitFor();
  await shot('install');
  await page.getByRole('navigation', { name: 'Site sections' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByRole('heading', { name: 'Allowed origins' }).waitFor();
  await page.getByLabel('Add an origin').fill('https://shop.example/path');
  await page.waitForTimeout(600);
  await shot('settings');

  await page.goto(`${api.url}/sites/${empty.site.id}`);
  await page.getByRole('heading', { name: 'No beacons yet' }).waitFor();
  await shot('overview-empty');
  await page.goto(`${api.url}/account`);
  await page.getByRole('heading', { name: 'Your account' }).waitFor();
  await shot('account');

  if (errors.length) console.log(`browser console errors:\n  ${errors.join('\n  ')}`);
  console.log(`screenshots in ${outDir}`);
} finally {
  await browser?.close();
  await api.close();
  await db.conn.dropDatabase().catch(() => undefined);
  await db.close();
  await handle.release();
}
