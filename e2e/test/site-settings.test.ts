/**
 * The site settings page in real Chromium against the whole system: an owner renames the site,
 * adds an allowed origin (checked as it is typed) and removes it, rotates the secret key and
 * saves the trust settings; every change is what the database then holds.
 */
import { expect, test } from 'vitest';
import { artifactPath } from '../src/browser.js';
import { logIn, useSystem, waitFor } from '../src/system.js';

const system = useSystem('site_settings');

test('an owner changes the name, the allowed origins, the keys and the trust settings', async () => {
  const page = await system.browser.context.newPage();
  await page.goto(`${system.stack.urls.dashboard}/login`);
  await logIn(page, system.stack.login);
  await page.getByRole('link', { name: 'Demo shop' }).click();
  await page.getByRole('navigation', { name: 'Site sections' }).getByRole('link', { name: 'Settings' }).click();
  const siteId = page.url().split('/')[4]!;
  const site = () => system.db.models.Site.findById(siteId).lean();

  // The name: the page heading follows once the site is loaded again.
  await page.getByLabel('Site name').fill('Demo shop (renamed)');
  await page.getByRole('button', { name: 'Rename' }).click();
  await page.getByRole('heading', { level: 1, name: 'Demo shop (renamed)' }).waitFor();
  expect((await site())?.name).toBe('Demo shop (renamed)');

  // An origin with a path is refused as it is typed; without, it is saved as normalised.
  const input = page.getByLabel('Add an origin');
  await input.fill('https://Shop.Example/path');
  await page.getByText('An origin has no path').waitFor();
  expect(await page.getByRole('button', { name: 'Add origin' }).isDisabled()).toBe(true);
  await input.fill('https://Shop.Example:443');
  await page.getByText('Will be saved as').waitFor();
  await page.getByRole('button', { name: 'Add origin' }).click();
  await page.getByRole('button', { name: 'Remove https://shop.example' }).waitFor();
  expect(await input.inputValue()).toBe('');
  expect((await site())?.allowedOrigins).toContain('https://shop.example');
  await page.getByRole('button', { name: 'Remove https://shop.example' }).click();
  await page.getByRole('button', { name: 'Remove https://shop.example' }).waitFor({ state: 'detached' });
  expect((await site())?.allowedOrigins).not.toContain('https://shop.example');

  // Rotating shows the new secret once and lists the old key as expiring.
  await page.getByRole('button', { name: 'Rotate secret key' }).click();
  await page.getByText('New secret key, shown only this once.').waitFor();
  await page.locator('.badge.suspect', { hasText: 'expiring' }).first().waitFor();

  // Trust settings.
  await page.getByLabel('Attestation experiment: share of page views (%)').fill('25');
  await page.getByRole('button', { name: 'Save trust settings' }).click();
  await page.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await waitFor(async () => ((await site())?.attestationCohortPct === 25 ? true : null));
  await page.screenshot({ path: artifactPath('site-settings.png'), fullPage: true });
  await page.close();
});
