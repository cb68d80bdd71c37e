/**
 * Two-factor (TOTP with recovery codes), re-authentication for sensitive actions, and admins who
 * must have two-factor. Part of finding "Sessions and headers (info)": there was no 2FA and no
 * re-authentication, so a stolen session cookie could create secret keys.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { totpCode } from '@tagward/auth';
import { PASSWORD, appCodeOf, codeOf, inbox, makeAdmin, messageOf, signedUpClient, startTestApi, type SignedUpClient, type TestApi } from './helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('api_two_factor');
});
afterAll(async () => {
  await api?.close();
});

const STEP_MS = 30_000;

/** Turns two-factor on for `client`; returns the key and the recovery codes. */
async function enable(client: SignedUpClient): Promise<{ key: Uint8Array; recoveryCodes: string[] }> {
  const { secret, uri } = await client.trpc.twoFactor.begin.mutate();
  expect(uri).toContain(`secret=${secret}`);
  const key = decodeBase32IgnorePadding(secret);
  const { recoveryCodes } = await client.trpc.twoFactor.confirm.mutate({ code: totpCode(key, new Date()) });
  return { key, recoveryCodes };
}

/** A code of the next step: the one used to turn it on is spent. */
const nextCode = (key: Uint8Array) => totpCode(key, new Date(Date.now() + STEP_MS));

describe('TOTP login', () => {
  test('with two-factor on, the password alone gives a ticket, and the code a session', async () => {
    const user = await signedUpClient(api);
    const { key, recoveryCodes } = await enable(user);
    expect(recoveryCodes).toHaveLength(10);
    const stored = await api.db.models.User.findById(user.userId).lean();
    // Sealed key and hashed codes only.
    expect(JSON.stringify(stored)).not.toContain(recoveryCodes[0]);
    expect(stored?.totp?.keyEnc).toMatch(/^v1\./);

    const browser = api.client();
    const first = await browser.trpc.auth.logIn.mutate({ email: user.email, password: PASSWORD });
    if (first.status !== 'second_factor') throw new Error(first.status);
    expect(browser.cookies.size).toBe(0);
    expect(await codeOf(browser.trpc.auth.logInSecondFactor.mutate({ ticket: first.ticket, code: '000000' }))).toBe('UNAUTHORIZED');
    const done = await browser.trpc.auth.logInSecondFactor.mutate({ ticket: first.ticket, code: nextCode(key) });
    expect(done).toMatchObject({ status: 'logged_in', user: { email: user.email, twoFactor: true } });
    // The ticket is used up, and so is the code.
    expect(await codeOf(browser.trpc.auth.logInSecondFactor.mutate({ ticket: first.ticket, code: nextCode(key) }))).toBe('BAD_REQUEST');
    const again = await api.client().trpc.auth.logIn.mutate({ email: user.email, password: PASSWORD });
    if (again.status !== 'second_factor') throw new Error(again.status);
    expect(await codeOf(api.client().trpc.auth.logInSecondFactor.mutate({ ticket: again.ticket, code: nextCode(key) }))).toBe('UNAUTHORIZED');
  });

  test('a recovery code logs in once, is audited and mailed about', async () => {
    const user = await signedUpClient(api);
    const { recoveryCodes } = await enable(user);
    const login = async () => {
      const first = await api.client().trpc.auth.logIn.mutate({ email: user.email, password: PASSWORD });
      if (first.status !== 'second_factor') throw new Error(first.status);
      return first.ticket;
    };
    const code = recoveryCodes[3]!;
    expect((await api.client().trpc.auth.logInSecondFactor.mutate({ ticket: await login(), recoveryCode: code.toUpperCase() })).status).toBe('logged_in');
    expect(await codeOf(api.client().trpc.auth.logInSecondFactor.mutate({ ticket: await login(), recoveryCode: code }))).toBe('UNAUTHORIZED');
    expect((await user.trpc.twoFactor.status.query()).recoveryCodesLeft).toBe(9);
    expect(await api.db.models.AuditLog.countDocuments({ actorId: user.userId, action: 'account.recovery_code_used' })).toBe(1);
    await inbox().waitForMail(user.email, { subject: /security notice/ });
  });

  test('a ticket dies after 5 wrong codes', async () => {
    const user = await signedUpClient(api);
    const { key } = await enable(user);
    const first = await api.client().trpc.auth.logIn.mutate({ email: user.email, password: PASSWORD });
    if (first.status !== 'second_factor') throw new Error(first.status);
    for (let i = 0; i < 5; i++) await codeOf(api.client().trpc.auth.logInSecondFactor.mutate({ ticket: first.ticket, code: String(100000 + i) }));
    expect(await messageOf(api.client().trpc.auth.logInSecondFactor.mutate({ ticket: first.ticket, code: nextCode(key) }))).toMatch(/expired/);
  });
});

describe('re-authentication', () => {
  async function staleSession(user: SignedUpClient): Promise<void> {
    await api.db.models.Session.updateMany({ userId: user.userId }, { $set: { reauthAt: new Date(Date.now() - 60 * 60_000) } });
  }

  test('a stolen, hour-old session cookie cannot create or rotate secret keys until the password is given', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Keys', mode: 'live' });
    await staleSession(owner);
    expect(await appCodeOf(owner.trpc.keys.create.mutate({ siteId: site.id }))).toBe('reauth_required');
    expect(await appCodeOf(owner.trpc.keys.rotate.mutate({ siteId: site.id }))).toBe('reauth_required');
    expect(await codeOf(owner.trpc.auth.reauthenticate.mutate({ password: 'not the password' }))).toBe('BAD_REQUEST');
    await owner.trpc.auth.reauthenticate.mutate({ password: PASSWORD });
    expect(await codeOf(owner.trpc.keys.create.mutate({ siteId: site.id }))).toBe('OK');
  });

  test('with two-factor on, a code re-authenticates too; turning two-factor off needs it', async () => {
    const user = await signedUpClient(api);
    const { key } = await enable(user);
    await staleSession(user);
    expect(await appCodeOf(user.trpc.twoFactor.disable.mutate())).toBe('reauth_required');
    await user.trpc.auth.reauthenticate.mutate({ code: nextCode(key) });
    expect(await user.trpc.twoFactor.disable.mutate()).toEqual({ enabled: false, recoveryCodesLeft: 0 });
    expect((await api.client().trpc.auth.logIn.mutate({ email: user.email, password: PASSWORD })).status).toBe('logged_in');
  });

  test('removing a member needs it', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Members', mode: 'live' });
    await staleSession(owner);
    expect(await appCodeOf(owner.trpc.sites.removeMember.mutate({ siteId: site.id, userId: owner.userId }))).toBe('reauth_required');
  });
});

describe('platform admins', () => {
  test('an admin without two-factor is refused moderation until they turn it on, and cannot turn it off', async () => {
    const admin = await signedUpClient(api);
    await api.db.models.User.updateOne({ _id: admin.userId }, { $set: { role: 'admin' } });
    expect(await appCodeOf(admin.trpc.moderation.catalogue.query())).toBe('two_factor_required');
    await api.db.models.User.updateOne({ _id: admin.userId }, { $set: { role: 'user' } });
    await makeAdmin(api, admin);
    expect(await codeOf(admin.trpc.moderation.catalogue.query())).toBe('OK');
    expect(await codeOf(admin.trpc.twoFactor.disable.mutate())).toBe('FORBIDDEN');
  });
});
