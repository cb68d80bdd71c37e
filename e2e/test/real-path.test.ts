import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectDatabase, type Database } from '@tagward/db';
import { artifactPath, launchChromium } from '../src/browser.js';
import { startTestStack } from '../src/stack.js';

type Started = Awaited<ReturnType<typeof startTestStack>>;
let stack: Started;
let db: Database;
let browser: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  stack = await startTestStack('real_path');
  db = await connectDatabase(process.env.MONGODB_URI!, stack.dbName);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await db?.conn.dropDatabase().catch(() => undefined);
  await db?.close();
  await stack?.stop();
});

async function waitFor<T>(probe: () => Promise<T | undefined | null>, timeoutMs = 20_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 200));
  }
}

test('a page view on the demo site is stored by the beacon and shows in the dashboard', async () => {
  const page = await browser.context.newPage();
  await page.goto(`${stack.urls.site}/`);
  // The embed script reports the beacon's id to the page (a DOM event) once it is sent.
  const status = page.locator('#tagward-status[data-beacon-id]');
  await status.waitFor({ timeout: 20_000 });
  const beaconId = await status.getAttribute('data-beacon-id');
  expect(beaconId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);

  const event = await waitFor(() => db.models.Event.findOne({ eventId: beaconId }).lean());
  expect(event.page?.path).toBe('/');
  expect(event.tokenValid).toBe(true);
  expect(event.verdict).toBe('trusted');
  await page.screenshot({ path: artifactPath('demo-site.png') });

  await page.goto(stack.urls.dashboard);
  await page.getByLabel('Email').fill(stack.login.email);
  await page.getByLabel('Password').fill(stack.login.password);
  await page.getByRole('button', { name: /log in/i }).click();
  await page.getByRole('link', { name: 'Demo shop' }).click();
  const total = page.locator('.kpi', { hasText: 'Page views counted' }).locator('.value');
  await total.waitFor({ timeout: 20_000 });
  await expect.poll(async () => Number((await total.textContent())?.replace(/[^0-9]/g, '') || 0), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  await page.screenshot({ path: artifactPath('dashboard-overview.png'), fullPage: true });
  await page.close();
});
