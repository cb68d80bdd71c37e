/**
 * The read-modify-write bugs the storage review reproduced, written as the attack: many
 * concurrent edits through the real procedures, then the stored state must be exactly what the
 * rules allow. (Under FerretDB 1.24, two concurrent membership edits both "won" 144 times in 200,
 * and a backtest cancel was lost 6 times in 80.)
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { MAX_WORKING_KEYS } from '../src/services/keys.js';
import { MAX_ALLOWED_ORIGINS } from '../src/services/origins.js';
import { getBacktest, startBacktest, stopAllBacktests, waitForBacktest } from '../src/services/moderation/backtest.js';
import { publishDraft, saveDraft } from '../src/services/moderation/rules.js';
import { addMemberByInvitation, codeOf, inbox, signedUpClient, startTestApi, tokenIn, type SignedUpClient, type TestApi } from './helpers.js';
import { createSite, seedEvents } from './moderation-support.js';
import { DEFAULT_RULES } from '@tagward/trust';

let api: TestApi;
let owner: SignedUpClient;
let coOwner: SignedUpClient;

beforeAll(async () => {
  api = await startTestApi('api_concurrency');
  owner = await signedUpClient(api);
  coOwner = await signedUpClient(api);
});
afterAll(async () => {
  await stopAllBacktests();
  await api?.close();
});

async function siteWithCoOwner(name: string): Promise<string> {
  const { site } = await owner.trpc.sites.create.mutate({ name, mode: 'live' });
  await addMemberByInvitation(owner, site.id, coOwner, 'owner');
  return site.id;
}

/** The token of the newest invitation mailed to `email`. */
async function invitationToken(email: string): Promise<string> {
  return tokenIn(await inbox().waitForMail(email, { subject: /invited you/ }), '/invite');
}

describe('site membership', () => {
  test('two people accepting their invitations at once both become members, 10 times in 10', async () => {
    const siteId = await siteWithCoOwner('Members A');
    for (let round = 0; round < 10; round++) {
      const [a, b] = await Promise.all([signedUpClient(api), signedUpClient(api)]);
      await Promise.all([
        owner.trpc.invitations.create.mutate({ siteId, email: a.email, role: 'viewer' }),
        coOwner.trpc.invitations.create.mutate({ siteId, email: b.email, role: 'viewer' }),
      ]);
      const [ta, tb] = await Promise.all([invitationToken(a.email), invitationToken(b.email)]);
      await Promise.all([a.trpc.invitations.accept.mutate({ token: ta }), b.trpc.invitations.accept.mutate({ token: tb })]);
    }
    const members = await owner.trpc.sites.members.query({ siteId });
    expect(members).toHaveLength(2 + 20);
  });

  test('one invitation link used twice at once makes one membership; the other use is refused', async () => {
    const siteId = await siteWithCoOwner('Members B');
    for (let round = 0; round < 10; round++) {
      const person = await signedUpClient(api);
      await owner.trpc.invitations.create.mutate({ siteId, email: person.email, role: 'viewer' });
      const token = await invitationToken(person.email);
      const codes = await Promise.all([codeOf(person.trpc.invitations.accept.mutate({ token })), codeOf(person.trpc.invitations.accept.mutate({ token }))]);
      expect(codes.sort()).toEqual(['NOT_FOUND', 'OK']);
    }
    const site = await api.db.models.Site.findById(siteId).lean();
    const ids = site!.members.map((m) => String(m.userId));
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids).toHaveLength(2 + 10);
  });

  test('two owners inviting the same address at once leave one pending invitation', async () => {
    const siteId = await siteWithCoOwner('Members D');
    const email = `twice-${Date.now()}@example.com`;
    await Promise.all([
      owner.trpc.invitations.create.mutate({ siteId, email, role: 'viewer' }),
      coOwner.trpc.invitations.create.mutate({ siteId, email, role: 'owner' }),
    ]);
    expect(await api.db.models.Invitation.countDocuments({ siteId, email })).toBe(1);
  });

  test('two owners removing each other at once leave exactly one owner, 10 times in 10', async () => {
    for (let round = 0; round < 10; round++) {
      const siteId = await siteWithCoOwner(`Members C${round}`);
      const codes = await Promise.all([
        codeOf(owner.trpc.sites.removeMember.mutate({ siteId, userId: coOwner.userId })),
        codeOf(coOwner.trpc.sites.removeMember.mutate({ siteId, userId: owner.userId })),
      ]);
      // The loser is refused either by the owner check (already removed: NOT_FOUND) or, when both
      // got past it, by the conditional update (the last owner: BAD_REQUEST).
      expect(codes.filter((c) => c === 'OK')).toHaveLength(1);
      expect(['BAD_REQUEST', 'NOT_FOUND']).toContain(codes.find((c) => c !== 'OK'));
      const site = await api.db.models.Site.findById(siteId).lean();
      expect(site!.members.filter((m) => m.role === 'owner')).toHaveLength(1);
    }
  });
});

