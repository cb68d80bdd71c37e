import { afterAll, beforeAll, expect, test } from 'vitest';
import { connectDatabase, type Database } from '@tagward/db';
import { launchChromium } from '../src/browser.js';
import { startTestStack } from '../src/stack.js';

type Started = Awaited<ReturnType<typeof startTestStack>>;
let stack: Started;
let db: Database;
let browser: Awaited<ReturnType<typeof launchChromium>>;

beforeAll(async () => {
  stack = await startTestStack('attestation');
  db = await connectDatabase(process.env.MONGODB_URI!, stack.dbName);
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await db?.conn.dropDatabase().catch(() => undefined);
  await db?.close();
  await stack?.stop();
});

async function storedEvent(id: string) {
  for (let i = 0; i < 100; i++) {
    const event = await db.models.Event.findOne({ eventId: id }).lean();
    if (event) return event;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`beacon ${id} was not stored`);
}

test('a page view drawn into the attestation cohort earns Privacy Pass tokens in Chromium and redeems one with its beacon', async () => {
  // The demo site puts half of its page views in the cohort: load pages until one is drawn.
  const page = await browser.context.newPage();
  const seen = { cohort: 0, outside: 0 };
  for (let i = 0; i < 16 && seen.cohort === 0; i++) {
    await page.goto(`${stack.urls.site}/products/widget`);
    const status = page.locator('#tagward-status[data-beacon-id]');
    await status.waitFor({ timeout: 20_000 });
    const event = await storedEvent((await status.getAttribute('data-beacon-id'))!);
    const attestation = (event.signals as { attestation: { status: string } }).attestation.status;
    if (event.attestationCohort) {
      seen.cohort++;
      expect(attestation).toBe('valid');
      // Tokens are kept per tab in sessionStorage, never in localStorage or cookies.
      expect(await page.evaluate(() => localStorage.length)).toBe(0);
      expect((await browser.context.cookies()).length).toBe(0);
    } else {
      seen.outside++;
      expect(attestation).toBe('absent');
    }
  }
  expect(seen.cohort).toBe(1);
  await page.close();
});
