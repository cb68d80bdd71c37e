/**
 * Accounts end to end, in real Chromium through the dashboard, with the mail read from the stack's
 * mail catcher: sign up and verify; create a site and invite a colleague, who accepts through the
 * mailed link; the colleague's role is enforced; reset the password (old sessions end); turn on
 * two-factor and log in with a code; use a recovery code; delete the account. Every new page is
 * screenshotted (e2e/artifacts/accounts-*.png).
 */
import { expect, test } from 'vitest';
import type { Page } from 'playwright-core';
import { MailInbox, linkIn, type CaughtMail } from '@tagward/mail-catcher';
import { artifactPath, launchChromium } from '../src/browser.js';
import { TotpDevice, useSystem } from '../src/system.js';

const system = useSystem('accounts');
const PASSWORD = 'owner passphrase one';
const NEW_PASSWORD = 'owner passphrase two';
const owner = `owner-${Date.now()}@example.com`;
const colleague = `colleague-${Date.now()}@example.com`;

const inbox = () => new MailInbox(system.stack.urls.mailInbox!);
const shot = (page: Page, name: string) => page.screenshot({ path: artifactPath(`accounts-${name}.png`), fullPage: true });
const seen = new Set<string>();

/** The newest unseen mail to `to` matching `subject`, and the dashboard link in it. */
async function mailLink(to: string, subject: RegExp): Promise<{ mail: CaughtMail; link: string }> {
  const mail = await inbox().waitForMail(to, { subject, except: seen, timeoutMs: 20_000 });
  seen.add(mail.id);
  return { mail, link: linkIn(mail, system.stack.urls.dashboard) };
}

/** Another browser, with cookies of its own (a colleague's computer, a second device). */
async function otherBrowser() {
  const launched = await launchChromium();
  return { page: await launched.context.newPage(), close: () => launched.close() };
}

/**
 * Logs out and waits for the login page the dashboard goes to once the API has ended the session.
 * Navigating before that aborts the log-out request: the session lives on, and /login sends the
 * page back to /sites (a fresh-clone run failed so, at step 6).
 */
async function logOut(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Log out' }).click();
  await page.waitForURL(/\/login$/);
}