test(`${MAX_ALLOWED_ORIGINS + 20} origins added at once stop at exactly ${MAX_ALLOWED_ORIGINS}`, async () => {
  const { site } = await owner.trpc.sites.create.mutate({ name: 'Origins', mode: 'live' });
  const n = MAX_ALLOWED_ORIGINS + 20;
  const codes = await Promise.all(Array.from({ length: n }, (_, i) => codeOf(owner.trpc.origins.add.mutate({ siteId: site.id, origin: `https://shop${i}.example` }))));
  expect(codes.filter((c) => c === 'OK')).toHaveLength(MAX_ALLOWED_ORIGINS);
  expect(codes.filter((c) => c === 'BAD_REQUEST')).toHaveLength(20);
  expect((await owner.trpc.sites.get.query({ siteId: site.id })).allowedOrigins).toHaveLength(MAX_ALLOWED_ORIGINS);
});

test(`secret keys created at once stop at ${MAX_WORKING_KEYS} working keys`, async () => {
  const { site } = await owner.trpc.sites.create.mutate({ name: 'Keys', mode: 'live' });
  const codes = await Promise.all(Array.from({ length: 8 }, () => codeOf(owner.trpc.keys.create.mutate({ siteId: site.id }))));
  // The site came with one key, so four more fit.
  expect(codes.filter((c) => c === 'OK')).toHaveLength(MAX_WORKING_KEYS - 1);
  const keys = await owner.trpc.keys.list.query({ siteId: site.id });
  expect(keys.filter((k) => k.state === 'active')).toHaveLength(MAX_WORKING_KEYS);
});

describe('rules lifecycle', () => {
  const admin = { id: String(new Types.ObjectId()) };

  test('concurrent draft saves leave one draft; concurrent publishes leave one published version', async () => {
    const rules = (n: number) => ({ ...DEFAULT_RULES, thresholds: { ...DEFAULT_RULES.thresholds, trusted: 0.6 + n / 1000 } });
    await Promise.all(Array.from({ length: 6 }, (_, i) => saveDraft(api.db, admin, 'global', rules(i), new Date())));
    expect(await api.db.models.RulesVersion.countDocuments({ scope: 'global', status: 'draft' })).toBe(1);
    const outcomes = await Promise.allSettled(Array.from({ length: 5 }, () => publishDraft(api.db, admin, 'global', 'concurrent publish', new Date())));
    expect(outcomes.filter((o) => o.status === 'fulfilled')).toHaveLength(1);
    expect(await api.db.models.RulesVersion.countDocuments({ scope: 'global', status: 'published' })).toBe(1);
    expect(await api.db.models.AuditLog.countDocuments({ action: 'rules.publish' })).toBe(1);
  });
});

describe('backtest jobs', () => {
  const admin = { id: String(new Types.ObjectId()) };
  const now = new Date('2026-03-10T12:00:00Z');
  const window = { from: new Date(now.getTime() - 86_400_000), to: now };

  test('a cancel written by another API process while the job writes its progress is never lost (20 runs)', async () => {
    const siteId = await createSite(api.db, 'Backtest concurrency');
    await seedEvents(api.db, { count: 800, sites: [siteId], from: new Date(now.getTime() - 3_600_000), to: now });
    for (let run = 0; run < 20; run++) {
      const job = await startBacktest(api.db, admin, window, now, { batchSize: 5, progressEveryMs: 0 });
      // What cancelBacktest in another process does: only the flag, through the database.
      await new Promise((resolve) => setTimeout(resolve, run % 5));
      const flagged = await api.db.models.BacktestJob.updateOne({ _id: job.id, status: 'running' }, { $set: { cancelRequested: true } });
      await waitForBacktest(job.id);
      const final = await getBacktest(api.db, job.id, now);
      expect(final.cancelRequested).toBe(flagged.modifiedCount === 1);
      // Canceled if the flag landed while it ran; done only if it had finished before.
      expect(final.status).toBe(flagged.modifiedCount === 1 ? 'canceled' : 'done');
    }
  });
});
