/**
 * Looks at issue 17's pages: seeds a throwaway database (an owner, a site with 30 days of events),
 * serves the built dashboard, and in Debian's Chromium creates a restricted key (the secret shown
 * once), adds webhook endpoints pointing at loopback receivers (one healthy, one failing), sends
 * test events, opens a delivery log and downloads an export from the events page.
 * PNGs go to e2e/artifacts/dashboard/ (git-ignored).
 *
 *   npm run build -w @tagward/dashboard && npx tsx apps/api/scripts/integrations-screenshots.ts
 */
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { launchChromium, type LaunchedChromium } from '@tagward/chromium';
import { pino } from 'pino';
import { Types } from 'mongoose';
import { connectDatabase, ensureIndexes, resolveDatabase } from '@tagward/db';
import { generateMasterKey } from '@tagward/keys';
import { apiConfigSchema } from '../src/config.js';
import { startApiServer } from '../src/app.js';
import { createUser } from '../src/services/accounts.js';
import { createSite } from '../src/services/sites.js';
import { recordEvents } from '../test/support/record-events.js';
import { fakeTraffic } from './screenshot-traffic.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const outDir = path.resolve(here, '../../../e2e/artifacts/dashboard');
const OWNER = { email: 'owner@example.com', password: 'correct horse battery staple' };

// Loopback receivers: this is a development run, so webhook targets may be on this machine.
const config = apiConfigSchema.parse({ masterKey: generateMasterKey(), logLevel: 'silent', webhooks: { targets: 'any', retryBaseMs: 2000, pollMs: 200 } });
if (!fs.existsSync(config.dashboardDir)) throw new Error('build the dashboard first: npm run build -w @tagward/dashboard');
fs.mkdirSync(outDir, { recursive: true });

function receiver(status: number): Promise<{ url: string; close(): void }> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(status, { 'content-type': 'text/plain' }).end(status >= 400 ? 'upstream unavailable' : ''));
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/tagward/webhooks`, close: () => server.close() })),
  );
}

const handle = await resolveDatabase(process.env.MONGODB_URI);
const db = await connectDatabase(handle.uri, `tagward_shots_${randomBytes(4).toString('hex')}`);
const api = await startApiServer({ db, config, port: 0, host: '127.0.0.1', dashboardDir: config.dashboardDir, log: pino({ level: 'silent' }) });
const healthy = await receiver(204);
const failing = await receiver(503);
let browser: LaunchedChromium | undefined;
try {
  await ensureIndexes(db);
  const user = await createUser(db, OWNER);
  // An owner of a live site has a confirmed address (else the page shows the confirm-your-email banner).
  await db.models.User.updateOne({ _id: user.id }, { $set: { emailVerifiedAt: new Date() } });
  const now = new Date();
  const { site } = await createSite(db, config.masterKey, { id: user.id, role: 'user', emailVerified: true }, { name: 'Demo shop', mode: 'live' }, now);
  await recordEvents(db, new Types.ObjectId(site.id), fakeTraffic(now.getTime()));

  browser = await launchChromium({ viewport: { width: 1360, height: 900 } });
  const page = await browser.context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(`${page.url()}: ${String(err)}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') errors.push(`${page.url()}: ${msg.text()}`);
  });
  const shot = async (name: string) => {
    await page.waitForLoadState('networkidle');
    await page.screenshot({ path: path.join(outDir, `${name}.png`), fullPage: true });
    console.log(`  ${name}.png  ${page.url()}`);
  };

  await page.goto(`${api.url}/login`);
  await page.getByLabel('Email').fill(OWNER.email);
  await page.getByLabel('Password').fill(OWNER.password);
  await page.getByLabel('Password').press('Enter');
  await page.waitForURL(/\/sites$/);
  await page.goto(`${api.url}/sites/${site.id}/integrations`);
  await page.getByRole('heading', { name: 'API keys' }).waitFor();
  await shot('integrations-empty');

  await page.getByLabel('Name').fill('BI export');
  await page.getByRole('checkbox', { name: /events:read/ }).check();
  await page.getByLabel('Expires').selectOption('90');
  await page.getByRole('button', { name: 'Create key' }).click();
  await page.getByText('shown only this once').waitFor();
  await page.getByLabel('URL').fill(healthy.url);
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.getByText('Signing secret for').waitFor();
  await shot('integrations-created');

  await page.getByLabel('URL').fill(failing.url);
  await page.getByRole('checkbox', { name: /key\.rotated/ }).check();
  await page.getByRole('button', { name: 'Add endpoint' }).click();
  await page.getByRole('link', { name: `Delivery log of ${failing.url}` }).waitFor();
  await page.getByRole('link', { name: `Delivery log of ${healthy.url}` }).click();
  await page.getByRole('heading', { name: 'Delivery log' }).waitFor();
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.locator('tbody .badge.trusted').first().waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Attempts' }).first().click();
  await shot('webhook-log-healthy');

  await page.getByRole('link', { name: '← Integrations' }).click();
  await page.getByRole('link', { name: `Delivery log of ${failing.url}` }).click();
  await page.getByRole('button', { name: 'Send test event' }).click();
  await page.locator('tbody .badge.fraud').first().waitFor({ timeout: 10_000 });
  await page.getByRole('button', { name: 'Attempts' }).first().click();
  await shot('webhook-log-failing');

  await page.goto(`${api.url}/sites/${site.id}/events`);
  await page.getByRole('link', { name: 'Export' }).waitFor();
  const download = page.waitForEvent('download');
  await page.getByRole('link', { name: 'Export' }).click();
  const file = await download;
  const saved = path.join(outDir, file.suggestedFilename());
  await file.saveAs(saved);
  const lines = fs.readFileSync(saved, 'utf8').trim().split('\n');
  console.log(`  export: ${file.suggestedFilename()}, ${lines.length - 1} rows; header ${lines[0]}`);
  await shot('events-export');

  if (errors.length) console.log(`browser console errors:\n  ${errors.join('\n  ')}`);
  console.log(`screenshots in ${outDir}`);
} finally {
  await browser?.close();
  await api.close();
  healthy.close();
  failing.close();
  await db.conn.dropDatabase().catch(() => undefined);
  await db.close();
  await handle.release();
}
