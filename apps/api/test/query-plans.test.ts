/**
 * Every query the API sends to a growing collection (events, rollups, audit log, sessions…) uses
 * an index. The test records the commands the real procedures send while it drives every read
 * path of the dashboard and the moderation pages, then asks the server to explain each distinct
 * query shape and fails on a collection scan.
 */
import { afterAll, beforeAll, expect, test } from 'vitest';
import { Types } from 'mongoose';
import { planStages, recordQueries, type QueryShape } from '@tagward/db/testing';
import { decodeBase32IgnorePadding } from '@oslojs/encoding';
import { totpCode } from '@tagward/auth';
import { PASSWORD, inbox, makeAdmin, signedUpClient, startTestApi, tokenIn, uniqueEmail, type SignedUpClient, type TestApi, type TestClient } from './helpers.js';
import { HOUR_MS, recordEvents, type FakeEvent } from './support/record-events.js';
import { waitForBacktest } from '../src/services/moderation/backtest.js';
import { enforceRetention } from '../src/services/retention.js';

let api: TestApi;
let owner: TestClient;
let admin: TestClient;
let siteId: string;
let shapes: QueryShape[] = [];

const ev = (hoursAgo: number, over: Partial<FakeEvent> = {}): FakeEvent => ({
  receivedAt: new Date(Date.now() - hoursAgo * HOUR_MS),
  path: hoursAgo % 2 ? '/blog/post' : '/',
  verdict: hoursAgo % 3 ? 'trusted' : 'fraud',
  score: hoursAgo % 3 ? 0.9 : 0.1,
  reasons: [{ code: 'origin_missing', weight: -0.3 }],
  checks: [{ id: 'title_present', pass: true }],
  attestationCohort: hoursAgo % 4 === 0,
  ...over,
});

beforeAll(async () => {
  api = await startTestApi('query_plans');
  owner = await signedUpClient(api);
  const adminAccount = await signedUpClient(api);
  await makeAdmin(api, adminAccount);
  admin = adminAccount;
  siteId = (await owner.trpc.sites.create.mutate({ name: 'Plans', mode: 'live' })).site.id;
  const ids = await recordEvents(api.db, new Types.ObjectId(siteId), Array.from({ length: 60 }, (_, i) => ev(i)));
  // Some labelled and some shadow-scored events, as moderation leaves them.
  await api.db.models.Event.updateMany({ _id: { $in: ids.slice(0, 5) } }, { $set: { label: { value: 'fraud', by: new Types.ObjectId(), at: new Date() } } });
  await api.db.models.Event.updateMany({ _id: { $in: ids.slice(5, 15) } }, { $set: { shadow: { score: 0.5, verdict: 'suspect', reasons: [], version: 1 } } });

  const recorder = recordQueries(api.db);
  const t = owner.trpc;
  for (const preset of ['24h', '7d', '30d'] as const) {
    await t.stats.overview.query({ siteId, preset });
    await t.stats.topPages.query({ siteId, preset });
    await t.attestation.cohorts.query({ siteId, preset });
  }
  await t.sites.integrationStatus.query({ siteId });
  const page = await t.events.list.query({ siteId, limit: 10 });
  await t.events.list.query({ siteId, limit: 10, cursor: page.nextCursor });
  await t.events.list.query({ siteId, verdict: 'fraud' });
  await t.events.list.query({ siteId, reason: 'origin_missing' });
  await t.events.list.query({ siteId, path: '/blog' });
  await t.events.get.query({ siteId, eventId: page.items[0]!.id });

  const m = admin.trpc.moderation;
  for (const status of ['unlabeled', 'labeled', 'all'] as const) {
    const queue = await m.reviewQueue.query({ status });
    if (queue.nextCursor) await m.reviewQueue.query({ status, cursor: queue.nextCursor });
  }
  await m.reviewQueue.query({ status: 'all', siteId, verdict: 'fraud' });
  await m.label.mutate({ eventId: page.items[1]!.id, value: 'legit' });
  await m.metrics.query({ includeSuspect: true });
  await m.shadowCompare.query({ window: { preset: '24h' } });
  await m.auditLog.query({});
  await m.auditLog.query({ action: 'site.' });
  await m.auditLog.query({ actorEmail: (owner as TestClient & { email: string }).email });
  await m.auditActions.query();
  await owner.trpc.auth.me.query();
  for (const scope of [{}, { siteId }]) {
    const job = await m.startBacktest.mutate({ window: { preset: '24h' }, ...scope });
    await waitForBacktest(job.id);
    await m.backtest.query({ jobId: job.id });
  }
  await m.backtests.query();
  await accountsWorkload(owner as SignedUpClient);
  // The hourly retention job's deletes.
  await enforceRetention(api.db, new Date(Date.now() + 20 * 365 * 86_400_000));
  shapes = recorder.stop();
}, 120_000);

