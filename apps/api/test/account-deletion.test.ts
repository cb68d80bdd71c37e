/**
 * Account deletion: what happens to each site is chosen, not guessed. Part of finding "Sessions
 * and headers (info)": there was no way to delete an account at all.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { PASSWORD, addMemberByInvitation, codeOf, inbox, messageOf, signedUpClient, startTestApi, unverifiedClient, type TestApi } from './helpers.js';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi('api_account_deletion');
});
afterAll(async () => {
  await api?.close();
});

describe('account deletion', () => {
  test('the plan lists sole-owned sites with the members they can go to; a sole-owned site without a choice stops it', async () => {
    const owner = await signedUpClient(api);
    const colleague = await signedUpClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Shop', mode: 'live' });
    await addMemberByInvitation(owner, site.id, colleague, 'viewer');
    const plan = await owner.trpc.account.deletionPlan.query();
    expect(plan).toEqual([
      { siteId: site.id, name: 'Shop', mode: 'live', role: 'owner', soleOwner: true, transferCandidates: [{ userId: colleague.userId, email: colleague.email }] },
    ]);
    expect(await messageOf(owner.trpc.account.delete.mutate({ confirmEmail: owner.email, decisions: [] }))).toMatch(/Choose what happens to “Shop”/);
    expect(await messageOf(owner.trpc.account.delete.mutate({ confirmEmail: 'someone@else.example', decisions: [{ siteId: site.id, action: 'delete' }] }))).toMatch(
      /Type your email address exactly/,
    );
    expect(await api.db.models.User.countDocuments({ _id: owner.userId })).toBe(1);
  });

  test('transfer hands a site to a verified member as owner; delete removes the site; co-owned sites only lose the member', async () => {
    const owner = await signedUpClient(api);
    const colleague = await signedUpClient(api);
    const coOwner = await signedUpClient(api);
    const { site: kept } = await owner.trpc.sites.create.mutate({ name: 'Kept', mode: 'live' });
    const { site: doomed } = await owner.trpc.sites.create.mutate({ name: 'Doomed', mode: 'live' });
    const { site: shared } = await coOwner.trpc.sites.create.mutate({ name: 'Shared', mode: 'live' });
    await addMemberByInvitation(owner, kept.id, colleague, 'viewer');
    await addMemberByInvitation(coOwner, shared.id, owner, 'owner');

    const result = await owner.trpc.account.delete.mutate({
      confirmEmail: owner.email,
      decisions: [
        { siteId: kept.id, action: 'transfer', toUserId: colleague.userId },
        { siteId: doomed.id, action: 'delete' },
      ],
    });
    expect(result).toEqual({ deletedSites: 1, transferredSites: 1 });
    expect(owner.cookies.size).toBe(0);
    expect((await colleague.trpc.sites.get.query({ siteId: kept.id })).role).toBe('owner');
    expect(await api.db.models.Site.countDocuments({ _id: doomed.id })).toBe(0);
    expect((await coOwner.trpc.sites.members.query({ siteId: shared.id })).map((m) => m.email)).toEqual([coOwner.email]);
    expect(await api.db.models.User.countDocuments({ _id: owner.userId })).toBe(0);
    expect(await api.db.models.Session.countDocuments({ userId: owner.userId })).toBe(0);
    expect(await codeOf(api.client().trpc.auth.logIn.mutate({ email: owner.email, password: PASSWORD }))).toBe('UNAUTHORIZED');
    expect(await api.db.models.AuditLog.countDocuments({ actorId: owner.userId, action: { $in: ['account.delete', 'site.transfer', 'site.delete'] } })).toBe(3);
    await inbox().waitForMail(owner.email, { subject: /account was deleted/ });
  });

  test('a site cannot go to a member whose email is not verified', async () => {
    const owner = await signedUpClient(api);
    const unverified = await unverifiedClient(api);
    const { site } = await owner.trpc.sites.create.mutate({ name: 'Picky', mode: 'test' });
    // An unverified account cannot accept an invitation without the link, which verifies it: put it in directly.
    await api.db.models.Site.updateOne({ _id: site.id }, { $push: { members: { userId: unverified.userId, role: 'viewer' } } });
    expect((await owner.trpc.account.deletionPlan.query())[0]!.transferCandidates).toEqual([]);
    expect(await messageOf(owner.trpc.account.delete.mutate({ confirmEmail: owner.email, decisions: [{ siteId: site.id, action: 'transfer', toUserId: unverified.userId }] }))).toMatch(
      /verified email/,
    );
  });

  test('deleting needs a recent re-authentication', async () => {
    const owner = await signedUpClient(api);
    await api.db.models.Session.updateMany({ userId: owner.userId }, { $set: { reauthAt: new Date(Date.now() - 3_600_000) } });
    expect(await codeOf(owner.trpc.account.delete.mutate({ confirmEmail: owner.email, decisions: [] }))).toBe('FORBIDDEN');
    expect(await api.db.models.User.countDocuments({ _id: owner.userId })).toBe(1);
  });
});
