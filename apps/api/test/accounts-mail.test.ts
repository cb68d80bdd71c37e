/**
 * Accounts through the mail: sign-up with a verification link, password reset, and finding
 * "Enumeration (low)" written as the attack: sign-up said "already uses this email" (and adding
 * a member "no account uses this email"), which told anyone which addresses had accounts.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PASSWORD, codeOf, inbox, messageOf, signedUpClient, startTestApi, tokenIn, uniqueEmail, unverifiedClient, type TestApi } from './helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('api_accounts_mail');
});
afterAll(async () => {
  await api?.close();
});

describe('sign-up', () => {
  test('answers the same for a new address and a taken one; the mails say what happened', async () => {
    const taken = (await signedUpClient(api)).email;
    const fresh = uniqueEmail('fresh');
    const a = api.client();
    const b = api.client();
    const answers = [await a.trpc.auth.signUp.mutate({ email: fresh, password: PASSWORD }), await b.trpc.auth.signUp.mutate({ email: taken, password: PASSWORD })];
    expect(answers[0]).toEqual(answers[1]);
    expect(a.lastSetCookie).toEqual(b.lastSetCookie);
    expect(a.lastSetCookie).toEqual([]);
    const toFresh = await inbox().waitForMail(fresh);
    const toTaken = await inbox().waitForMail(taken, { subject: /already have/ });
    expect(toFresh.subject).toMatch(/Confirm your email/);
    expect(toTaken.text).toMatch(/already has one\. No new account was made/);
    // Plain text plus simple HTML, the link in both.
    expect(toFresh.html).toContain(tokenIn(toFresh, '/verify-email'));
  });

  test('the verification link works once, verifies and logs in; the token is stored only as a hash', async () => {
    const email = uniqueEmail('verify');
    await api.client().trpc.auth.signUp.mutate({ email, password: PASSWORD });
    const token = tokenIn(await inbox().waitForMail(email), '/verify-email');
    const stored = await api.db.models.AuthToken.find({ email }).lean();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(token);
    const browser = api.client();
    expect(await browser.trpc.auth.verifyEmail.mutate({ token })).toMatchObject({ status: 'logged_in', user: { email, emailVerified: true } });
    expect(await codeOf(api.client().trpc.auth.verifyEmail.mutate({ token }))).toBe('BAD_REQUEST');
  });

  test('an expired verification link is refused', async () => {
    const email = uniqueEmail('late');
    await api.client().trpc.auth.signUp.mutate({ email, password: PASSWORD });
    const token = tokenIn(await inbox().waitForMail(email), '/verify-email');
    await api.db.models.AuthToken.updateMany({ email }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await messageOf(api.client().trpc.auth.verifyEmail.mutate({ token }))).toMatch(/used up or expired/);
  });

  test('an unverified account can ask for the link again', async () => {
    const user = await unverifiedClient(api);
    expect((await user.trpc.auth.me.query()).user?.emailVerified).toBe(false);
    const first = await inbox().waitForMail(user.email, { subject: /Confirm your email/ });
    expect(await user.trpc.auth.resendVerification.mutate()).toEqual({ status: 'sent' });
    const second = await inbox().waitForMail(user.email, { subject: /Confirm your email/, except: new Set([first.id]) });
    expect((await user.trpc.auth.verifyEmail.mutate({ token: tokenIn(second, '/verify-email') })).status).toBe('logged_in');
    expect(await user.trpc.auth.resendVerification.mutate()).toEqual({ status: 'already_verified' });
  });
});

describe('password reset', () => {
  test('answers the same for an address with an account and one without; the mails differ', async () => {
    const known = (await signedUpClient(api)).email;
    const unknown = uniqueEmail('ghost');
    expect(await api.client().trpc.auth.requestPasswordReset.mutate({ email: known })).toEqual({ status: 'check_email' });
    expect(await api.client().trpc.auth.requestPasswordReset.mutate({ email: unknown })).toEqual({ status: 'check_email' });
    expect((await inbox().waitForMail(known, { subject: /Reset your/ })).text).toContain('/reset-password/new#token=');
    expect((await inbox().waitForMail(unknown)).text).toMatch(/no account uses it/);
  });

  test('a reset ends every session, and the old password stops working', async () => {
    const user = await signedUpClient(api);
    const other = api.client();
    await other.trpc.auth.logIn.mutate({ email: user.email, password: PASSWORD });
    await api.client().trpc.auth.requestPasswordReset.mutate({ email: user.email });
    const token = tokenIn(await inbox().waitForMail(user.email, { subject: /Reset your/ }), '/reset-password/new');
    const browser = api.client();
    expect((await browser.trpc.auth.resetPassword.mutate({ token, newPassword: 'my brand new passphrase' })).status).toBe('logged_in');
    expect((await user.trpc.auth.me.query()).user).toBeNull();
    expect((await other.trpc.auth.me.query()).user).toBeNull();
    expect((await browser.trpc.auth.me.query()).user?.email).toBe(user.email);
    expect(await codeOf(api.client().trpc.auth.logIn.mutate({ email: user.email, password: PASSWORD }))).toBe('UNAUTHORIZED');
    expect(await codeOf(api.client().trpc.auth.resetPassword.mutate({ token, newPassword: 'yet another passphrase' }))).toBe('BAD_REQUEST');
    expect(await api.db.models.AuditLog.countDocuments({ actorId: user.userId, action: 'account.password_reset' })).toBe(1);
  });

  test('a changed password ends every other session too', async () => {
    const user = await signedUpClient(api);
    const other = api.client();
    await other.trpc.auth.logIn.mutate({ email: user.email, password: PASSWORD });
    await user.trpc.auth.changePassword.mutate({ currentPassword: PASSWORD, newPassword: 'changed passphrase here' });
    expect((await other.trpc.auth.me.query()).user).toBeNull();
    expect(await api.db.models.Session.countDocuments({ userId: user.userId })).toBe(1);
  });

  test('reset requests from one address are limited, so nobody floods an inbox through us', async () => {
    // The clock holds still: the hourly windows cannot roll over mid-test.
    const at = new Date();
    const limited = await startTestApi('api_accounts_mail_limit', { signupPerAddress: 2, mailsPerRecipient: 2 }, () => at);
    try {
      const victim = uniqueEmail('flooded');
      const codes = [];
      for (let i = 0; i < 6; i++) codes.push(await codeOf(limited.client().trpc.auth.requestPasswordReset.mutate({ email: victim })));
      // Four requests an hour per address (twice the sign-up limit); two mails an hour per recipient.
      expect(codes).toEqual(['OK', 'OK', 'OK', 'OK', 'TOO_MANY_REQUESTS', 'TOO_MANY_REQUESTS']);
      await limited.api.services.mailer.idle();
      expect(await inbox().mailsTo(victim)).toHaveLength(2);
    } finally {
      await limited.close();
    }
  });
});

describe('the verified-email rule', () => {
  test('an unverified account may create test sites without keys, no live site and no key', async () => {
    const user = await unverifiedClient(api);
    expect(await codeOf(user.trpc.sites.create.mutate({ name: 'Live', mode: 'live' }))).toBe('FORBIDDEN');
    const { site, secretKey } = await user.trpc.sites.create.mutate({ name: 'Test', mode: 'test' });
    expect(secretKey).toBeNull();
    expect(await codeOf(user.trpc.keys.create.mutate({ siteId: site.id }))).toBe('FORBIDDEN');
    expect(await codeOf(user.trpc.keys.rotate.mutate({ siteId: site.id }))).toBe('FORBIDDEN');
  });
});