/** Every read path of the accounts code: sign-up, links, login steps, invitations, 2FA, deletion. */
async function accountsWorkload(siteOwner: SignedUpClient): Promise<void> {
  const email = uniqueEmail('plans');
  const person = api.client();
  await person.trpc.auth.signUp.mutate({ email, password: PASSWORD });
  await person.trpc.auth.signUp.mutate({ email, password: PASSWORD });
  await person.trpc.auth.verifyEmail.mutate({ token: tokenIn(await inbox().waitForMail(email, { subject: /Confirm/ }), '/verify-email') });
  await person.trpc.auth.logIn.mutate({ email, password: PASSWORD });
  await api.client().trpc.auth.logIn.mutate({ email, password: 'a wrong password' }).catch(() => undefined);
  await person.trpc.auth.reauthenticate.mutate({ password: PASSWORD });
  await person.trpc.auth.resendVerification.mutate();
  await api.client().trpc.auth.requestPasswordReset.mutate({ email });
  await api.client().trpc.auth.requestPasswordReset.mutate({ email: uniqueEmail('nobody') });
  const reset = await inbox().waitForMail(email, { subject: /Reset your/ });
  await person.trpc.auth.resetPassword.mutate({ token: tokenIn(reset, '/reset-password/new'), newPassword: 'plans new passphrase' });

  await siteOwner.trpc.invitations.create.mutate({ siteId, email, role: 'viewer' });
  await siteOwner.trpc.invitations.list.query({ siteId });
  const inviteToken = tokenIn(await inbox().waitForMail(email, { subject: /invited you/ }), '/invite');
  await person.trpc.invitations.preview.query({ token: inviteToken });
  await person.trpc.invitations.accept.mutate({ token: inviteToken });
  await siteOwner.trpc.invitations.create.mutate({ siteId, email: uniqueEmail('pending'), role: 'viewer' });
  const pending = (await siteOwner.trpc.invitations.list.query({ siteId }))[0]!;
  await siteOwner.trpc.invitations.revoke.mutate({ siteId, invitationId: pending.id });

  const { secret } = await person.trpc.twoFactor.begin.mutate();
  const key = decodeBase32IgnorePadding(secret);
  const { recoveryCodes } = await person.trpc.twoFactor.confirm.mutate({ code: totpCode(key, new Date()) });
  await person.trpc.twoFactor.status.query();
  const step = await api.client().trpc.auth.logIn.mutate({ email, password: 'plans new passphrase' });
  if (step.status === 'second_factor') await api.client().trpc.auth.logInSecondFactor.mutate({ ticket: step.ticket, recoveryCode: recoveryCodes[0]! });
  await person.trpc.account.deletionPlan.query();
  await person.trpc.account.delete.mutate({ confirmEmail: email, decisions: [] });
}

afterAll(async () => {
  await api?.close();
});

test('the workload reached every growing collection the dashboard reads', () => {
  const collections = new Set(shapes.map((s) => s.collection));
  for (const name of ['events', 'rollups_hourly', 'rollups_daily', 'rollups_paths', 'rollups_paths_daily', 'audit_log', 'sessions', 'users', 'invitations', 'auth_tokens', 'rate_counters']) {
    expect(collections, name).toContain(name);
  }
  expect(shapes.length).toBeGreaterThan(25);
});

test('no query of a growing collection scans it', async () => {
  const scans: string[] = [];
  for (const shape of shapes) {
    const stages = await planStages(api.db, shape);
    if (stages.includes('COLLSCAN')) scans.push(`${shape.name} ${shape.collection} ${JSON.stringify(shape.command).slice(0, 300)}`);
  }
  expect(scans).toEqual([]);
});
