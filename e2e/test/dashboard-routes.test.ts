/**
 * The dashboard's routes in real Chromium against the whole system: deep links survive a reload
 * (the API's fallback page), the session guards redirect and come back, the error pages show for
 * unknown addresses, unknown sites and non-admins, an ended session sends the user to log in, the
 * history works, and the CSP lets the app boot without a single violation.
 */
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { logIn, useSystem } from '../src/system.js';

const system = useSystem('dashboard_routes');

function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('pageerror', (err) => errors.push(String(err)));
  page.on('console', (msg) => {
    // The API's own answers (401 before login, 400 or 404 for an unknown site) are logged as failed
    // resources; anything else, a CSP violation above all, is a defect.
    if (msg.type() === 'error' && !/status of 40[014]/.test(msg.text())) errors.push(msg.text());
  });
  return errors;
}

const heading = (page: Page, name: string) => page.getByRole('heading', { level: 1, name }).waitFor();

test('a deep link asks for the login, then opens where it pointed, and survives a reload', async () => {
  const page = await system.browser.context.newPage();
  const errors = watchErrors(page);
  const { dashboard } = system.stack.urls;

  await page.goto(`${dashboard}/sites`);
  await page.waitForURL(/\/login\?next=%2Fsites$/);
  await logIn(page, system.stack.login);
  await page.getByRole('link', { name: 'Demo shop' }).click();
  await heading(page, 'Demo shop');
  const siteUrl = page.url();
  const eventsUrl = `${siteUrl}/events?verdict=trusted`;
  await page.context().clearCookies();

  await page.goto(eventsUrl);
  await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === new URL(eventsUrl).pathname + '?verdict=trusted');
  await logIn(page, system.stack.login);
  await page.waitForURL(eventsUrl);
  expect(await page.getByLabel('Verdict').inputValue()).toBe('trusted');

  await page.reload();
  await heading(page, 'Demo shop');
  expect(await page.getByLabel('Verdict').inputValue()).toBe('trusted');

  // Logged in, the login page is not for you; the root address is your sites.
  await page.goto(`${dashboard}/login`);
  await page.waitForURL(`${dashboard}/sites`);
  await page.goto(`${dashboard}/`);
  await page.waitForURL(`${dashboard}/sites`);

  // Back and forward move between pages without a reload.
  await page.getByRole('link', { name: 'Demo shop' }).click();
  await page.getByRole('navigation', { name: 'Site sections' }).getByRole('link', { name: 'Install' }).click();
  await page.getByRole('heading', { name: 'Integration status' }).waitFor();
  await page.goBack();
  await page.waitForURL(siteUrl);
  await page.locator('.kpi').first().waitFor();
  await page.goForward();
  await page.getByRole('heading', { name: 'Integration status' }).waitFor();

  expect(errors).toEqual([]);
  await page.close();
});

test('unknown addresses, sites that are not yours and the admin section each say so', async () => {
  const page = await system.browser.context.newPage();
  const errors = watchErrors(page);
  const { dashboard } = system.stack.urls;
  await page.context().clearCookies();
  await page.goto(`${dashboard}/login`);
  await logIn(page, system.stack.login);
  await page.waitForURL(`${dashboard}/sites`);

  await page.goto(`${dashboard}/no/such/page`);
  await heading(page, 'Page not found');
  await page.goto(`${dashboard}/sites/0123456789abcdef01234567`);
  await heading(page, 'Site not found');
  await page.goto(`${dashboard}/sites/not-an-id/events`);
  await heading(page, 'Site not found');
  await page.goto(`${dashboard}/admin/review`);
  await heading(page, 'Moderation');
  await page.getByText('This section is for platform administrators.').waitFor();
  expect(await page.getByTestId('review-current').count()).toBe(0);

  expect(errors).toEqual([]);
  await page.close();
});

test('when the session ends elsewhere, the next page asks for the login again', async () => {
  const page = await system.browser.context.newPage();
  const { dashboard } = system.stack.urls;
  await page.context().clearCookies();
  await page.goto(`${dashboard}/login`);
  await logIn(page, system.stack.login);
  await page.waitForURL(`${dashboard}/sites`);
  await page.getByRole('link', { name: 'Demo shop' }).click();
  await heading(page, 'Demo shop');

  await system.db.models.Session.deleteMany({});
  await page.getByRole('navigation', { name: 'Site sections' }).getByRole('link', { name: 'Events' }).click();
  await page.waitForURL((url) => url.pathname === '/login' && (url.searchParams.get('next') ?? '').endsWith('/events'));
  await logIn(page, system.stack.login);
  await page.waitForURL(/\/sites\/[0-9a-f]{24}\/events$/);
  await page.getByRole('navigation', { name: 'Site sections' }).waitFor();

  // Not a navigation this time: a form on the page gets the 401.
  await page.getByRole('link', { name: 'Account' }).click();
  await heading(page, 'Your account');
  await system.db.models.Session.deleteMany({});
  await page.getByLabel('Current password').fill(system.stack.login.password);
  await page.getByLabel('New password', { exact: true }).fill('another long passphrase');
  await page.getByLabel('Repeat the new password').fill('another long passphrase');
  await page.getByRole('button', { name: 'Change password' }).click();
  await page.waitForURL((url) => url.pathname === '/login' && url.searchParams.get('next') === '/account');
  await page.close();
});
