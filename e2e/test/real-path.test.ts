import { expect, test } from 'vitest';
import { artifactPath } from '../src/browser.js';
import { logIn, pageViewsCounted, useSystem, waitFor } from '../src/system.js';

const system = useSystem('real_path');


test('a page view on the demo site is stored by the beacon and shows in the dashboard', async () => {
  const page = await system.browser.context.newPage();
  await page.goto(`${system.stack.urls.site}/`);
  // The embed script reports the beacon's id to the page (a DOM event) once it is sent.
  const status = page.locator('#tagward-status[data-beacon-id]');
  await status.waitFor({ timeout: 20_000 });
  const beaconId = await status.getAttribute('data-beacon-id');
  expect(beaconId).toMatch(/^[A-Za-z0-9_-]{8,64}$/);

  const event = await waitFor(() => system.db.models.Event.findOne({ eventId: beaconId }).lean());
  expect(event.page?.path).toBe('/');
  expect(event.tokenValid).toBe(true);
  // Headless Chromium on loopback can beat trust's minimum token age (50 ms) on a warm page, so
  // the verdict may be suspect; a valid token from the allowlisted page is never fraud.
  expect(event.verdict).not.toBe('fraud');
  await page.screenshot({ path: artifactPath('demo-site.png') });

  await page.goto(system.stack.urls.dashboard);
  await logIn(page, system.stack.login);
  await page.getByRole('link', { name: 'Demo shop' }).click();
  await expect.poll(() => pageViewsCounted(page), { timeout: 20_000 }).toBeGreaterThanOrEqual(1);
  await page.screenshot({ path: artifactPath('dashboard-overview.png'), fullPage: true });
  await page.close();
});
