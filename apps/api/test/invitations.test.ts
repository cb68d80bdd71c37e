/**
 * Finding "Membership (medium)", written as the attack: an attacker who registered `alice@…`
 * first became owner of another customer's site when that customer added "Alice", and created a
 * secret key; the real Alice could not sign up and had no password reset. Now members join only
 * through a mailed invitation link, an unverified account can do none of that, and the real Alice
 * takes her address back with a reset.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PASSWORD, appCodeOf, codeOf, inbox, messageOf, signedUpClient, startTestApi, tokenIn, uniqueEmail, unverifiedClient, type TestApi } from './helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('api_invitations');
});
afterAll(async () => {
  await api?.close();
});

describe('the squatted address', () => {
  test('an attacker who registered the address first gets neither the site nor a key, and the real owner takes the address back', async () => {
    const alice = uniqueEmail('alice');
    const attacker = await unverifiedClient(api, alice);
    const customer = await signedUpClient(api);
    const { site } = await customer.trpc.sites.create.mutate({ name: 'Customer shop', mode: 'live' });

    // The customer invites "Alice": nobody is added, a mail goes to the address.
    await customer.trpc.invitations.create.mutate({ siteId: site.id, email: alice, role: 'owner' });
    expect((await customer.trpc.sites.members.query({ siteId: site.id })).map((m) => m.email)).toEqual([customer.email]);
    expect(await codeOf(attacker.trpc.sites.get.query({ siteId: site.id }))).toBe('NOT_FOUND');

    // Without the mailbox, the attacker's unverified account can make no live site and no key.
    expect(await appCodeOf(attacker.trpc.sites.create.mutate({ name: 'Mine', mode: 'live' }))).toBe('email_unverified');
    const { site: testSite, secretKey } = await attacker.trpc.sites.create.mutate({ name: 'Mine', mode: 'test' });
    expect(secretKey).toBeNull();
    expect(await appCodeOf(attacker.trpc.keys.create.mutate({ siteId: testSite.id }))).toBe('email_unverified');

    // The real Alice signs up: the screen says "check your inbox", the mail says she has an
    // account and carries a reset link. The reset ends the attacker's session.
    expect(await api.client().trpc.auth.signUp.mutate({ email: alice, password: 'alice real passphrase' })).toEqual({ status: 'check_email' });
    const mail = await inbox().waitForMail(alice, { subject: /already have a Tagward account/ });
    const realAlice = api.client();
    const outcome = await realAlice.trpc.auth.resetPassword.mutate({ token: tokenIn(mail, '/reset-password/new'), newPassword: 'alice real passphrase' });
    expect(outcome).toMatchObject({ status: 'logged_in', user: { email: alice, emailVerified: true } });
    expect((await attacker.trpc.auth.me.query()).user).toBeNull();
    expect(await codeOf(api.client().trpc.auth.logIn.mutate({ email: alice, password: PASSWORD }))).toBe('UNAUTHORIZED');

    // She accepts the invitation through its link and is an owner.
    const invitation = await inbox().waitForMail(alice, { subject: /invited you/ });
    await realAlice.trpc.invitations.accept.mutate({ token: tokenIn(invitation, '/invite') });
    expect((await realAlice.trpc.sites.get.query({ siteId: site.id })).role).toBe('owner');
  });

  test('the invitation link works only for the invited address', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Strict', mode: 'live' });
    const invited = uniqueEmail('invited');
    await owner.trpc.invitations.create.mutate({ siteId: site.id, email: invited, role: 'viewer' });
    const token = tokenIn(await inbox().waitForMail(invited, { subject: /invited you/ }), '/invite');
    const someoneElse = await signedUpClient(api);
    expect(await messageOf(someoneElse.trpc.invitations.accept.mutate({ token }))).toMatch(/This invitation is for/);
    expect(await codeOf(someoneElse.trpc.sites.get.query({ siteId: site.id }))).toBe('NOT_FOUND');
  });
});

describe('invitations', () => {
  test('the invitee signs up through the link, verified by it, with the invited role; every step is audited', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Audited', mode: 'live' });
    const email = uniqueEmail('newcomer');
    const listed = await owner.trpc.invitations.create.mutate({ siteId: site.id, email, role: 'viewer' });
    expect(listed).toEqual([expect.objectContaining({ email, role: 'viewer', invitedBy: owner.email })]);
    const token = tokenIn(await inbox().waitForMail(email, { subject: /invited you/ }), '/invite');
    expect(await api.client().trpc.invitations.preview.query({ token })).toMatchObject({ siteName: 'Audited', role: 'viewer', email, accountExists: false });

    const newcomer = api.client();
    const result = await newcomer.trpc.invitations.acceptWithSignUp.mutate({ token, password: 'newcomer passphrase' });
    expect(result).toMatchObject({ status: 'logged_in', siteId: site.id, user: { email, emailVerified: true } });
    expect((await newcomer.trpc.sites.get.query({ siteId: site.id })).role).toBe('viewer');
    expect(await codeOf(newcomer.trpc.sites.rename.mutate({ siteId: site.id, name: 'Mine now' }))).toBe('FORBIDDEN');
    expect(await owner.trpc.invitations.list.query({ siteId: site.id })).toEqual([]);
    // The link is used up.
    expect(await codeOf(api.client().trpc.invitations.preview.query({ token }))).toBe('NOT_FOUND');

    const actions = (await api.db.models.AuditLog.find({ target: site.id }).sort({ at: 1, _id: 1 }).lean()).map((e) => e.action);
    expect(actions).toEqual(expect.arrayContaining(['invitation.create', 'invitation.accept']));
  });

  test('a revoked invitation cannot be accepted, and the revocation is audited', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Revoked', mode: 'live' });
    const invitee = await signedUpClient(api);
    const [invitation] = await owner.trpc.invitations.create.mutate({ siteId: site.id, email: invitee.email, role: 'owner' });
    const token = tokenIn(await inbox().waitForMail(invitee.email, { subject: /invited you/ }), '/invite');
    expect(await owner.trpc.invitations.revoke.mutate({ siteId: site.id, invitationId: invitation!.id })).toEqual([]);
    expect(await codeOf(invitee.trpc.invitations.accept.mutate({ token }))).toBe('NOT_FOUND');
    expect(await api.db.models.AuditLog.countDocuments({ target: site.id, action: 'invitation.revoke' })).toBe(1);
  });

  test('an expired invitation is not listed and cannot be accepted (and the TTL index removes it)', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Expired', mode: 'live' });
    const invitee = await signedUpClient(api);
    await owner.trpc.invitations.create.mutate({ siteId: site.id, email: invitee.email, role: 'viewer' });
    const token = tokenIn(await inbox().waitForMail(invitee.email, { subject: /invited you/ }), '/invite');
    await api.db.models.Invitation.updateOne({ siteId: site.id }, { $set: { expiresAt: new Date(Date.now() - 1000) } });
    expect(await owner.trpc.invitations.list.query({ siteId: site.id })).toEqual([]);
    expect(await codeOf(invitee.trpc.invitations.accept.mutate({ token }))).toBe('NOT_FOUND');
    const indexes = await api.db.models.Invitation.collection.indexes();
    expect(indexes.find((i) => i.key.expiresAt === 1)?.expireAfterSeconds).toBe(0);
  });

  test('inviting answers the same for an address with an account and one without (no enumeration)', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Quiet', mode: 'live' });
    const existing = await signedUpClient(api);
    const [a] = await owner.trpc.invitations.create.mutate({ siteId: site.id, email: existing.email, role: 'viewer' });
    const list = await owner.trpc.invitations.create.mutate({ siteId: site.id, email: uniqueEmail('nobody'), role: 'viewer' });
    const b = list.find((i) => i.email !== existing.email)!;
    expect(Object.keys(a!).sort()).toEqual(Object.keys(b).sort());
  });

  test('inviting needs a recent re-authentication', async () => {
    const owner = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Reauth', mode: 'live' });
    await api.db.models.Session.updateMany({ userId: owner.userId }, { $set: { reauthAt: new Date(Date.now() - 3_600_000) } });
    expect(await appCodeOf(owner.trpc.invitations.create.mutate({ siteId: site.id, email: uniqueEmail(), role: 'viewer' }))).toBe('reauth_required');
    await owner.trpc.auth.reauthenticate.mutate({ password: PASSWORD });
    expect(await codeOf(owner.trpc.invitations.create.mutate({ siteId: site.id, email: uniqueEmail(), role: 'viewer' }))).toBe('OK');
  });
});