async function logIn(page: Page, email: string, password: string): Promise<void> {
  await page.goto(`${system.stack.urls.dashboard}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password').fill(password);
  await page.getByRole('button', { name: /log in/i }).click();
}

let ownerPage: Page;
let device: TotpDevice;
let recoveryCodes: string[] = [];
let siteId = '';
let colleagueBrowser: Awaited<ReturnType<typeof otherBrowser>> | undefined;
let secondBrowser: Awaited<ReturnType<typeof otherBrowser>> | undefined;

test('1. sign up, then get the mail and verify', async () => {
  ownerPage = await system.browser.context.newPage();
  await ownerPage.goto(`${system.stack.urls.dashboard}/signup`);
  await ownerPage.getByLabel('Email').fill(owner);
  await ownerPage.getByLabel('Password').fill(PASSWORD);
  await ownerPage.getByRole('button', { name: 'Create account' }).click();
  await ownerPage.getByRole('heading', { name: 'Check your inbox' }).waitFor();
  await shot(ownerPage, 'signup-check-inbox');

  const { mail, link } = await mailLink(owner, /Confirm your email/);
  expect(mail.html).toContain('Confirm my email');
  expect(link).toMatch(/\/verify-email#token=[a-z2-9]{48}$/);
  // The catcher's own web inbox, as a developer sees it.
  const inboxPage = await system.browser.context.newPage();
  await inboxPage.goto(system.stack.urls.mailInbox!);
  await inboxPage.getByText('Confirm your email address for Tagward').first().waitFor();
  await shot(inboxPage, 'mail-inbox');
  await inboxPage.close();

  await ownerPage.goto(link);
  await ownerPage.waitForURL(/\/sites$/);
  // The token left the address bar, and the unverified banner is gone.
  expect(ownerPage.url()).not.toContain('token');
  expect(await ownerPage.getByText('Confirm your email address:').count()).toBe(0);
  const user = await system.db.models.User.findOne({ email: owner }).lean();
  expect(user?.emailVerifiedAt).toBeInstanceOf(Date);
});

test('2. create a site and invite a colleague, who accepts through the mailed link', async () => {
  await ownerPage.getByLabel('Site name').fill('Team shop');
  await ownerPage.getByRole('button', { name: 'Create site' }).click();
  await ownerPage.getByText('shown only this once', { exact: false }).first().waitFor();
  await ownerPage.getByRole('link', { name: 'Team shop' }).click();
  await ownerPage.waitForURL(/\/sites\/[a-f0-9]{24}$/);
  siteId = ownerPage.url().split('/')[4]!;
  await ownerPage.getByRole('navigation', { name: 'Site sections' }).getByRole('link', { name: 'Settings' }).click();
  await ownerPage.getByLabel('Invite by email').fill(colleague);
  await ownerPage.getByLabel('Role', { exact: true }).selectOption('viewer');
  await ownerPage.getByRole('button', { name: 'Send invitation' }).click();
  await ownerPage.getByRole('status').filter({ hasText: `Invitation sent to ${colleague}` }).waitFor();
  await ownerPage.getByRole('cell', { name: colleague, exact: true }).waitFor();
  await shot(ownerPage, 'members-invited');

  const { link } = await mailLink(colleague, /invited you to “Team shop”/);
  colleagueBrowser = await otherBrowser();
  const page = colleagueBrowser.page;
  await page.goto(link);
  await page.getByText('invited').first().waitFor();
  await page.getByLabel('Choose a password').waitFor();
  await shot(page, 'invite-accept');
  await page.getByLabel('Choose a password').fill('colleague passphrase');
  await page.getByRole('button', { name: 'Create account and accept' }).click();
  await page.getByRole('heading', { level: 1, name: 'Team shop' }).waitFor();
  const site = await system.db.models.Site.findById(siteId).lean();
  expect(site?.members.map((m) => m.role).sort()).toEqual(['owner', 'viewer']);
  expect(await system.db.models.AuditLog.countDocuments({ target: siteId, action: { $in: ['invitation.create', 'invitation.accept'] } })).toBe(2);
});

test("3. the colleague's role is enforced: the page offers no changes, and the API refuses them", async () => {
  const page = colleagueBrowser!.page;
  await page.getByRole('navigation', { name: 'Site sections' }).getByRole('link', { name: 'Settings' }).click();
  await page.getByText('Only its owners can change them.').waitFor();
  expect(await page.getByRole('button', { name: 'Rename' }).count()).toBe(0);
  expect(await page.getByRole('button', { name: 'Send invitation' }).count()).toBe(0);
  await shot(page, 'viewer-settings');
  const status = await page.evaluate(async (id) => {
    const response = await fetch('/trpc/sites.rename', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ siteId: id, name: 'Taken over' }) });
    return response.status;
  }, siteId);
  expect(status).toBe(403);
  expect((await system.db.models.Site.findById(siteId).lean())?.name).toBe('Team shop');
  await colleagueBrowser!.close();
});


test('4. reset the password, and the old sessions are gone', async () => {
  secondBrowser = await otherBrowser();
  const page = secondBrowser.page;
  await page.goto(`${system.stack.urls.dashboard}/login`);
  await page.getByRole('link', { name: 'Forgot your password?' }).click();
  // The login page has an Email field too: fill the reset page's, once it is there (on a busy
  // machine the address went into the login form, and the reset form was sent empty).
  await page.getByRole('heading', { name: 'Reset your password' }).waitFor();
  await page.getByLabel('Email').fill(owner);
  await shot(page, 'reset-request');
  await page.getByRole('button', { name: 'Send the link' }).click();
  await page.getByRole('heading', { name: 'Check your inbox' }).waitFor();

  const { link } = await mailLink(owner, /Reset your Tagward password/);
  await page.goto(link);
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD);
  await page.getByLabel('Repeat the new password').fill(NEW_PASSWORD);
  await shot(page, 'reset-new-password');
  await page.getByRole('button', { name: 'Save the new password' }).click();
  await page.waitForURL(/\/sites$/);

  // The first browser's session is gone: its next page load goes to the login page.
  await ownerPage.goto(`${system.stack.urls.dashboard}/account`);
  await ownerPage.waitForURL(/\/login/);
  const user = await system.db.models.User.findOne({ email: owner }).lean();
  expect(await system.db.models.Session.countDocuments({ userId: user!._id })).toBe(1);
  await ownerPage.close();
  ownerPage = page;
});

test('5. turn on two-factor, then log in with a TOTP code', async () => {
  const page = ownerPage;
  await page.goto(`${system.stack.urls.dashboard}/account`);
  await page.getByRole('link', { name: 'Set up two-factor' }).click();
  await page.getByRole('button', { name: 'Set up two-factor' }).click();
  const totpKey = (await page.getByTestId('totp-secret').textContent())!.trim();
  expect(totpKey).toMatch(/^[A-Z2-7]{32}$/);
  device = new TotpDevice(totpKey);
  await page.getByRole('img', { name: 'QR code of the two-factor key' }).locator('svg').waitFor();
  await shot(page, 'two-factor-setup');
  await page.getByLabel('Code from your app').fill(await device.code());
  await page.getByRole('button', { name: 'Turn on two-factor' }).click();
  await page.getByRole('heading', { name: 'Your recovery codes, shown only this once' }).waitFor();
  recoveryCodes = (await page.getByTestId('recovery-codes').locator('code').allTextContents()).map((c) => c.trim());
  expect(recoveryCodes).toHaveLength(10);
  await shot(page, 'two-factor-recovery-codes');

  await logOut(page);
  await logIn(page, owner, NEW_PASSWORD);
  await page.getByLabel('Code from your app').waitFor();
  await shot(page, 'login-second-factor');
  // The code used to turn it on is spent: the device hands out the next one.
  await page.getByLabel('Code from your app').fill(await device.code());
  await page.getByRole('button', { name: /log in/i }).click();
  await page.waitForURL(/\/sites$/);
});

test('6. use a recovery code', async () => {
  const page = ownerPage;
  await logOut(page);
  await logIn(page, owner, NEW_PASSWORD);
  await page.getByRole('button', { name: 'Use a recovery code' }).click();
  await page.getByLabel('Recovery code').fill(recoveryCodes[0]!);
  await shot(page, 'login-recovery-code');
  await page.getByRole('button', { name: /log in/i }).click();
  await page.waitForURL(/\/sites$/);
  await page.goto(`${system.stack.urls.dashboard}/account/two-factor`);
  await page.getByText('Recovery codes left: 9').waitFor();
  await mailLink(owner, /security notice: a recovery code was used/);
});

test('7. delete the account: the site goes to the colleague, after re-authentication', async () => {
  const page = ownerPage;
  await page.goto(`${system.stack.urls.dashboard}/account`);
  await page.getByRole('link', { name: 'Delete my account…' }).click();
  await page.getByRole('heading', { name: 'Sites you are the only owner of' }).waitFor();
  expect(await page.getByRole('button', { name: 'Choose for 1 site first' }).isDisabled()).toBe(true);
  await page.getByLabel(`Give it to ${colleague}`).check();
  await page.getByLabel('Type your email address to confirm').fill(owner);
  await shot(page, 'delete-account');

  // The login is not recent any more: the API asks who it is, and the dialog takes a code.
  const user = await system.db.models.User.findOne({ email: owner }).lean();
  await system.db.models.Session.updateMany({ userId: user!._id }, { $set: { reauthAt: new Date(Date.now() - 3_600_000) } });
  await page.getByRole('button', { name: 'Delete my account' }).click();
  await page.getByRole('heading', { name: 'Confirm it is you' }).waitFor();
  await page.getByRole('button', { name: 'Use a two-factor code' }).click();
  await page.getByLabel('Code from your app').fill(await device.code());
  await shot(page, 'reauth-dialog');
  await page.getByRole('button', { name: 'Confirm' }).click();
  await page.getByRole('heading', { name: 'Your account is deleted' }).waitFor();
  await shot(page, 'deleted');

  expect(await system.db.models.User.countDocuments({ email: owner })).toBe(0);
  const site = await system.db.models.Site.findById(siteId).lean();
  const colleagueUser = await system.db.models.User.findOne({ email: colleague }).lean();
  expect(site?.members).toEqual([{ userId: colleagueUser!._id, role: 'owner' }]);
  await inbox().waitForMail(owner, { subject: /account was deleted/ });
  await secondBrowser?.close();
});
